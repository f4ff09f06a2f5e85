package dev.bunting.canary;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.WebhookType;
import dev.bunting.hooks.WebhookResult;
import dev.bunting.hooks.WebhookRun;
import dev.bunting.hooks.WebhookRunner;
import io.vertx.core.Future;

/**
 * Runs the decider's checks: webhook gates and hooks with Flagger's payload and phases, and the metric analysis
 * (rollout hooks first, then metrics, as Flagger orders them). Messages follow Flagger's Event texts.
 */
public final class CanaryCheckRunner implements CanaryChecks {
  private final WebhookRunner hooks;
  private final MetricAnalysis metrics;

  public CanaryCheckRunner(WebhookRunner hooks, MetricAnalysis metrics) {
    this.hooks = hooks;
    this.metrics = metrics;
  }

  @Override
  public Future<CheckResult> run(CheckKind kind, CanarySnapshot s) {
    Canary canary = s.canary();
    return switch (kind) {
      case CONFIRM_ROLLOUT -> gate(canary, WebhookType.CONFIRM_ROLLOUT, s, "confirm-rollout check");
      case CONFIRM_TRAFFIC_INCREASE -> gate(canary, WebhookType.CONFIRM_TRAFFIC_INCREASE, s,
          "confirm-traffic-increase check");
      case CONFIRM_PROMOTION -> gate(canary, WebhookType.CONFIRM_PROMOTION, s, "confirm-promotion check");
      case PRE_ROLLOUT -> gate(canary, WebhookType.PRE_ROLLOUT, s, "pre-rollout check");
      case ROLLBACK -> run(s, WebhookType.ROLLBACK, currentPhase(canary)).map(run -> run.rollbackRequested()
          ? CheckResult.failed(run.firstSuccess().map(r -> "rollback hook " + r.hook() + " answered " + r.statusCode())
              .orElse("rollback requested"))
          : CheckResult.PASSED);
      case ANALYSIS -> gate(canary, WebhookType.ROLLOUT, s, "external check")
          .compose(r -> r.passed() ? metrics.analyse(s) : Future.succeededFuture(r));
    };
  }

  /** Hooks of one type; passed when all succeed (no hooks: passed). Flagger's "Halt ... advancement" message otherwise. */
  private Future<CheckResult> gate(Canary canary, WebhookType type, CanarySnapshot s, String what) {
    return run(s, type, CanaryPhase.PROGRESSING).map(run -> {
      if (run.passed()) {
        return CheckResult.PASSED;
      }
      WebhookResult f = run.firstFailure().orElseThrow();
      return CheckResult.failed("Halt " + s.id() + " advancement " + what + " " + f.hook() + " failed " + f.message());
    });
  }

  private Future<WebhookRun> run(CanarySnapshot s, WebhookType type, CanaryPhase phase) {
    return hooks.run(type, CanaryNotifications.webhooks(s.canary()), CanaryNotifications.context(s, phase));
  }

  private static CanaryPhase currentPhase(Canary canary) {
    return canary.getStatus() == null ? CanaryPhase.NEW : canary.getStatus().phaseOrNew();
  }
}
