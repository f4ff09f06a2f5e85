package dev.bunting.gitops;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryStatus;
import dev.bunting.api.Condition;
import dev.bunting.api.GitSync;
import dev.bunting.api.GitSyncRelease;
import dev.bunting.api.GitSyncSpec;
import dev.bunting.gitops.GitSyncDecider.DeletionPlan;
import dev.bunting.gitops.GitSyncPlan.Note;
import dev.bunting.gitops.GitSyncState.Waiting;
import dev.bunting.gitops.SyncResult.Applied;
import dev.bunting.gitops.SyncResult.Failed;
import dev.bunting.kube.BlockingPool;
import dev.bunting.kube.EventRecorder;
import dev.bunting.kube.ResourceCache;
import dev.bunting.kube.StatusWriter;
import dev.bunting.kube.WorkQueue.Outcome;
import dev.bunting.logging.ObjectLog;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One reconcile of one GitSync, as orchestration: observe (the GitSync from the cache, its {@link GitSyncState}) →
 * ask the {@link GitSyncDecider} what to do → act (resolve the ref, fetch and render, apply, read health: each step on
 * the GitSync worker pool) → ask the decider for the plan → write the status once (only when it changed, through the
 * {@link StatusWriter}), then Events, metrics and log lines. Deleted GitSyncs go through their finalizer the same way.
 */
final class GitSyncReconciler {
  private static final Logger LOG = LoggerFactory.getLogger(GitSyncReconciler.class);
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private static final Duration CACHE_CATCH_UP = Duration.ofMillis(200);
  private static final Duration MAX_CATCH_UP = Duration.ofSeconds(5);

  private final KubernetesClient client;
  private final BlockingPool pool;
  private final Clock clock;
  private final ResourceCache<GitSync> gitSyncs;
  private final GitSource git;
  private final ApplyPipeline pipeline;
  private final ManagedObjects live;
  private final GitSyncDecider decider;
  private final StatusWriter statusWriter;
  private final EventRecorder events;
  private final GitSyncMetrics metrics;
  private final Function<String, KubernetesClient> impersonated;
  private final Function<String, List<Canary>> canaries;
  private final Map<String, GitSyncState> states = new ConcurrentHashMap<>();

  GitSyncReconciler(KubernetesClient client, BlockingPool pool, Clock clock, ResourceCache<GitSync> gitSyncs,
      GitSource git, ApplyPipeline pipeline, ManagedObjects live, GitSyncDecider decider, StatusWriter statusWriter,
      EventRecorder events, GitSyncMetrics metrics, Function<String, KubernetesClient> impersonated,
      Function<String, List<Canary>> canaries) {
    this.client = client;
    this.pool = pool;
    this.clock = clock;
    this.gitSyncs = gitSyncs;
    this.git = git;
    this.pipeline = pipeline;
    this.live = live;
    this.decider = decider;
    this.statusWriter = statusWriter;
    this.events = events;
    this.metrics = metrics;
    this.impersonated = impersonated;
    this.canaries = canaries;
  }

  /** The memory of {@code key} (created on first use). */
  GitSyncState state(String key) {
    return states.computeIfAbsent(key, k -> new GitSyncState());
  }

  /** What {@code key} waits for now. */
  Waiting waiting(String key) {
    GitSyncState st = states.get(key);
    return st == null ? Waiting.NOTHING : st.waiting;
  }

  /** GitSyncs waiting for {@code namespace/name} to become ready (to sync again when it changes). */
  List<String> waitingFor(String namespace, String name) {
    List<String> out = new ArrayList<>();
    states.forEach((key, st) -> {
      if (st.waiting == Waiting.DEPENDENCY) {
        int slash = key.indexOf('/');
        gitSyncs.get(key.substring(0, slash), key.substring(slash + 1))
            .filter(g -> GitSyncDecider.dependsOn(g, namespace, name)).ifPresent(g -> out.add(key));
      }
    });
    return out;
  }

  Future<Outcome> reconcile(String key) {
    int slash = key.indexOf('/');
    String ns = key.substring(0, slash);
    String name = key.substring(slash + 1);
    Optional<GitSync> found = gitSyncs.get(ns, name);
    if (found.isEmpty()) {
      forget(key);
      return Future.succeededFuture(Outcome.DONE);
    }
    GitSync gs = found.get();
    GitSyncState st = state(key);
    if (!st.cacheShowsWrites(gs.getMetadata().getResourceVersion(), clock.instant(), MAX_CATCH_UP)) {
      return Future.succeededFuture(Outcome.after(CACHE_CATCH_UP));
    }
    ObjectLog log = ObjectLog.of(LOG, GitSync.KIND, ns, name);
    if (gs.getMetadata().getDeletionTimestamp() != null) {
      return finalizeDeletion(gs, key, log);
    }
    return ensureFinalizer(gs, st, log).compose(g -> sync(g, st, log));
  }

  private Future<Outcome> sync(GitSync gs, GitSyncState st, ObjectLog log) {
    long started = System.nanoTime();
    st.releases = null;
    Instant now = clock.instant();
    Instant settledUntil = st.settledUntil;
    boolean settled = settledUntil != null && now.isBefore(settledUntil);
    switch (decider.mode(gs, st.takeRequest(), st.last, st.waiting, settled)) {
      case UP_TO_DATE -> {
        log.debug("an object changed after the last sync found all ready; next sync as planned");
        return Future.succeededFuture(Outcome.after(Duration.between(now, settledUntil)));
      }
      case SUSPENDED -> {
        st.waiting = Waiting.NOTHING;
        log.debug("suspended");
        return Future.succeededFuture(Outcome.DONE);
      }
      case INVALID -> {
        return act(gs, st, log, new SyncResult.Invalid(GitSyncDecider.validate(GitSyncDecider.spec(gs))), started);
      }
      case HEALTH_CHECK -> {
        GitSyncState.LastSync last = st.last;
        SyncOutcome quiet = last.outcome().unchangedSince();
        return pool.run(() -> live.health(quiet.inventory(), quiet.skippedKeys()))
            .compose(h -> act(gs, st, log, new Applied(last.revision(), quiet, h, true), started));
      }
      default -> {
        return fullSync(gs, st, log).compose(result -> act(gs, st, log, result, started));
      }
    }
  }

  /** Git, dependencies, apply, health: what happened, failures included. */
  private Future<SyncResult> fullSync(GitSync gs, GitSyncState st, ObjectLog log) {
    st.lastFullSync = clock.instant();
    return fullSync(gs, st, log, gs.getStatus() == null ? null : gs.getStatus().releases, true);
  }

  /**
   * @param releases the GitSync's releases as known now (its status, or what a revert of this reconcile changed)
   * @param mayRevert whether a revert may be pushed (once per reconcile: after one, the sync starts over on the new
   *     head, which carries it)
   */
  private Future<SyncResult> fullSync(GitSync gs, GitSyncState st, ObjectLog log, List<GitSyncRelease> releases,
      boolean mayRevert) {
    GitSyncSpec spec = GitSyncDecider.spec(gs);
    String ns = gs.getMetadata().getNamespace();
    String name = gs.getMetadata().getName();
    return pool.run(() -> git.resolve(gs)).compose(source -> {
      GitRevision rev = source.revision();
      Optional<Failed> notReady = GitSyncDecider.dependenciesNotReady(gs, rev, gitSyncs::get);
      if (notReady.isPresent()) {
        return Future.<SyncResult>succeededFuture(notReady.get());
      }
      ObjectLog revLog = log.with("revision", rev);
      return pool.run(() -> git.manifests(gs, source, st, revLog))
          .compose(rendered -> pool.run(() -> canaryTargets(gs, st, source, rendered, releases, mayRevert, revLog)))
          .compose(targets -> {
            if (targets == null) {
              // a revert was pushed: sync again from the new head, which carries it
              return fullSync(gs, st, log, st.releases, false);
            }
            return pipeline.run(new ApplyPipeline.Request(revLog, ns, name, applyClient(gs, spec), targets,
                GitSyncDecider.inventory(gs), spec.pruneEnabled(), spec.allowEmptyEnabled(), spec.forceEnabled(),
                st.memo, w -> st.waiting = w ? Waiting.APPLY : Waiting.NOTHING))
                .compose(outcome -> {
                  if (!outcome.complete()) {
                    return Future.<SyncResult>succeededFuture(new Applied(rev, outcome, Map.of(), false));
                  }
                  // from here on, a change of one of its objects must wake it (even one that lands during the read)
                  st.waiting = Waiting.HEALTH;
                  return pool.run(() -> live.health(outcome.inventory(), outcome.skippedKeys()))
                      .map(h -> (SyncResult) new Applied(rev, outcome, h, false));
                });
          })
          .recover(e -> Future.succeededFuture(Failed.of(rev, e)));
    }).recover(e -> Future.succeededFuture(Failed.of(null, e)));
  }

  /**
   * The Canary targets among the rendered objects (blocking): their releases (kept in {@code st.releases} for the
   * status), the annotations saying which revision last changed them, and {@code spec.rollback}: the content of the
   * last good revision for a held target, or a revert commit pushed first. Returns the manifests to apply, or null
   * when a revert was pushed (the sync then starts over on the new head).
   */
  private List<Manifest> canaryTargets(GitSync gs, GitSyncState st, GitSource.Resolved source, List<Manifest> rendered,
      List<GitSyncRelease> releases, boolean mayRevert, ObjectLog log) throws GitException {
    GitRevision rev = source.revision();
    GitSyncDecider.ReleasePlan plan = GitSyncDecider.releases(gs, releases, rev, git.subject(gs, source), rendered,
        this::canaryOf);
    st.releases = plan.releases();
    GitSyncDecider.RevertRequest req = plan.revert();
    if (req != null && mayRevert) {
      try {
        GitWriter.Result r = git.revert(gs, source, req, clock.instant());
        st.releases = GitSyncDecider.reverted(plan.releases(), req, r.commit(), r.head());
        log.to(LOG).info("reverted {} to {} in {}{}", req.target(), req.previous().shortString(),
            r.pushed() ? r.commit() : "(the branch already had it)", r.rebuilt() ? " after a concurrent push" : "");
        return null;
      } catch (GitException e) {
        st.releases = GitSyncDecider.revertFailed(plan.releases(), req, e.reason(), e.getMessage(), rev.sha());
      }
    }
    if (plan.stamps().isEmpty()) {
      return rendered;
    }
    List<Manifest> out = new ArrayList<>(rendered.size());
    for (Manifest m : rendered) {
      GitSyncDecider.Stamp stamp = plan.stamps().get(m.key().inventoryId());
      if (stamp == null) {
        out.add(m);
        continue;
      }
      Manifest content = m;
      GitRevision held = plan.holds().get(m.key().inventoryId());
      if (held != null) {
        Optional<Manifest> before = git.objectAt(gs, source.credentials(), held, m.key());
        if (before.isPresent()) {
          content = new Manifest(m.file(), m.document(), before.get().object());
        } else {
          log.to(LOG).warn("cannot hold {} at {}: that revision does not have it; applying it as it is", m.key(),
              held.shortString());
        }
      }
      out.add(stamped(content, stamp));
    }
    return out;
  }

  /** {@code m} with the annotations saying which revision last changed it (the rendered object is not changed). */
  static Manifest stamped(Manifest m, GitSyncDecider.Stamp stamp) {
    io.fabric8.kubernetes.api.model.GenericKubernetesResource copy = JSON.clone(m.object());
    Map<String, String> annotations = copy.getMetadata().getAnnotations() == null ? new java.util.LinkedHashMap<>()
        : new java.util.LinkedHashMap<>(copy.getMetadata().getAnnotations());
    annotations.put(GitSync.REVISION_ANNOTATION, stamp.revision());
    if (stamp.subject() != null && !stamp.subject().isEmpty()) {
      annotations.put(GitSync.SUBJECT_ANNOTATION, stamp.subject());
    }
    copy.getMetadata().setAnnotations(annotations);
    return new Manifest(m.file(), m.document(), copy);
  }

  /** The Canary whose target {@code key} is, from the Canary cache. */
  private Optional<GitSyncDecider.CanaryView> canaryOf(ObjectKey key) {
    for (Canary c : canaries.apply(key.namespace())) {
      if (c.getSpec() != null && c.getSpec().targetRef != null && key.name().equals(c.getSpec().targetRef.name)
          && key.kind().equals(c.getSpec().targetRef.kind == null ? "Deployment" : c.getSpec().targetRef.kind)) {
        CanaryStatus cs = c.getStatus();
        String phase = cs == null || cs.phase == null ? null : cs.phase.wire();
        String revision = cs == null || cs.gitRevision == null ? null : cs.gitRevision.revision;
        String failure = cs == null ? null : Condition.find(cs.conditions, Condition.READY).map(r -> r.message)
            .orElse(null);
        return Optional.of(new GitSyncDecider.CanaryView(c.getMetadata().getName(), phase, revision, failure));
      }
    }
    return Optional.empty();
  }

  /** Asks the decider for the plan of {@code result} and carries it out. */
  private Future<Outcome> act(GitSync gs, GitSyncState st, ObjectLog log, SyncResult result, long started) {
    GitSyncPlan plan = decider.decide(new GitSyncDecider.Snapshot(gs, clock.instant(), st.healthClock,
        st.lastFullSync, st.lastWaitingLog, ThreadLocalRandom.current().nextDouble(), st.releases), result);
    st.releases = null;
    st.waiting = plan.waiting();
    st.healthClock = plan.healthClock();
    st.lastWaitingLog = plan.waitingLog();
    st.request(plan.nextWake());
    st.settledUntil = plan.waiting() == Waiting.NOTHING && !plan.retry() && "success".equals(plan.result())
        && plan.requeueAfter() != null ? clock.instant().plus(plan.requeueAfter()) : null;
    String ns = gs.getMetadata().getNamespace();
    String name = gs.getMetadata().getName();
    ObjectLog revLog = log;
    if (result instanceof Applied a) {
      st.last = new GitSyncState.LastSync(a.revision(), gs.getMetadata().getGeneration(), a.outcome());
      metrics.objectsApplied.labelValues(ns, name, "created").inc(a.outcome().created());
      metrics.objectsApplied.labelValues(ns, name, "configured").inc(a.outcome().configured());
      metrics.objectsPruned.labelValues(ns, name).inc(a.outcome().pruned());
      revLog = log.with("revision", a.revision());
    } else if (result instanceof Failed f && f.revision() != null) {
      revLog = log.with("revision", f.revision());
    }
    if (plan.errorReason() != null) {
      metrics.errors.labelValues(ns, name, plan.errorReason()).inc();
    }
    Condition.find(plan.status().conditions, Condition.READY).filter(c -> !"Unknown".equals(c.status))
        .ifPresent(c -> metrics.ready.labelValues(ns, name).set(c.isTrue() ? 1 : 0));
    if (plan.revisionReady()) {
      metrics.lastApplied.labelValues(ns, name).set(clock.millis() / 1000.0);
    }
    if (plan.status().lastAppliedRevision != null) {
      metrics.revision(ns, name, plan.status().lastAppliedRevision);
    }
    if (plan.result() != null) {
      metrics.syncDuration.labelValues(ns, name, plan.result()).observe((System.nanoTime() - started) / 1e9);
    }
    log(revLog, plan.logs());
    boolean changed = StatusWriter.changed(gs.getStatus(), plan.status());
    Future<GitSync> written = changed ? statusWriter.write(gs, plan.status()).onSuccess(w -> remember(st, w))
        : Future.succeededFuture(gs);
    return written.compose(v -> {
      plan.events().forEach(e -> events.record(gs, e.severity(), e.reason(), e.message()));
      if (plan.retry()) {
        return Future.failedFuture(new RetryableSyncError(plan.retryMessage()));
      }
      return Future.succeededFuture(plan.requeueAfter() == null ? Outcome.DONE : Outcome.after(plan.requeueAfter()));
    });
  }

  private void remember(GitSyncState st, GitSync written) {
    if (written != null) {
      st.wrote(written.getMetadata().getResourceVersion(), clock.instant());
    }
  }

  private static void log(ObjectLog log, List<Note> lines) {
    for (Note n : lines) {
      log.at(GitSyncDecider.WARN.equals(n.severity()) ? Level.WARN : Level.INFO).log(n.message());
    }
  }

  /**
   * The first sight of a GitSync adds {@link GitSync#FINALIZER}, to hold it until its deletion policy has been carried
   * out. A conflict (stale cache) is retried; any other refusal (no RBAC right to update GitSyncs, an admission
   * policy) must not stop Git sync: the GitSync syncs without it, and a Warning Event (once per message) says that
   * deleting it will leave its objects in place.
   */
  private Future<GitSync> ensureFinalizer(GitSync gs, GitSyncState st, ObjectLog log) {
    if (hasFinalizer(gs)) {
      st.finalizerWarning = null;
      return Future.succeededFuture(gs);
    }
    return pool.run(() -> updateFinalizers(gs, true)).onSuccess(w -> remember(st, w)).recover(e -> {
      if (e instanceof KubernetesClientException k && k.getCode() == 409) {
        return Future.failedFuture(e);
      }
      String why = e instanceof KubernetesClientException k ? ApplyPipeline.serverMessage(k) : String.valueOf(e);
      String msg = "cannot add finalizer " + GitSync.FINALIZER + " (" + why + "); syncing without it: deleting this"
          + " GitSync will leave its objects in place whatever spec.deletionPolicy says";
      if (!msg.equals(st.finalizerWarning)) {
        st.finalizerWarning = msg;
        log.warn(msg);
        events.record(gs, EventRecorder.WARNING, GitSyncDecider.FINALIZER_FAILED, msg);
      }
      return Future.succeededFuture(gs);
    });
  }

  /**
   * A deleted GitSync (held by {@link GitSync#FINALIZER}): delete its inventory as {@code spec.deletionPolicy} says,
   * then release it. Nothing here depends on memory, so a restart midway picks up where it stopped.
   */
  private Future<Outcome> finalizeDeletion(GitSync gs, String key, ObjectLog log) {
    if (!hasFinalizer(gs)) {
      forget(key);
      return Future.succeededFuture(Outcome.DONE);
    }
    GitSyncSpec spec = GitSyncDecider.spec(gs);
    List<ObjectKey> inventory = GitSyncDecider.inventory(gs);
    Future<ApplyPipeline.Deletion> deletion = !spec.deletesObjectsOnDeletion() || inventory.isEmpty()
        ? Future.succeededFuture(null)
        : pool.run(() -> pipeline.deleteAll(applyClient(gs, spec), log, gs.getMetadata().getNamespace(),
            gs.getMetadata().getName(), inventory));
    return deletion.compose(d -> {
      DeletionPlan plan = decider.deletion(gs, inventory, d, clock.instant());
      metrics.objectsPruned.labelValues(gs.getMetadata().getNamespace(), gs.getMetadata().getName())
          .inc(plan.pruned());
      log(log, plan.logs());
      plan.events().forEach(e -> events.record(gs, e.severity(), e.reason(), e.message()));
      if (plan.retry()) {
        return Future.failedFuture(new RetryableSyncError(plan.retryMessage()));
      }
      if (!plan.release()) {
        return Future.succeededFuture(Outcome.after(plan.requeueAfter()));
      }
      return pool.run(() -> updateFinalizers(gs, false)).map(v -> {
        forget(key);
        return Outcome.DONE;
      });
    });
  }

  /** Drops the in-memory state and the series of a GitSync (deleted, or now synced by another shard). */
  void forget(String key) {
    states.remove(key);
    int slash = key.indexOf('/');
    metrics.forget(key.substring(0, slash), key.substring(slash + 1));
  }

  private static boolean hasFinalizer(GitSync gs) {
    return gs.getMetadata().getFinalizers() != null && gs.getMetadata().getFinalizers().contains(GitSync.FINALIZER);
  }

  /** Adds or removes {@link GitSync#FINALIZER} (optimistic: a stale cached copy fails with a conflict and retries). */
  private GitSync updateFinalizers(GitSync gs, boolean add) {
    GitSync copy = JSON.clone(gs);
    List<String> finalizers = new ArrayList<>(copy.getMetadata().getFinalizers() == null ? List.of()
        : copy.getMetadata().getFinalizers());
    finalizers.remove(GitSync.FINALIZER);
    if (add) {
      finalizers.add(GitSync.FINALIZER);
    }
    copy.getMetadata().setFinalizers(finalizers);
    try {
      return client.resources(GitSync.class).inNamespace(copy.getMetadata().getNamespace()).resource(copy).update();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404 && !add) {
        return gs;
      }
      throw e;
    }
  }

  private KubernetesClient applyClient(GitSync gs, GitSyncSpec spec) {
    if (spec.serviceAccountName == null || spec.serviceAccountName.isBlank()) {
      return client;
    }
    return impersonated.apply(gs.getMetadata().getNamespace() + "/" + spec.serviceAccountName);
  }

  /** A failed sync that should be retried with backoff (the status already says what failed). */
  static final class RetryableSyncError extends RuntimeException {
    RetryableSyncError(String message) {
      super(message);
    }
  }
}
