package dev.bunting.canary;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryAlert;
import dev.bunting.api.CanaryAnalysis;
import dev.bunting.api.CanaryMetric;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.CanaryStatus;
import dev.bunting.api.Condition;
import dev.bunting.kube.EventRecorder;
import dev.bunting.kube.ResourceVersions;
import dev.bunting.kube.StatusWriter;
import dev.bunting.kube.WorkQueue.Outcome;
import dev.bunting.logging.ObjectLog;
import dev.bunting.metrics.FlaggerMetrics;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
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
  /** What a change of progress detail alone changes in the status ({@link #holdsDetail}). */
  static final Set<String> DETAIL = Set.of("conditions[Ready].message", "conditions[Ready].lastUpdateTime",
      "conditions[Reconciling].message", "conditions[Reconciling].lastUpdateTime");
  /**
   * The soonest an in-flight canary comes back for its tick. Small: a canary that looked just before its tick (a wake)
   * must not take it a second late, as a floor of 1 s made a fifth of the ticks of 1,000 canaries.
   */
  static final Duration MIN_REQUEUE = Duration.ofMillis(10);
  /**
   * How early a reconcile may start and still take its tick: timers count in milliseconds and on another clock than
   * the wall clock the interval is measured with, so one can fire a fraction of a millisecond before the tick.
   */
  static final Duration TICK_EARLY = Duration.ofMillis(5);
  /** How old a status may get before a tick writes a change of progress detail alone ({@link #holdsDetail}). */
  static final Duration DETAIL_REFRESH = Duration.ofMinutes(1);

  private final StatusWriter statusWriter;
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
  /** Canaries whose status this controller wrote since it started (a first change of detail is not held). */
  private final Set<String> statusWritten = ConcurrentHashMap.newKeySet();
  /**
   * When each ticking canary asked to come back for its next tick: the earliest such request since its last due tick,
   * as the work queue keeps the earliest (for the tick lateness histogram).
   */
  private final Map<String, Instant> scheduledTicks = new ConcurrentHashMap<>();
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
  /** A tick later than this is logged at debug level. */
  private static final Duration LATE_TICK = Duration.ofSeconds(1);
  private static final Duration MAX_CATCH_UP = Duration.ofSeconds(5);

  /** Objects written by a reconcile ({@code kind/ns/name} → resourceVersion) and when. */
  private record Expectation(Map<String, String> versions, Instant at) {}

  public CanaryReconciler(StatusWriter statusWriter, ActionRecordCheck actionRecords, CanaryCaches caches,
      CanaryObserver observer, CanaryDecider decider, CanaryChecks checks, CanaryEffects effects, CanaryNotifier notifier,
      EventRecorder events, FlaggerMetrics metrics, Clock clock) {
    this.statusWriter = statusWriter;
    this.actionRecords = actionRecords;
    this.caches = caches;
    this.observer = observer;
    this.decider = decider;
    this.checks = checks;
    this.effects = effects;
    this.notifier = notifier;
    this.events = events;
    this.metrics = metrics;
    this.clock = clock;
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
    if (!cachesCaughtUp(key, start) || !configsWatched(canary)) {
      if (LOG.isDebugEnabled()) {
        log(key, null).debug("waiting for the caches (our writes: {}; due tick: {})", expectations.get(key),
            scheduledTicks.get(key));
      }
      return Future.succeededFuture(Outcome.after(CACHE_CATCH_UP));
    }
    Duration interval = canary.getSpec().effectiveAnalysis().intervalDuration();
    Instant last = lastTick.computeIfAbsent(key, k -> restoredTick(canary));
    boolean tickDue = !start.isBefore(last.plus(interval).minus(TICK_EARLY));
    if (tickDue) {
      Instant scheduled = scheduledTicks.remove(key);
      if (scheduled != null && !start.isBefore(scheduled.minus(TICK_EARLY))) {
        // how late the tick starts against the time its requeue asked for (timers, queue slots): should stay near 0
        Duration late = start.isBefore(scheduled) ? Duration.ZERO : Duration.between(scheduled, start);
        metrics.observeTickLateness(late);
        if (late.compareTo(LATE_TICK) > 0 && LOG.isDebugEnabled()) {
          log(key, canary.getStatus() == null ? null : canary.getStatus().phase).debug(
              "analysis tick started {} ms late (due at {}, last tick {})", late.toMillis(), scheduled, last);
        }
      }
    }
    Observation obs = observer.observe(canary, start, tickDue);
    Map<CheckKind, CheckResult> results = new EnumMap<>(CheckKind.class);
    return deciderFor(key, canary)
        .compose(d -> decideWithChecks(d, obs, results))
        .compose(plan -> effects.execute(obs, plan)
            .compose(applied -> writeStatus(key, canary, applied.canary(), plan, start, tickDue).map(written -> {
              Map<String, String> versions = new java.util.HashMap<>(applied.written());
              if (written != null) {
                versions.put(CanaryEffects.writtenKey("Canary", written.getMetadata().getNamespace(),
                    written.getMetadata().getName()), written.getMetadata().getResourceVersion());
              }
              if (!versions.isEmpty()) {
                expectations.put(key, new Expectation(versions, clock.instant()));
              }
              finish(key, obs, plan, start, versions.size(), results.containsKey(CheckKind.ANALYSIS));
              return next(key, plan, interval, tickDue);
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
   * stale cache could repeat a step; it waits instead, at most {@link #MAX_CATCH_UP} after the writes.
   */
  private boolean cachesCaughtUp(String key, Instant now) {
    Expectation e = expectations.get(key);
    if (e == null) {
      return true;
    }
    Optional<String> behind = behind(e.versions(), caches::resourceVersion);
    if (behind.isPresent() && Duration.between(e.at(), now).compareTo(MAX_CATCH_UP) <= 0) {
      return false;
    }
    behind.ifPresent(w -> log(key, null).warn("caches did not show our last writes after {}s ({} still older); "
        + "continuing", MAX_CATCH_UP.toSeconds(), w));
    expectations.remove(key);
    return true;
  }

  /**
   * The first of {@code written} (kind/namespace/name to the resource version written) that the caches do not show
   * yet, if any; {@code cached} gives a cache's version of an object. A reconcile that comes long after its writes
   * (a long queue) thus finds them shown rather than timed out.
   */
  static Optional<String> behind(Map<String, String> written, CachedVersion cached) {
    for (Map.Entry<String, String> w : written.entrySet()) {
      String[] k = w.getKey().split("/", 3);
      if (!cached.of(k[0], k[1], k[2]).map(rv -> atLeast(rv, w.getValue())).orElse(false)) {
        return Optional.of(w.getKey());
      }
    }
    return Optional.empty();
  }

  /** The resource version a cache holds of an object. */
  @FunctionalInterface
  interface CachedVersion {
    Optional<String> of(String kind, String namespace, String name);
  }

  /**
   * Secrets and ConfigMaps are watched only in the namespaces canaries read them from (their own, and those of the
   * MetricTemplates and AlertProviders they use), not cluster-wide: a canary waits until those are loaded, so that a
   * config it tracks is never missing from a half-loaded cache (that would look like a new revision).
   */
  private boolean configsWatched(Canary canary) {
    Set<String> namespaces = configNamespaces(canary);
    boolean secrets = caches.secrets().watchNamespaces(namespaces);
    boolean configMaps = caches.configMaps().watchNamespaces(namespaces);
    return secrets && configMaps;
  }

  static Set<String> configNamespaces(Canary canary) {
    String ns = canary.getMetadata().getNamespace();
    Set<String> out = new TreeSet<>();
    out.add(ns);
    CanaryAnalysis analysis = canary.getSpec() == null ? null : canary.getSpec().effectiveAnalysis();
    if (analysis != null && analysis.metrics != null) {
      for (CanaryMetric m : analysis.metrics) {
        if (m.templateRef != null && m.templateRef.name != null) {
          out.add(m.templateRef.namespaceOr(ns));
        }
      }
    }
    if (analysis != null && analysis.alerts != null) {
      for (CanaryAlert a : analysis.alerts) {
        if (a.providerRef != null && a.providerRef.name != null) {
          out.add(a.providerRef.namespaceOr(ns));
        }
      }
    }
    return out;
  }

  /** After a canary is gone: stop watching Secrets and ConfigMaps of namespaces no canary reads them from. */
  private void releaseConfigNamespaces() {
    Set<String> needed = new HashSet<>();
    caches.canaries().list(null).forEach(c -> needed.addAll(configNamespaces(c)));
    caches.secrets().retainNamespaces(needed);
    caches.configMaps().retainNamespaces(needed);
  }

  /** See {@link ResourceVersions#atLeast}. */
  static boolean atLeast(String cached, String written) {
    return ResourceVersions.atLeast(cached, written);
  }

  /**
   * Writes the status subresource once, only when something other than timestamps changed, and not for a change of
   * progress detail alone between ticks ({@link #holdsDetail}); null when not written.
   */
  private Future<Canary> writeStatus(String key, Canary observed, Canary current, CanaryPlan plan, Instant now,
      boolean tick) {
    CanaryStatus before = observed.getStatus();
    CanaryStatus after = plan.status();
    List<String> changes = changes(before, after);
    if (changes.isEmpty()) {
      return Future.succeededFuture(null);
    }
    if (holdsDetail(changes, after.phaseOrNew(), statusWritten.contains(key), tick, shownFor(before, now))) {
      if (LOG.isDebugEnabled()) {
        LOG.debug("{}: holding a change of progress detail: {}", key, String.join(", ", changes));
      }
      return Future.succeededFuture(null);
    }
    if (observed.getMetadata().getDeletionTimestamp() != null
        && plan.actions().stream().anyMatch(a -> a instanceof CanaryAction.RemoveFinalizer)) {
      return Future.succeededFuture(null); // the object is going away
    }
    after.lastTransitionTime = DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
    logTransition(key, before, after);
    if (LOG.isDebugEnabled()) {
      LOG.debug("{}: writing status, changed: {}", key, String.join(", ", changes));
    }
    return statusWriter.write(current, after).onSuccess(stored -> {
      if (stored != null) {
        statusWritten.add(key);
      }
      actionRecords.written(after, stored);
    });
  }

  /**
   * Whether a status change is held back: when all it changes is the progress message of the Ready and Reconciling
   * conditions ({@link #DETAIL}: replica counts of a rollout, "at the next tick" notes), the canary is in a phase that
   * ticks, this controller has written the canary's status since it started, and either this reconcile is not a tick
   * or the status was written less than {@link #DETAIL_REFRESH} ago ({@code shownFor}). Such messages change with
   * every event of a rollout; the next write of anything else (an analysis step, a transition) carries the latest one
   * with it, and a wait that outlasts the refresh period has it written at its next tick. So a release costs a write
   * per step, not more while the primary or the canary rolls out, and the message a long wait shows is at most about
   * a minute (or one interval, if longer) behind.
   */
  static boolean holdsDetail(List<String> changes, CanaryPhase phase, boolean writtenBefore, boolean tick,
      Duration shownFor) {
    return writtenBefore && ticking(phase) && DETAIL.containsAll(changes)
        && (!tick || shownFor.compareTo(DETAIL_REFRESH) < 0);
  }

  /**
   * How long ago the status was last written ({@code lastTransitionTime}, set by every write); "forever" when unknown,
   * unreadable or in the future (another clock), so that nothing is held on its account.
   */
  static Duration shownFor(CanaryStatus status, Instant now) {
    Duration forever = ChronoUnit.FOREVER.getDuration();
    try {
      Duration d = status == null || status.lastTransitionTime == null ? forever
          : Duration.between(Instant.parse(status.lastTransitionTime), now);
      return d.isNegative() ? forever : d;
    } catch (RuntimeException e) {
      return forever;
    }
  }

  private static void logTransition(String key, CanaryStatus before, CanaryStatus after) {
    CanaryPhase from = before == null ? CanaryPhase.NEW : before.phaseOrNew();
    int fromWeight = before == null ? 0 : before.canaryWeightOrZero();
    if (from != after.phaseOrNew() || fromWeight != after.canaryWeightOrZero()) {
      log(key, after.phaseOrNew()).info("{} weight {} -> {} weight {} (failed checks {}, iterations {})", from,
          fromWeight, after.phaseOrNew(), after.canaryWeightOrZero(), after.failedChecksOrZero(),
          after.iterationsOrZero());
    }
  }

  static boolean changed(CanaryStatus before, CanaryStatus after) {
    return !changes(before, after).isEmpty();
  }

  /** What a status write would change: everything but the time of the last transition (see {@link StatusWriter}). */
  static List<String> changes(CanaryStatus before, CanaryStatus after) {
    return StatusWriter.changes(before, after, "lastTransitionTime");
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
      metrics.rolloutStarted(target, ns);
    }
    Canary withGit = withGitRevision(canary, plan.status().gitRevision);
    for (CanaryPlan.Note e : plan.events()) {
      if (!plan.tickConsumed() && e.message().equals(lastEvent.get(key))) {
        continue;
      }
      lastEvent.put(key, e.message());
      events.record(canary, e.severity(), CanaryDecider.REASON_SYNCED, e.message());
      notifier.event(withGit, e);
      if (e.severity().equals("Warning")) {
        log(key, after).warn(e.message());
      } else {
        log(key, after).info(e.message());
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
    metrics.setGitRevision(target, ns, plan.status().gitRevision);
    int canaryWeight = plan.status().canaryWeightOrZero();
    metrics.setWeights(target, ns, 100 - canaryWeight, canaryWeight);
    metrics.setThresholds(target, ns, MetricThresholds.of(canary));
    metrics.setProgress(target, ns, after, plan.status().failedChecksOrZero(),
        canary.getSpec().effectiveAnalysis().thresholdOrDefault(), transitionTime(plan.status(), canary.getStatus()));
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
    log(key, after).debug("reconciled in {} ms, {} writes", Duration.between(start, now).toMillis(), writes);
  }

  /** {@code status.lastTransitionTime} as written now, else as it was; null when there is none. */
  private static Instant transitionTime(CanaryStatus now, CanaryStatus before) {
    String t = now.lastTransitionTime != null ? now.lastTransitionTime
        : before == null ? null : before.lastTransitionTime;
    try {
      return t == null ? null : Instant.parse(t);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * {@code canary} as observed, but with the Git commit of this reconcile's status: Event webhooks report the phase
   * the canary had (as Flagger does) and the commit of the revision the Event is about.
   */
  private static Canary withGitRevision(Canary canary, dev.bunting.api.CanaryGitRevision git) {
    CanaryStatus observed = canary.getStatus();
    if (java.util.Objects.equals(observed == null ? null : observed.gitRevision, git)) {
      return canary;
    }
    Canary copy = new Canary();
    copy.setMetadata(canary.getMetadata());
    copy.setSpec(canary.getSpec());
    CanaryStatus status = observed == null ? new CanaryStatus()
        : io.fabric8.kubernetes.client.utils.Serialization.clone(observed);
    status.gitRevision = git;
    copy.setStatus(status);
    return copy;
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
    log(key, plan.status().phaseOrNew()).warn("{}: {}", now.reason, now.message);
    events.record(canary, EventRecorder.WARNING, CanaryDecider.REASON_SYNCED, now.message);
  }

  /** The fields of a canary's log lines: kind, namespace, name, and the phase when known. */
  private static ObjectLog log(String key, CanaryPhase phase) {
    return ObjectLog.of(LOG, "Canary", key).with("phase", phase);
  }

  /** Phases in which a canary comes back at every analysis interval. */
  private static boolean ticking(CanaryPhase phase) {
    return phase.inFlight() || phase == CanaryPhase.WAITING || phase == CanaryPhase.INITIALIZING
        || phase == CanaryPhase.TERMINATING;
  }

  /**
   * In-flight canaries come back at their next tick; idle ones only when something they watch changes. A tick that was
   * due and not taken waits for something (a rollout, the primary): the canary comes back an interval later, as
   * Flagger checks at every interval, or sooner when a change of what it waits for (a workload's status) enqueues it.
   */
  private Outcome next(String key, CanaryPlan plan, Duration interval, boolean tickDue) {
    CanaryPhase phase = plan.status().phaseOrNew();
    Duration wait = plan.requeueAfter();
    if (ticking(phase)) {
      Instant now = clock.instant();
      Duration untilTick = untilNextTick(now, lastTick.getOrDefault(key, Instant.EPOCH), interval, tickDue,
          plan.tickConsumed());
      scheduledTicks.merge(key, now.plus(untilTick), (a, b) -> a.isBefore(b) ? a : b);
      wait = wait == null || untilTick.compareTo(wait) < 0 ? untilTick : wait;
    } else {
      scheduledTicks.remove(key);
    }
    return wait == null ? Outcome.DONE : Outcome.after(wait);
  }

  /**
   * When an in-flight canary next looks again: at its next tick (at least {@link #MIN_REQUEUE} from now); a whole
   * interval from now when its tick was due in this reconcile and not taken (it waits for a rollout).
   */
  static Duration untilNextTick(Instant now, Instant lastTick, Duration interval, boolean tickDue,
      boolean tickConsumed) {
    Duration untilTick = tickDue && !tickConsumed ? interval : Duration.between(now, lastTick.plus(interval));
    return untilTick.compareTo(MIN_REQUEUE) < 0 ? MIN_REQUEUE : untilTick;
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
    statusWritten.remove(key);
    scheduledTicks.remove(key);
    releaseStart.remove(key);
    lastEvent.remove(key);
    expectations.remove(key);
    releaseConfigNamespaces();
    refusedRequests.removeIf(r -> r.startsWith(key + "\n"));
  }

  /** Drops the metric series of a deleted canary. */
  public void forgetMetrics(String target, String namespace) {
    metrics.forget(target, namespace);
  }
}
