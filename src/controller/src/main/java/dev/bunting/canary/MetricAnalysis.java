package dev.bunting.canary;

import io.vertx.core.Future;

/**
 * Evaluates a canary's {@code analysis.metrics} in order (builtin metrics and MetricTemplates) against Prometheus:
 * passed when every metric is within its threshold; otherwise a failed result with Flagger's message for the first
 * failing metric. No data and errors are failed checks. The future never fails.
 */
public interface MetricAnalysis {
  Future<CheckResult> analyse(CanarySnapshot snapshot);
}
