package dev.bunting.canary;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.CanaryStatus;
import dev.bunting.api.Condition;
import dev.bunting.kube.BlockingPool;
import dev.bunting.kube.EventRecorder;
import dev.bunting.kube.WorkQueue.Outcome;
import dev.bunting.metrics.FlaggerMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile of one canary: observe (caches) → decide (pure, asking for checks as needed) → act (server-side apply,
 * only what changed) → write status once, only if it changed → Events, alerts and metrics. The status is the only
 * durable memory; the in-memory tick clock is rebuilt from {@code status.lastTransitionTime} after a restart.
 */
public final class CanaryReconciler {
  private static final Logger LOG = LoggerFactory.getLogger(CanaryReconciler.class);
  private static final Duration MIN_REQUEUE = Duration.ofSeconds(1);

  private final KubernetesClient client;
  private final BlockingPool pool;
  private final CanaryCaches caches;
  private final CanaryObserver observer;
  private final CanaryDecider decider;
  private final CanaryChecks checks;
  private final CanaryEffects effects;
  private final CanaryNotifier notifier;
  private final EventRecorder events;
  private final FlaggerMetrics metrics;
  private final Clock clock;
  /** When each canary last used an analysis tick. */
  private final Map<String, Instant> lastTick = new ConcurrentHashMap<>();
  /** When each in-flight release started (for the rollout duration histogram). */
  private final Map<String, Instant> releaseStart = new ConcurrentHashMap<>();
  /** The last Event message per canary, to keep repeated identical Events (and their writes) away. */
  private final Map<String, String> lastEvent = new ConcurrentHashMap<>();
  /** What this controller wrote last per canary; the next reconcile waits until the caches show it. */
  private final Map<String, Expectation> expectations = new ConcurrentHashMap<>();
  /** Whether {@code status.lastAction} is kept, without which {@code bunting.dev/action} requests are refused. */
  private final ActionRecordCheck actionRecords;
  /** Requests refused for that reason ({@code key} + newline + request), each reported once. */
  private final Set<String> refusedRequests = ConcurrentHashMap.newKeySet();
  private static final Duration CACHE_CATCH_UP = Duration.ofMillis(200);
  private static final Duration MAX_CATCH_UP = Duration.ofSeconds(5);

  /** Objects written by a reconcile ({@code kind/ns/name} → resourceVersion) and when. */
  private record Expectation(Map<String, String> versions, Instant at) {}

  public CanaryReconciler(KubernetesClient client, BlockingPool pool, CanaryCaches caches, CanaryObserver observer,
      CanaryDecider decider, CanaryChecks checks, CanaryEffects effects, CanaryNotifier notifier, EventRecorder events,
      FlaggerMetrics metrics, Clock clock) {
    this.client = client;
    this.pool = pool;
    this.caches = caches;
    this.observer = observer;
    this.decider = decider;
    this.checks = checks;
    this.effects = effects;
    this.notifier = notifier;
    this.events = events;
    this.metrics = metrics;
    this.clock = clock;
    this.actionRecords = new ActionRecordCheck(client, pool, clock);
  }

  public Future<Outcome> reconcile(String key) {
    String[] parts = key.split("/", 2);
    Canary canary = caches.canaries().get(parts[0], parts[1]).orElse(null);
    if (canary == null) {
      forget(key, parts[0]);
      return Future.succeededFuture(Outcome.DONE);
    }
    if (canary.getSpec() == null || canary.getSpec().targetRef == null) {
      return Future.succeededFuture(Outcome.DONE); // the CRD requires targetRef; nothing to do for a partial object
    }
    Instant start = clock.instant();
    if (!cachesCaughtUp(key, start)) {
      return Future.succeededFuture(Outcome.after(CACHE_CATCH_UP));
    }
    Duration interval = canary.getSpec().effectiveAnalysis().intervalDuration();
    Instant last = lastTick.computeIfAbsent(key, k -> restoredTick(canary));
    boolean tickDue = !start.isBefore(last.plus(interval));
    Observation obs = observer.observe(canary, start, tickDue);
    Map<CheckKind, CheckResult> results = new EnumMap<>(CheckKind.class);
    return deciderFor(key, canary)
        .compose(d -> decideWithChecks(d, obs, results))
        .compose(plan -> effects.execute(obs, plan)
            .compose(applied -> writeStatus(key, canary, applied.canary(), plan, start).map(written -> {
              Map<String, String> versions = new java.util.HashMap<>(applied.written());
              if (written != null) {
                versions.put(CanaryEffects.writtenKey("Canary", written.getMetadata().getNamespace(),
                    written.getMetadata().getName()), written.getMetadata().getResourceVersion());
              }
              if (!versions.isEmpty()) {
                expectations.put(key, new Expectation(versions, clock.instant()));
              }
              finish(key, obs, plan, start, versions.size(), results.containsKey(CheckKind.ANALYSIS));
              return next(key, plan, interval);
            })));
  }

  /**
   * The decider, or, when a {@code bunting.dev/action} request is pending but the API server would drop its record
   * ({@link ActionRecordCheck}), one that leaves requests alone: a Warning Event and log line say why, once.
   */
  private Future<CanaryDecider> deciderFor(String key, Canary canary) {
    ActionRequest request = ActionRequest.pending(canary).orElse(null);
    if (request == null) {
      return Future.succeededFuture(decider);
    }
    return actionRecords.kept().map(kept -> {
      if (kept) {
        return decider;
      }
      if (refusedRequests.add(key + "\n" + request.key())) {
        String message = request.shown() + " not carried out: " + ActionRecordCheck.MISSING;
        LOG.warn("canary {}: {}", key, message);
        events.record(canary, EventRecorder.WARNING, CanaryDecider.REASON_SYNCED, message);
      }
      return decider.withoutActions();
    });
  }

  /** Asks the decider; runs each check it needs, one at a time, until it returns a plan. */
  private Future<CanaryPlan> decideWithChecks(CanaryDecider d, Observation obs, Map<CheckKind, CheckResult> results) {
    Decision decision = d.decide(obs.snapshot(), results);
    if (decision instanceof Decision.Plan p) {
      return Future.succeededFuture(p.plan());
    }
    CheckKind kind = ((Decision.Needs) decision).check();
    return checks.run(kind, obs.snapshot()).compose(r -> {
      results.put(kind, r);
      return decideWithChecks(d, obs, results);
    });
  }

  /**
   * Whether the caches show everything this controller wrote for {@code key} (read-your-writes). A reconcile on a
   * stale cache could repeat a step; it waits instead, at most {@link #MAX_CATCH_UP}.
   */
  private boolean cachesCaughtUp(String key, Instant now) {
    Expectation e = expectations.get(key);
    if (e == null) {
      return true;
    }
    if (Duration.between(e.at(), now).compareTo(MAX_CATCH_UP) > 0) {
      LOG.warn("canary {}: caches did not show our last writes after {}s; continuing", key, MAX_CATCH_UP.toSeconds());
      expectations.remove(key);
      return true;
    }
    for (Map.Entry<String, String> w : e.versions().entrySet()) {
      String[] k = w.getKey().split("/", 3);
      if (!caches.resourceVersion(k[0], k[1], k[2]).map(rv -> atLeast(rv, w.getValue())).orElse(false)) {
        return false;
      }
    }
    expectations.remove(key);
    return true;
  }

  /**
   * resourceVersions are opaque, but etcd-backed servers hand out increasing integers; when both parse, a cached
   * version at or above the written one means the cache has our write (others may have written since).
   */
  static boolean atLeast(String cached, String written) {
    if (cached.equals(written)) {
      return true;
    }
    try {
      return Long.parseLong(cached) >= Long.parseLong(written);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Writes the status subresource once, only when something other than timestamps changed; null when not written. */
  private Future<Canary> writeStatus(String key, Canary observed, Canary current, CanaryPlan plan, Instant now) {
    CanaryStatus before = observed.getStatus();
    CanaryStatus after = plan.status();
    if (!changed(before, after)) {
      return Future.succeededFuture(null);
    }
    if (observed.getMetadata().getDeletionTimestamp() != null
        && plan.actions().stream().anyMatch(a -> a instanceof CanaryAction.RemoveFinalizer)) {
      return Future.succeededFuture(null); // the object is going away
    }
    after.lastTransitionTime = DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
    Canary copy = Serialization.clone(current);
    copy.setStatus(after);
    logTransition(key, before, after);
    return pool.run(() -> client.resources(Canary.class).inNamespace(copy.getMetadata().getNamespace())
        .resource(copy).updateStatus()).onSuccess(stored -> actionRecords.written(after, stored));
  }

  private static void logTransition(String key, CanaryStatus before, CanaryStatus after) {
    CanaryPhase from = before == null ? CanaryPhase.NEW : before.phaseOrNew();
    int fromWeight = before == null ? 0 : before.canaryWeightOrZero();
    if (from != after.phaseOrNew() || fromWeight != after.canaryWeightOrZero()) {
      LOG.info("canary {}: {} weight {} -> {} weight {} (failed checks {}, iterations {})", key, from, fromWeight,
          after.phaseOrNew(), after.canaryWeightOrZero(), after.failedChecksOrZero(), after.iterationsOrZero());
    }
  }

  static boolean changed(CanaryStatus before, CanaryStatus after) {
    if (before == null) {
      return true;
    }
    ObjectNode a = Serialization.jsonMapper().valueToTree(before);
    ObjectNode b = Serialization.jsonMapper().valueToTree(after);
    a.remove("lastTransitionTime");
    b.remove("lastTransitionTime");
    return !a.equals(b);
  }

  private void finish(String key, Observation obs, CanaryPlan plan, Instant start, int writes, boolean analysed) {
    CanarySnapshot s = obs.snapshot();
    Canary canary = s.canary();
    String target = s.targetName();
    String ns = s.namespace();
    Instant now = clock.instant();
    if (plan.tickConsumed()) {
      lastTick.put(key, now);
    }
    CanaryPhase before = canary.getStatus() == null ? CanaryPhase.NEW : canary.getStatus().phaseOrNew();
    CanaryPhase after = plan.status().phaseOrNew();
    if (after == CanaryPhase.PROGRESSING && !before.inFlight()) {
      releaseStart.put(key, now);
    }
    for (CanaryPlan.Note e : plan.events()) {
      if (!plan.tickConsumed() && e.message().equals(lastEvent.get(key))) {
        continue;
      }
      lastEvent.put(key, e.message());
      events.record(canary, e.severity(), CanaryDecider.REASON_SYNCED, e.message());
      notifier.event(canary, e);
      if (e.severity().equals("Warning")) {
        LOG.warn("canary {}: {}", key, e.message());
      } else {
        LOG.info("canary {}: {}", key, e.message());
      }
    }
    problemEvent(key, canary, plan);
    if (!plan.alerts().isEmpty()) {
      // alerts describe the phase and revision this tick leads to
      Canary alerted = new Canary();
      alerted.setMetadata(canary.getMetadata());
      alerted.setSpec(canary.getSpec());
      alerted.setStatus(plan.status());
      plan.alerts().forEach(a -> notifier.alert(alerted, a));
    }
    metrics.setStatus(target, ns, after);
    int canaryWeight = plan.status().canaryWeightOrZero();
    metrics.setWeights(target, ns, 100 - canaryWeight, canaryWeight);
    for (CheckResult.MetricReading r : plan.readings()) {
      if (!Double.isNaN(r.value())) {
        metrics.setMetricValue(target, ns, r.metric(), "ms".equals(r.unit()) ? r.value() / 1000.0 : r.value());
      }
    }
    if (analysed) {
      metrics.observeTick(target, ns, Duration.between(start, now));
    }
    if (plan.completion() != null) {
      CanaryPlan.Completion c = plan.completion();
      metrics.countCompletion(target, ns, c.succeeded(), c.strategy().label(), c.analysisStatus());
      Instant began = releaseStart.remove(key);
      if (began != null) {
        metrics.observeRollout(target, ns, c.succeeded(), Duration.between(began, now));
      }
    }
    LOG.debug("canary {}: reconciled in {} ms, {} writes, phase {}", key, Duration.between(start, now).toMillis(),
        writes, after);
  }

  /** Bad input: one Warning Event and log line when the problem appears or changes, not on every reconcile. */
  private void problemEvent(String key, Canary canary, CanaryPlan plan) {
    Condition now = Condition.find(plan.status().conditions, Condition.STALLED).orElse(null);
    if (now == null || "Failed".equals(now.reason)) {
      return;
    }
    Condition before = canary.getStatus() == null ? null
        : Condition.find(canary.getStatus().conditions, Condition.STALLED).orElse(null);
    if (before != null && Objects.equals(before.message, now.message)) {
      return;
    }
    LOG.warn("canary {}: {}: {}", key, now.reason, now.message);
    events.record(canary, EventRecorder.WARNING, CanaryDecider.REASON_SYNCED, now.message);
  }

  /** In-flight canaries come back at their next tick; idle ones only when something they watch changes. */
  private Outcome next(String key, CanaryPlan plan, Duration interval) {
    CanaryPhase phase = plan.status().phaseOrNew();
    Duration wait = plan.requeueAfter();
    boolean ticking = phase.inFlight() || phase == CanaryPhase.WAITING || phase == CanaryPhase.INITIALIZING
        || phase == CanaryPhase.TERMINATING;
    if (ticking) {
      Instant due = lastTick.getOrDefault(key, Instant.EPOCH).plus(interval);
      Duration untilTick = Duration.between(clock.instant(), due);
      if (untilTick.compareTo(MIN_REQUEUE) < 0) {
        untilTick = MIN_REQUEUE;
      }
      wait = wait == null || untilTick.compareTo(wait) < 0 ? untilTick : wait;
    }
    return wait == null ? Outcome.DONE : Outcome.after(wait);
  }

  /** After a restart: the last status write of an in-flight canary marks its last analysis step. */
  private Instant restoredTick(Canary canary) {
    CanaryStatus st = canary.getStatus();
    if (st == null || st.lastTransitionTime == null || !(st.phaseOrNew().inFlight()
        || st.phaseOrNew() == CanaryPhase.WAITING)) {
      return Instant.EPOCH;
    }
    try {
      return Instant.parse(st.lastTransitionTime);
    } catch (RuntimeException e) {
      return Instant.EPOCH;
    }
  }

  private void forget(String key, String namespace) {
    lastTick.remove(key);
    releaseStart.remove(key);
    lastEvent.remove(key);
    expectations.remove(key);
    refusedRequests.removeIf(r -> r.startsWith(key + "\n"));
  }

  /** Drops the metric series of a deleted canary. */
  public void forgetMetrics(String target, String namespace) {
    metrics.forget(target, namespace);
  }
}
