package dev.bunting.notify;

/** An AlertProvider that cannot be used (unknown type, no address, bad URL). The message never contains secrets. */
public class InvalidAlertProviderException extends Exception {
  public InvalidAlertProviderException(String message) {
    super(message);
  }
}
