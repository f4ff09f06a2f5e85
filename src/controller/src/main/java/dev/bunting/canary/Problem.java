package dev.bunting.canary;

/**
 * Bad input that stops a canary from being reconciled: it becomes a {@code Ready=False}/{@code Stalled=True}
 * condition with this reason and message, a Warning Event and a log line, and nothing else changes.
 */
public record Problem(String reason, String message) {
  /** Longest message kept: problems quote user input, which can be a megabyte long (a target name, a query). */
  static final int MAX_MESSAGE = 1024;

  public static final String TARGET_NOT_FOUND = "TargetNotFound";
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String UNSUPPORTED = "Unsupported";
  public static final String METRIC_TEMPLATE_NOT_FOUND = "MetricTemplateNotFound";
  public static final String SECRET_NOT_FOUND = "SecretNotFound";
  /** An object the router starts from (e.g. {@code spec.ingressRef}) is missing or cannot be used. */
  public static final String INVALID_REFERENCE = "InvalidReference";

  public Problem {
    if (message != null && message.length() > MAX_MESSAGE) {
      message = message.substring(0, MAX_MESSAGE - 1) + "\u2026";
    }
  }
}
