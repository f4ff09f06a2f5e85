package dev.bunting.canary;

import dev.bunting.api.AnalysisStatus;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.CanaryStatus;
import dev.bunting.canary.router.RouterState;
import dev.bunting.canary.router.Weights;
import dev.bunting.canary.workload.Readiness;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Replays a Canary's analysis over a past time range ({@code bunting analyze}): a new revision appears at {@code from},
 * and every {@code analysis.interval} the real {@link CanaryDecider} takes its step with the metric analysis evaluated
 * at that moment against Prometheus' history, until the release is promoted, rolled back, or {@code to} is reached.
 * The workloads are taken as ready and webhooks as passing (they are not replayed); traffic weights are the ones the
 * decider sets. What comes out are the decisions Bunting would have taken, with the Events it would have recorded.
 */
public final class Backtest {
  private static final String BEFORE = "v2:backtest-previous";
  private static final String RELEASE = "v2:backtest-release";

  private final CanaryDecider decider;
  private final MetricAnalysis analysis;

  /** One analysis tick of the replay. */
  public record Tick(Instant at, CanaryPhase phase, int weight, int failedChecks, List<String> events,
      AnalysisStatus analysis) {}

  /** Every tick and how the release ended. */
  public record Report(List<Tick> ticks, CanaryPhase outcome, String decision) {}

  public Backtest(CanaryDecider decider, MetricAnalysis analysis) {
    this.decider = decider;
    this.analysis = analysis;
  }

  /** Replays the canary from {@code from} to {@code to}. The future fails only if the analysis itself does. */
  public Future<Report> run(Canary canary, Instant from, Instant to) {
    Canary c = Serialization.clone(canary);
    CanaryStatus st = new CanaryStatus();
    st.phase = CanaryPhase.INITIALIZED;
    st.lastAppliedSpec = BEFORE;
    st.lastPromotedSpec = BEFORE;
    c.setStatus(st);
    if (c.getMetadata().getNamespace() == null) {
      c.getMetadata().setNamespace("default");
    }
    c.getMetadata().setGeneration(1L);
    Duration interval = c.getSpec().effectiveAnalysis().intervalDuration();
    return step(c, Weights.ALL_PRIMARY, from, to, interval, new ArrayList<>());
  }

  private Future<Report> step(Canary c, Weights weights, Instant at, Instant to, Duration interval, List<Tick> ticks) {
    CanaryPhase phase = c.getStatus().phaseOrNew();
    boolean started = !ticks.isEmpty();
    if (started && (phase == CanaryPhase.SUCCEEDED || phase == CanaryPhase.FAILED)) {
      return Future.succeededFuture(report(c, ticks, true));
    }
    if (at.isAfter(to)) {
      return Future.succeededFuture(report(c, ticks, false));
    }
    CanarySnapshot s = new CanarySnapshot(c, at, true, c.getSpec().provider == null ? "" : c.getSpec().provider,
        true, List.of(), new WorkloadView(1, Readiness.READY, true, 1, Readiness.READY, false),
        RouterState.accepted(weights), RELEASE, Map.of(), true);
    return decide(s, new EnumMap<>(CheckKind.class)).compose(plan -> {
      Weights next = weights;
      for (CanaryAction a : plan.actions()) {
        if (a instanceof CanaryAction.SetRoutes r) {
          next = r.weights();
        }
      }
      boolean analysed = plan.status().analysis != null && plan.status().analysis.evaluatedAt != null
          && plan.status().analysis.evaluatedAt.equals(CanaryDecider.timestamp(at));
      c.setStatus(plan.status());
      ticks.add(new Tick(at, plan.status().phaseOrNew(), plan.status().canaryWeightOrZero(),
          plan.status().failedChecksOrZero(), plan.events().stream().map(CanaryPlan.Note::message).toList(),
          analysed ? plan.status().analysis : null));
      return step(c, next, at.plus(interval), to, interval, ticks);
    });
  }

  /** Asks the decider, running the metric analysis when it needs it and passing every webhook check. */
  private Future<CanaryPlan> decide(CanarySnapshot s, Map<CheckKind, CheckResult> results) {
    Decision d = decider.decide(s, results);
    if (d instanceof Decision.Plan p) {
      return Future.succeededFuture(p.plan());
    }
    CheckKind kind = ((Decision.Needs) d).check();
    Future<CheckResult> result = kind == CheckKind.ANALYSIS ? analysis.analyse(s)
        : Future.succeededFuture(CheckResult.PASSED);
    return result.compose(r -> {
      results.put(kind, r);
      return decide(s, results);
    });
  }

  private static Report report(Canary c, List<Tick> ticks, boolean finished) {
    CanaryPhase phase = c.getStatus().phaseOrNew();
    Instant last = ticks.isEmpty() ? null : ticks.get(ticks.size() - 1).at();
    String why = Optional.ofNullable(c.getStatus().conditions).flatMap(cs -> dev.bunting.api.Condition.find(cs,
        dev.bunting.api.Condition.READY)).map(r -> r.message).orElse("");
    String decision;
    if (finished && phase == CanaryPhase.SUCCEEDED) {
      decision = "promoted at " + last + " (" + ticks.size() + " ticks)";
    } else if (finished) {
      decision = "rolled back at " + last + ": " + why;
    } else {
      decision = "still " + phase.wire() + " at the end of the range (canary weight "
          + c.getStatus().canaryWeightOrZero() + ", failed checks " + c.getStatus().failedChecksOrZero() + ")";
    }
    return new Report(List.copyOf(ticks), phase, decision);
  }
}
