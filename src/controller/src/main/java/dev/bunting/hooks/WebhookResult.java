package dev.bunting.hooks;

/**
 * The outcome of calling one webhook, after all attempts. A value: it never carries the URL, so it is safe to put
 * into Events, conditions and logs.
 *
 * @param hook the webhook's {@code name}
 * @param success whether the last attempt answered with an HTTP status of 202 or lower
 * @param statusCode the last HTTP status seen, or 0 when no response arrived (connection error, timeout, dropped)
 * @param message a short human-readable description: {@code "HTTP 200"}, {@code "HTTP 403: Forbidden"},
 *     {@code "timed out after 2s"}, {@code "connection failed: Connection refused"}
 * @param attempts how many HTTP requests were made (0 when the call was never attempted)
 */
public record WebhookResult(String hook, boolean success, int statusCode, String message, int attempts) {

  /** A successful call. */
  public static WebhookResult success(String hook, int statusCode, String message, int attempts) {
    return new WebhookResult(hook, true, statusCode, message, attempts);
  }

  /** A failed call. */
  public static WebhookResult failure(String hook, int statusCode, String message, int attempts) {
    return new WebhookResult(hook, false, statusCode, message, attempts);
  }

  /** Whether the hook failed. */
  public boolean failed() {
    return !success;
  }
}
