package dev.bunting.canary;

import dev.bunting.api.CanaryStatus;
import dev.bunting.api.DeploymentStrategy;
import java.time.Duration;
import java.util.List;

/**
 * What one reconcile does: effects in order, the status to write (written once, only if it differs), Events and
 * alerts, whether the analysis tick was used, when to look again, and a finished release for the counters.
 */
public record CanaryPlan(
    List<CanaryAction> actions,
    CanaryStatus status,
    List<Note> events,
    List<Note> alerts,
    boolean tickConsumed,
    Duration requeueAfter,
    Completion completion,
    List<CheckResult.MetricReading> readings) {

  /** An Event or alert: {@code severity} is {@code Normal}/{@code Warning} for Events, {@code info}/{@code warn}/{@code error} for alerts. */
  public record Note(String severity, String message) {}

  /** A release that ended in this reconcile. {@code analysisStatus} is {@code completed} or {@code skipped}. */
  public record Completion(boolean succeeded, DeploymentStrategy strategy, String analysisStatus) {}
}
