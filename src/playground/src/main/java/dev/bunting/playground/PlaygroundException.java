package dev.bunting.playground;

/** Something the person running the playground can act on; its message says what and how. */
public final class PlaygroundException extends RuntimeException {
  public PlaygroundException(String message) {
    super(message);
  }

  public PlaygroundException(String message, Throwable cause) {
    super(message, cause);
  }
}
