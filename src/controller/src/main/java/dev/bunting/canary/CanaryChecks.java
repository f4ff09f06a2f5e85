package dev.bunting.canary;

import io.vertx.core.Future;

/**
 * Runs the external checks the decider asks for: webhooks (gates, pre-rollout, rollout, rollback) and metric analysis
 * (Prometheus). A check never fails its future; a failure to reach a hook or Prometheus is a failed check with a
 * message, so an outage can hold or fail a canary but never promote it.
 */
public interface CanaryChecks {
  Future<CheckResult> run(CheckKind kind, CanarySnapshot snapshot);
}
