package dev.bunting.api;

/**
 * {@code status.lastAction} (Bunting): the last request of the Canary's {@code bunting.dev/action} annotation that the
 * controller handled, and what came of it. {@code request} is the annotation value exactly as handled: a request is
 * carried out only while the annotation holds a value different from it, so a handled request is never applied twice,
 * not even after a restart.
 */
public class CanaryActionStatus extends ApiObject {
  public static final String ACCEPTED = "Accepted";
  public static final String REJECTED = "Rejected";
  public static final String INVALID = "Invalid";

  /** The annotation value handled (values longer than 253 characters: {@code sha256:<hex>} of it). */
  public String request;
  /** The action: {@code promote}, {@code abort}, {@code retry}, {@code pause}, {@code resume}; empty when invalid. */
  public String name;
  /** {@code Accepted} (carried out), {@code Rejected} (valid, but not possible now) or {@code Invalid}. */
  public String result;
  public String message;
  public String handledAt;

  public CanaryActionStatus() {}

  public CanaryActionStatus(String request, String name, String result, String message, String handledAt) {
    this.request = request;
    this.name = name;
    this.result = result;
    this.message = message;
    this.handledAt = handledAt;
  }

  public boolean accepted() {
    return ACCEPTED.equals(result);
  }

  /** {@code rejected: <message>}, {@code invalid: <message>}, or the message of an accepted request. */
  public String outcome() {
    return accepted() || result == null ? message : result.toLowerCase(java.util.Locale.ROOT) + ": " + message;
  }
}
