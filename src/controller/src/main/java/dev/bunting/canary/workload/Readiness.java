package dev.bunting.canary.workload;

/**
 * Whether a workload is rolled out and available. Not ready and {@code retriable}: wait and check again. Not ready and
 * not retriable: it will not get better by itself (progress deadline exceeded, scaled to zero), so the canary fails.
 */
public record Readiness(boolean ready, boolean retriable, String message) {
  public static final Readiness READY = new Readiness(true, true, "");

  public static Readiness waiting(String message) {
    return new Readiness(false, true, message);
  }

  public static Readiness failed(String message) {
    return new Readiness(false, false, message);
  }
}
