package dev.bunting.gitops;

import dev.bunting.api.Condition;
import dev.bunting.api.GitSync;
import dev.bunting.api.GitSyncInventory;
import dev.bunting.api.GitSyncSpec;
import dev.bunting.api.GitSyncStatus;
import dev.bunting.api.GoDuration;
import dev.bunting.api.NamedReference;
import dev.bunting.kube.BlockingPool;
import dev.bunting.kube.EventRecorder;
import dev.bunting.kube.ResourceCache;
import dev.bunting.kube.StatusWriter;
import dev.bunting.kube.WorkQueue.Outcome;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sync of one GitSync: resolve the ref, fetch if it moved, render, apply, prune, judge health, and write the
 * status once (only when it changed), with an Event per applied revision and per new failure. Reads the GitSync from
 * the cache; every blocking call runs on the worker pool.
 */
final class GitSyncReconciler {
  private static final Logger LOG = LoggerFactory.getLogger(GitSyncReconciler.class);
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  static final String SUCCEEDED = "ReconciliationSucceeded";
  static final String PROGRESSING = "Progressing";
  static final String HEALTH_CHECK_FAILED = "HealthCheckFailed";
  static final String INVALID_SPEC = "InvalidSpec";
  static final String RECONCILIATION_FAILED = "ReconciliationFailed";
  static final String GARBAGE_COLLECTED = "GarbageCollected";
  static final String GARBAGE_COLLECTION_FAILED = "GarbageCollectionFailed";
  static final String FINALIZER_FAILED = "FinalizerFailed";
  private static final int MAX_HEALTH_NAMES = 5;
  private static final Duration TERMINATION_POLL = Duration.ofSeconds(2);
  private static final Duration HEALTH_RECHECK = Duration.ofSeconds(5);

  /** What a GitSync remembers between syncs (memory only; a restart begins with a full dry run). */
  private static final class State {
    final Map<String, ApplyPipeline.Memo> memo = new ConcurrentHashMap<>();
    volatile Rendered rendered;
    volatile String healthFor;
    volatile Instant healthSince;
    /** The last completed sync, for health-only re-checks: revision, generation and outcome. */
    volatile GitRevision lastRevision;
    volatile Long lastGeneration;
    volatile SyncOutcome lastOutcome;
    /** What the last "waiting for" log line said (health is re-read every few seconds; log only changes). */
    volatile String lastWaitingLog;
    /** When the last full sync (Git and apply, not a health re-read) started. */
    volatile Instant lastFullSync;
  }

  private record Rendered(String sha, String path, String defaultNamespace, List<Manifest> manifests) {}

  private record Fetched(GitRevision revision, List<Manifest> manifests) {}

  private final KubernetesClient client;
  private final BlockingPool pool;
  private final Clock clock;
  private final ResourceCache<GitSync> gitSyncs;
  private final GitMirror mirror;
  private final ApiDiscovery discovery;
  private final ManagedObjects live;
  private final ApplyPipeline pipeline;
  private final EventRecorder events;
  private final GitSyncMetrics metrics;
  private final Function<String, KubernetesClient> impersonated;
  private final StatusWriter statusWriter;
  private final int jitterPercent;
  private final ManifestRenderer renderer;
  private final Map<String, State> states = new ConcurrentHashMap<>();
  private final Set<String> waitingForHealth = ConcurrentHashMap.newKeySet();
  private final Set<String> healthOnlyRequests = ConcurrentHashMap.newKeySet();
  private final Set<String> fullSyncRequests = ConcurrentHashMap.newKeySet();
  private final Map<String, String> finalizerWarned = new ConcurrentHashMap<>();
  private final Set<String> waitingForDependency = ConcurrentHashMap.newKeySet();

  GitSyncReconciler(KubernetesClient client, BlockingPool pool, Clock clock, ResourceCache<GitSync> gitSyncs,
      GitMirror mirror, ApiDiscovery discovery, ManagedObjects live, ApplyPipeline pipeline, EventRecorder events,
      GitSyncMetrics metrics, Function<String, KubernetesClient> impersonated, int jitterPercent) {
    this.client = client;
    this.pool = pool;
    this.clock = clock;
    this.gitSyncs = gitSyncs;
    this.mirror = mirror;
    this.discovery = discovery;
    this.live = live;
    this.pipeline = pipeline;
    this.events = events;
    this.metrics = metrics;
    this.impersonated = impersonated;
    this.statusWriter = new StatusWriter(client, pool);
    this.jitterPercent = jitterPercent;
    this.renderer = new ManifestRenderer(discovery::namespaced);
  }

  /** True while the GitSync waits for its objects to become healthy: their changes should wake it. */
  boolean waitingForHealth(String key) {
    return waitingForHealth.contains(key);
  }

  /** The next reconcile of {@code key} may only re-judge health (one of its objects changed). */
  void requestHealthCheck(String key) {
    healthOnlyRequests.add(key);
  }

  /** The next reconcile of {@code key} must be a full sync (webhook, spec change, annotation). */
  void requestFullSync(String key) {
    fullSyncRequests.add(key);
  }

  Future<Outcome> reconcile(String key) {
    int slash = key.indexOf('/');
    String ns = key.substring(0, slash);
    String name = key.substring(slash + 1);
    Optional<GitSync> found = gitSyncs.get(ns, name);
    if (found.isEmpty()) {
      forget(key, ns, name);
      return Future.succeededFuture(Outcome.DONE);
    }
    GitSync cached = found.get();
    GitSyncSpec cachedSpec = cached.getSpec() == null ? new GitSyncSpec() : cached.getSpec();
    if (cached.getMetadata().getDeletionTimestamp() != null) {
      return finalizeDeletion(cached, key, cachedSpec);
    }
    if (!hasFinalizer(cached)) {
      // first sight: hold the GitSync until its deletion policy has been carried out
      return pool.run(() -> updateFinalizers(cached, true))
          .recover(e -> finalizerRefused(cached, key, e))
          .compose(updated -> sync(updated, key));
    }
    finalizerWarned.remove(key);
    return sync(cached, key);
  }

  /**
   * The finalizer could not be added. A conflict (stale cache) is retried; anything else (no RBAC right to update
   * GitSyncs, an admission policy) must not stop Git sync: the GitSync syncs without it, and a Warning Event (once per
   * message) says that deleting it will leave its objects in place.
   */
  private Future<GitSync> finalizerRefused(GitSync gs, String key, Throwable e) {
    if (e instanceof KubernetesClientException k && k.getCode() == 409) {
      return Future.failedFuture(e);
    }
    String why = e instanceof KubernetesClientException k ? ApplyPipeline.serverMessage(k) : String.valueOf(e);
    String msg = "cannot add finalizer " + GitSync.FINALIZER + " (" + why + "); syncing without it: deleting this"
        + " GitSync will leave its objects in place whatever spec.deletionPolicy says";
    if (!msg.equals(finalizerWarned.put(key, msg))) {
      LOG.warn("gitsync {}: {}", key, msg);
      events.record(gs, EventRecorder.WARNING, FINALIZER_FAILED, msg);
    }
    return Future.succeededFuture(gs);
  }

  private Future<Outcome> sync(GitSync gs, String key) {
    String ns = gs.getMetadata().getNamespace();
    String name = gs.getMetadata().getName();
    GitSyncSpec spec = gs.getSpec() == null ? new GitSyncSpec() : gs.getSpec();
    if (spec.suspended()) {
      waitingForHealth.remove(key);
      LOG.debug("gitsync {}: suspended", key);
      return Future.succeededFuture(Outcome.DONE);
    }
    String invalid = validate(spec);
    if (invalid != null) {
      LOG.warn("gitsync {}: invalid spec: {}", key, invalid);
      metrics.errors.labelValues(ns, name, INVALID_SPEC).inc();
      return finish(gs, key, null, null, status -> {
        setCondition(status, gs, Condition.READY, "False", INVALID_SPEC, invalid);
        setCondition(status, gs, Condition.STALLED, "True", INVALID_SPEC, invalid);
        removeCondition(status, Condition.RECONCILING);
      }, Outcome.DONE, null);
    }
    State state = states.computeIfAbsent(key, k -> new State());
    long started = System.nanoTime();
    boolean fullRequested = fullSyncRequests.remove(key);
    boolean healthRequested = healthOnlyRequests.remove(key);
    boolean healthOnly = healthRequested && !fullRequested && state.lastOutcome != null
        && java.util.Objects.equals(state.lastGeneration, gs.getMetadata().getGeneration())
        && waitingForHealth.contains(key);
    if (healthOnly) {
      // woken by a change to one of its objects while waiting for health: judge health again, no Git, no apply
      SyncOutcome last = state.lastOutcome;
      GitRevision rev = state.lastRevision;
      SyncOutcome quiet = new SyncOutcome(last.inventory(), List.of(), 0, 0, last.created() + last.configured()
          + last.unchanged(), last.skipped(), 0, List.of(), last.skippedKeys());
      return pool.run(() -> health(quiet)).compose(h -> onSynced(gs, key, spec, state, rev, quiet, h, started))
          .recover(e -> onFailure(gs, key, spec, rev, e, started));
    }
    state.lastFullSync = clock.instant();
    GitRevision[] attempted = new GitRevision[1];
    return pool.run(() -> fetchAndRender(gs, spec, state, attempted))
        .compose(f -> pipeline.run(new ApplyPipeline.Request(ns, name, applyClient(gs, spec), f.manifests(),
                previousInventory(gs), spec.pruneEnabled(), spec.allowEmptyEnabled(), spec.forceEnabled(),
                spec.timeoutOrDefault(), state.memo))
            .compose(outcome -> {
              // from here on, a change of one of its objects must wake it (even one that lands during the health read)
              waitingForHealth.add(key);
              return pool.run(() -> health(outcome)).compose(h -> onSynced(gs, key, spec, state, f.revision(),
                  outcome, h, started));
            }))
        .recover(e -> onFailure(gs, key, spec, attempted[0], e, started));
  }

  private void forget(String key, String ns, String name) {
    states.remove(key);
    waitingForHealth.remove(key);
    fullSyncRequests.remove(key);
    healthOnlyRequests.remove(key);
    finalizerWarned.remove(key);
    waitingForDependency.remove(key);
    metrics.forget(ns, name);
  }

  /**
   * A deleted GitSync (held by {@link GitSync#FINALIZER}): delete its inventory as {@code spec.deletionPolicy} says,
   * then release it. Nothing here depends on memory, so a restart midway picks up where it stopped. Deletions that fail
   * for a reason that may pass (server error, no connection) are retried with backoff until {@code spec.timeout} after
   * the deletion; any other failure, or the timeout, leaves the remaining objects in place with a Warning Event rather
   * than holding the GitSync forever.
   */
  private Future<Outcome> finalizeDeletion(GitSync gs, String key, GitSyncSpec spec) {
    String ns = gs.getMetadata().getNamespace();
    String name = gs.getMetadata().getName();
    if (!hasFinalizer(gs)) {
      forget(key, ns, name);
      return Future.succeededFuture(Outcome.DONE);
    }
    List<ObjectKey> inventory = previousInventory(gs);
    String policy = spec.deletionPolicyOrDefault();
    if (!spec.deletesObjectsOnDeletion() || inventory.isEmpty()) {
      if (!inventory.isEmpty()) {
        String why = spec.suspended() ? "the GitSync is suspended"
            : GitSyncSpec.ORPHAN.equals(policy) ? "deletionPolicy is Orphan" : "prune is false";
        LOG.info("gitsync {}: deleted; its {} objects are left in place ({})", key, inventory.size(), why);
      }
      return release(gs, key);
    }
    Instant deadline = Instant.parse(gs.getMetadata().getDeletionTimestamp()).plus(spec.timeoutOrDefault());
    boolean late = clock.instant().isAfter(deadline);
    return pool.run(() -> pipeline.deleteAll(applyClient(gs, spec), ns, name, inventory)).compose(d -> {
      metrics.objectsPruned.labelValues(ns, name).inc(d.deleted().size());
      d.warnings().forEach(w -> LOG.warn("gitsync {}: {}", key, w));
      if (!d.deleted().isEmpty()) {
        events.record(gs, EventRecorder.NORMAL, GARBAGE_COLLECTED, "GitSync deleted (deletionPolicy " + policy
            + "): deleted " + d.deleted().size() + " object" + (d.deleted().size() == 1 ? "" : "s") + " ("
            + abbreviate(d.deleted().stream().map(ObjectKey::toString).toList()) + ")");
      }
      if (!d.failures().isEmpty() && d.transientFailure() && !late) {
        LOG.warn("gitsync {}: deleting its objects failed, will retry: {}", key, abbreviate(d.failures()));
        return Future.failedFuture(new RetryableSyncError("deleting objects: " + abbreviate(d.failures())));
      }
      if (!d.failures().isEmpty()) {
        String msg = "GitSync deleted, but " + d.failures().size() + " of its objects could not be deleted and are"
            + " left in place: " + abbreviate(d.failures());
        LOG.warn("gitsync {}: {}", key, msg);
        events.record(gs, EventRecorder.WARNING, GARBAGE_COLLECTION_FAILED, msg);
        return release(gs, key);
      }
      boolean waiting = GitSyncSpec.WAIT_FOR_TERMINATION.equals(policy)
          && (!d.deleted().isEmpty() || !d.terminating().isEmpty());
      if (waiting && !late) {
        LOG.info("gitsync {}: waiting for {} objects to terminate", key, d.deleted().size() + d.terminating().size());
        return Future.succeededFuture(Outcome.after(TERMINATION_POLL));
      }
      if (waiting) {
        String msg = "GitSync deleted; timeout after " + GoDuration.format(spec.timeoutOrDefault()) + " waiting for "
            + abbreviate(d.terminating().stream().map(ObjectKey::toString).toList()) + " to terminate";
        LOG.warn("gitsync {}: {}", key, msg);
        events.record(gs, EventRecorder.WARNING, GARBAGE_COLLECTION_FAILED, msg);
      }
      return release(gs, key);
    });
  }

  private Future<Outcome> release(GitSync gs, String key) {
    return pool.run(() -> updateFinalizers(gs, false)).map(v -> {
      forget(key, gs.getMetadata().getNamespace(), gs.getMetadata().getName());
      return Outcome.DONE;
    });
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

  private Fetched fetchAndRender(GitSync gs, GitSyncSpec spec, State state, GitRevision[] attempted)
      throws GitException, SyncFailure {
    String ns = gs.getMetadata().getNamespace();
    GitCredentials creds = credentials(ns, spec);
    GitRevision rev = mirror.resolve(spec.url, spec.refOrDefault(), creds, spec.timeoutOrDefault());
    checkDependencies(gs, spec, rev);
    attempted[0] = rev;
    boolean fetched = mirror.ensure(spec.url, spec.refOrDefault(), rev, creds, spec.timeoutOrDefault());
    if (fetched) {
      LOG.info("gitsync {}/{}: fetched {}", ns, gs.getMetadata().getName(), rev);
    }
    String path = GitMirror.normalizePath(spec.path);
    String defaultNs = spec.targetNamespace == null || spec.targetNamespace.isBlank() ? ns : spec.targetNamespace;
    Rendered cached = state.rendered;
    if (cached != null && cached.sha().equals(rev.sha()) && cached.path().equals(path)
        && cached.defaultNamespace().equals(defaultNs)) {
      return new Fetched(rev, cached.manifests());
    }
    try {
      List<Manifest> manifests = renderer.render(mirror.read(spec.url, creds, rev.sha(), path), defaultNs,
          OwnerLabels.of(ns, gs.getMetadata().getName()));
      state.rendered = new Rendered(rev.sha(), path, defaultNs, manifests);
      return new Fetched(rev, manifests);
    } catch (RenderException e) {
      throw new SyncFailure(SyncFailure.BUILD_FAILED, e.getMessage(), true, null);
    }
  }

  /**
   * Flux's {@code dependsOn}: every dependency exists, is {@code Ready=True} for its current generation and, when it
   * follows the same repository and ref, has applied {@code rev}. Otherwise the sync stops here (nothing fetched or
   * applied) with {@code DependencyNotReady}; a change of a dependency wakes this GitSync again.
   */
  private void checkDependencies(GitSync gs, GitSyncSpec spec, GitRevision rev) throws SyncFailure {
    String key = ResourceCache.key(gs);
    if (spec.dependsOn == null || spec.dependsOn.isEmpty()) {
      waitingForDependency.remove(key);
      return;
    }
    List<String> notReady = new ArrayList<>();
    for (NamedReference d : spec.dependsOn) {
      String ns = d.namespaceOr(gs.getMetadata().getNamespace());
      String id = ns + "/" + d.name;
      if (id.equals(key)) {
        throw new SyncFailure(INVALID_SPEC, "spec.dependsOn: a GitSync cannot depend on itself", true, null);
      }
      Optional<GitSync> found = gitSyncs.get(ns, d.name);
      if (found.isEmpty()) {
        notReady.add("GitSync " + id + " not found");
        continue;
      }
      GitSync dep = found.get();
      GitSyncStatus st = dep.getStatus();
      boolean ready = st != null && java.util.Objects.equals(st.observedGeneration, dep.getMetadata().getGeneration())
          && Condition.find(st.conditions, Condition.READY).map(Condition::isTrue).orElse(false);
      if (!ready) {
        notReady.add("GitSync " + id + " is not ready");
      } else if (dep.getSpec() != null && spec.url.equals(dep.getSpec().url)
          && JSON.asJson(spec.refOrDefault()).equals(JSON.asJson(dep.getSpec().refOrDefault()))
          && !rev.toString().equals(st.lastAppliedRevision)) {
        notReady.add("GitSync " + id + " has not applied " + rev + " yet");
      }
    }
    if (notReady.isEmpty()) {
      waitingForDependency.remove(key);
      return;
    }
    waitingForDependency.add(key);
    throw new SyncFailure(SyncFailure.DEPENDENCY_NOT_READY, "dependencies not ready: " + String.join("; ", notReady),
        false, null);
  }

  /** GitSyncs waiting for {@code namespace/name} to become ready (to sync again when it changes). */
  List<String> waitingFor(String namespace, String name) {
    List<String> out = new ArrayList<>();
    for (String key : waitingForDependency) {
      int slash = key.indexOf('/');
      gitSyncs.get(key.substring(0, slash), key.substring(slash + 1)).ifPresent(g -> {
        if (g.getSpec() != null && g.getSpec().dependsOn != null && g.getSpec().dependsOn.stream().anyMatch(
            d -> name.equals(d.name) && namespace.equals(d.namespaceOr(g.getMetadata().getNamespace())))) {
          out.add(key);
        }
      });
    }
    return out;
  }

  private GitCredentials credentials(String ns, GitSyncSpec spec) throws GitException {
    if (spec.secretRef == null || spec.secretRef.name == null) {
      return GitCredentials.NONE;
    }
    Secret secret;
    try {
      secret = client.secrets().inNamespace(ns).withName(spec.secretRef.name).get();
    } catch (KubernetesClientException e) {
      throw new GitException(GitException.INVALID_CREDENTIALS, "cannot read Secret " + spec.secretRef.name + ": "
          + ApplyPipeline.serverMessage(e));
    }
    if (secret == null) {
      throw new GitException(GitException.INVALID_CREDENTIALS, "Secret " + spec.secretRef.name + " (spec.secretRef)"
          + " not found in namespace " + ns);
    }
    return GitCredentials.fromSecret(spec.secretRef.name, decode(secret));
  }

  static Map<String, String> decode(Secret secret) {
    Map<String, String> data = new HashMap<>();
    if (secret.getData() != null) {
      secret.getData().forEach((k, v) -> data.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (secret.getStringData() != null) {
      data.putAll(secret.getStringData());
    }
    return data;
  }

  private KubernetesClient applyClient(GitSync gs, GitSyncSpec spec) {
    if (spec.serviceAccountName == null || spec.serviceAccountName.isBlank()) {
      return client;
    }
    return impersonated.apply(gs.getMetadata().getNamespace() + "/" + spec.serviceAccountName);
  }

  private static List<ObjectKey> previousInventory(GitSync gs) {
    List<ObjectKey> out = new ArrayList<>();
    if (gs.getStatus() != null && gs.getStatus().inventory != null && gs.getStatus().inventory.entries != null) {
      gs.getStatus().inventory.entries.forEach(e -> ObjectKey.fromInventory(e).ifPresent(out::add));
    }
    return out;
  }

  /** The health of every applied object, from the watch caches (no requests; blocking only for discovery misses). */
  private Map<ObjectKey, Health> health(SyncOutcome outcome) {
    Map<ObjectKey, Health> out = new java.util.LinkedHashMap<>();
    for (ObjectKey k : outcome.inventory()) {
      if (outcome.skippedKeys().contains(k)) {
        continue;
      }
      Optional<ResourceDefinitionContext> ctx = discovery.find(k.apiVersion(), k.kind());
      if (ctx.isEmpty()) {
        continue;
      }
      Optional<GenericKubernetesResource> obj = live.get(ctx.get(), k.namespace(), k.name());
      if (obj.isEmpty()) {
        out.put(k, Health.inProgress("not yet observed"));
        continue;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = JSON.convertValue(obj.get(), Map.class);
      out.put(k, HealthRules.evaluate(map));
    }
    return out;
  }

  private Future<Outcome> onSynced(GitSync gs, String key, GitSyncSpec spec, State state, GitRevision rev,
      SyncOutcome outcome, Map<ObjectKey, Health> health, long started) {
    String ns = gs.getMetadata().getNamespace();
    String name = gs.getMetadata().getName();
    state.lastRevision = rev;
    state.lastGeneration = gs.getMetadata().getGeneration();
    state.lastOutcome = outcome;
    String healthKey = rev + "/" + gs.getMetadata().getGeneration();
    Instant now = clock.instant();
    if (!healthKey.equals(state.healthFor) || outcome.wroteSomething() || state.healthSince == null) {
      state.healthFor = healthKey;
      state.healthSince = now;
    }
    List<String> failed = new ArrayList<>();
    List<String> pending = new ArrayList<>();
    health.forEach((k, h) -> {
      if (h.isFailed()) {
        failed.add(k + ": " + h.message());
      } else if (!h.isCurrent()) {
        pending.add(k + " (" + h.message() + ")");
      }
    });
    Duration timeout = spec.timeoutOrDefault();
    Duration waited = Duration.between(state.healthSince, now);
    String previousReady = readyReason(gs);
    metrics.objectsApplied.labelValues(ns, name, "created").inc(outcome.created());
    metrics.objectsApplied.labelValues(ns, name, "configured").inc(outcome.configured());
    metrics.objectsPruned.labelValues(ns, name).inc(outcome.pruned());
    outcome.warnings().forEach(w -> LOG.warn("gitsync {}: {}", key, w));
    String applied = "Applied revision " + rev + ": " + outcome.summary();
    String event = outcome.wroteSomething() || gs.getStatus() == null
        || !rev.toString().equals(gs.getStatus().lastAttemptedRevision)
        ? applied + (outcome.changes().isEmpty() ? "" : " (" + abbreviate(outcome.changes()) + ")") : null;
    if (!failed.isEmpty() || (!pending.isEmpty() && waited.compareTo(timeout) >= 0)) {
      waitingForHealth.remove(key);
      state.lastWaitingLog = null;
      String msg = !failed.isEmpty() ? "health check failed for revision " + rev + ": " + abbreviate(failed)
          : "timeout after " + GoDuration.format(timeout) + " waiting for revision " + rev + " to become ready: "
              + abbreviate(pending);
      metrics.errors.labelValues(ns, name, HEALTH_CHECK_FAILED).inc();
      metrics.ready.labelValues(ns, name).set(0);
      observe(ns, name, "failure", started);
      LOG.warn("gitsync {}: {}", key, msg);
      return finish(gs, key, rev, outcome, status -> {
        setCondition(status, gs, Condition.READY, "False", HEALTH_CHECK_FAILED, msg);
        removeCondition(status, Condition.RECONCILING);
        removeCondition(status, Condition.STALLED);
      }, nextSync(spec), event).compose(o -> {
        if (!HEALTH_CHECK_FAILED.equals(previousReady)) {
          events.record(gs, EventRecorder.WARNING, HEALTH_CHECK_FAILED, msg);
        }
        return Future.succeededFuture(o);
      });
    }
    if (!pending.isEmpty()) {
      waitingForHealth.add(key);
      String msg = applied + "; waiting for " + pending.size() + " object" + (pending.size() == 1 ? "" : "s")
          + " to become ready: " + abbreviate(pending);
      observe(ns, name, "progressing", started);
      String waitingFor = abbreviate(pending);
      if (!waitingFor.equals(state.lastWaitingLog)) {
        state.lastWaitingLog = waitingFor;
        LOG.info("gitsync {}: waiting for {}", key, waitingFor);
      }
      Duration left = timeout.minus(waited);
      Duration next = left.compareTo(HEALTH_RECHECK) < 0 ? left : HEALTH_RECHECK;
      // changes of its objects wake it at once; the timer is a cheap backstop (health is read from the caches only),
      // until spec.interval has passed since the last full sync: then the timer brings a full sync (a new commit)
      if (state.lastFullSync == null
          || Duration.between(state.lastFullSync, now).compareTo(spec.intervalOrDefault()) < 0) {
        healthOnlyRequests.add(key);
      }
      return finish(gs, key, rev, outcome, status -> {
        setCondition(status, gs, Condition.READY, "Unknown", PROGRESSING, msg);
        setCondition(status, gs, Condition.RECONCILING, "True", PROGRESSING, msg);
        removeCondition(status, Condition.STALLED);
      }, Outcome.after(next.isNegative() || next.isZero() ? Duration.ofSeconds(1) : next), event);
    }
    waitingForHealth.remove(key);
    state.lastWaitingLog = null;
    String msg = "Applied revision: " + rev;
    metrics.ready.labelValues(ns, name).set(1);
    boolean newlyApplied = gs.getStatus() == null || !rev.toString().equals(gs.getStatus().lastAppliedRevision);
    if (newlyApplied || !SUCCEEDED.equals(previousReady)) {
      metrics.lastApplied.labelValues(ns, name).set(clock.millis() / 1000.0);
    }
    observe(ns, name, "success", started);
    if (outcome.wroteSomething() || newlyApplied) {
      LOG.info("gitsync {}: {}", key, applied);
    }
    String readyEvent = event == null && !SUCCEEDED.equals(previousReady) ? "Revision " + rev + " is ready" : event;
    return finish(gs, key, rev, outcome, status -> {
      status.lastAppliedRevision = rev.toString();
      setCondition(status, gs, Condition.READY, "True", SUCCEEDED, msg);
      removeCondition(status, Condition.RECONCILING);
      removeCondition(status, Condition.STALLED);
    }, nextSync(spec), readyEvent);
  }

  private Future<Outcome> onFailure(GitSync gs, String key, GitSyncSpec spec, GitRevision rev, Throwable e,
      long started) {
    String ns = gs.getMetadata().getNamespace();
    String name = gs.getMetadata().getName();
    waitingForHealth.remove(key);
    Throwable cause = e;
    while (!(cause instanceof SyncFailure) && !(cause instanceof GitException) && cause.getCause() != null
        && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String reason;
    String msg;
    boolean stalled;
    List<ObjectKey> inventory = null;
    if (cause instanceof SyncFailure f) {
      reason = f.reason();
      msg = f.getMessage();
      stalled = f.stalled();
      inventory = f.inventory();
    } else if (cause instanceof GitException g) {
      reason = g.reason();
      msg = g.getMessage();
      stalled = false;
    } else {
      reason = RECONCILIATION_FAILED;
      msg = cause instanceof KubernetesClientException k ? ApplyPipeline.serverMessage(k) : String.valueOf(
          cause.getMessage() == null ? cause.toString() : cause.getMessage());
      stalled = false;
    }
    String full = rev == null ? msg : "revision " + rev + ": " + msg;
    metrics.errors.labelValues(ns, name, reason).inc();
    metrics.ready.labelValues(ns, name).set(0);
    observe(ns, name, "failure", started);
    LOG.warn("gitsync {}: {} ({})", key, full, reason);
    boolean changed = !(reason.equals(readyReason(gs)) && full.equals(readyMessage(gs)));
    SyncOutcome partial = inventory == null ? null
        : new SyncOutcome(inventory, List.of(), 0, 0, 0, 0, 0, List.of(), Set.of());
    Outcome next = nextSync(spec);
    return finish(gs, key, rev, partial, status -> {
      setCondition(status, gs, Condition.READY, "False", reason, full);
      if (stalled) {
        setCondition(status, gs, Condition.STALLED, "True", reason, full);
      } else {
        removeCondition(status, Condition.STALLED);
      }
      removeCondition(status, Condition.RECONCILING);
    }, next, null).compose(o -> {
      if (changed) {
        events.record(gs, EventRecorder.WARNING, reason, full);
      }
      // a stalled revision waits for a new commit or spec; anything else retries with backoff
      return stalled ? Future.succeededFuture(o) : Future.failedFuture(new RetryableSyncError(full));
    });
  }

  /** The periodic sync after this one: {@code spec.interval}, jittered. */
  private Outcome nextSync(GitSyncSpec spec) {
    return Outcome.after(jittered(spec.intervalOrDefault(), jitterPercent,
        java.util.concurrent.ThreadLocalRandom.current().nextDouble()));
  }

  /** {@code interval} moved by up to {@code percent} of it, down or up as {@code unit} (in [0, 1)) goes 0 to 1. */
  static Duration jittered(Duration interval, int percent, double unit) {
    if (percent == 0) {
      return interval;
    }
    long ms = interval.toMillis();
    long delta = Math.round(ms * (percent / 100.0) * (2 * unit - 1));
    return Duration.ofMillis(Math.max(1, ms + delta));
  }

  /** Builds the new status, writes it if it changed, records the event, and hands back {@code next}. */
  private Future<Outcome> finish(GitSync gs, String key, GitRevision rev, SyncOutcome outcome,
      java.util.function.Consumer<GitSyncStatus> conditions, Outcome next, String normalEvent) {
    GitSyncStatus old = gs.getStatus() == null ? new GitSyncStatus() : gs.getStatus();
    GitSyncStatus status = JSON.convertValue(old, GitSyncStatus.class);
    if (status.conditions == null) {
      status.conditions = new ArrayList<>();
    }
    status.observedGeneration = gs.getMetadata().getGeneration();
    if (rev != null) {
      status.lastAttemptedRevision = rev.toString();
    }
    String requested = gs.requestedAt();
    if (requested != null) {
      status.lastHandledReconcileAt = requested;
    }
    if (outcome != null) {
      GitSyncInventory inv = new GitSyncInventory();
      outcome.inventory().forEach(k -> inv.entries.add(k.inventoryEntry()));
      status.inventory = inv;
    }
    conditions.accept(status);
    String before = JSON.asJson(old);
    String after = JSON.asJson(status);
    Future<Void> write = before.equals(after) ? Future.succeededFuture() : statusWriter.write(gs, status).mapEmpty();
    return write.compose(v -> {
      if (normalEvent != null) {
        events.record(gs, EventRecorder.NORMAL, SUCCEEDED, normalEvent);
      }
      return Future.succeededFuture(next);
    });
  }

  private void setCondition(GitSyncStatus status, GitSync gs, String type, String value, String reason,
      String message) {
    Condition now = new Condition(type, value, reason, message);
    now.observedGeneration = gs.getMetadata().getGeneration();
    Optional<Condition> old = Condition.find(status.conditions, type);
    if (old.isPresent() && old.get().sameStateAs(now)) {
      return;
    }
    now.lastTransitionTime = old.isPresent() && value.equals(old.get().status) && old.get().lastTransitionTime != null
        ? old.get().lastTransitionTime
        : DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
    status.conditions.removeIf(c -> type.equals(c.type));
    status.conditions.add(now);
    status.conditions.sort((a, b) -> order(a.type) - order(b.type));
  }

  private static int order(String type) {
    return switch (type) {
      case Condition.READY -> 0;
      case Condition.RECONCILING -> 1;
      case Condition.STALLED -> 2;
      default -> 3;
    };
  }

  private static void removeCondition(GitSyncStatus status, String type) {
    status.conditions.removeIf(c -> type.equals(c.type));
  }

  private static String readyReason(GitSync gs) {
    return gs.getStatus() == null ? null
        : Condition.find(gs.getStatus().conditions, Condition.READY).map(c -> c.reason).orElse(null);
  }

  private static String readyMessage(GitSync gs) {
    return gs.getStatus() == null ? null
        : Condition.find(gs.getStatus().conditions, Condition.READY).map(c -> c.message).orElse(null);
  }

  private void observe(String ns, String name, String result, long startedNanos) {
    metrics.syncDuration.labelValues(ns, name, result).observe((System.nanoTime() - startedNanos) / 1e9);
  }

  private static String abbreviate(List<String> items) {
    String s = items.stream().limit(MAX_HEALTH_NAMES).collect(Collectors.joining(", "));
    return items.size() > MAX_HEALTH_NAMES ? s + " and " + (items.size() - MAX_HEALTH_NAMES) + " more" : s;
  }

  /** Spec problems the CRD schema cannot catch (or that an older CRD let through). */
  static String validate(GitSyncSpec spec) {
    if (spec.url == null || spec.url.isBlank()) {
      return "spec.url is required";
    }
    String scheme = GitCredentials.scheme(spec.url);
    if (!List.of("https", "http", "ssh", "file").contains(scheme)) {
      return "spec.url must start with https://, http://, ssh:// or file:// (got '" + GitCredentials.safeUrl(spec.url)
          + "')";
    }
    if (spec.ref != null && spec.ref.kindCount() > 1) {
      return "spec.ref must set exactly one of branch, tag, semver or commit";
    }
    if (spec.ref != null && spec.ref.semver != null) {
      try {
        SemverRange.parse(spec.ref.semver);
      } catch (IllegalArgumentException e) {
        return "spec.ref.semver: " + e.getMessage();
      }
    }
    if (spec.ref != null && spec.ref.commit != null && !spec.ref.commit.matches("[0-9a-f]{40}")) {
      return "spec.ref.commit must be a full 40-hex commit id";
    }
    if (spec.interval != null && GoDuration.parse(spec.interval).isEmpty()) {
      return "spec.interval '" + spec.interval + "' is not a duration (e.g. 1m, 30s)";
    }
    if (spec.deletionPolicy != null && !List.of(GitSyncSpec.MIRROR_PRUNE, GitSyncSpec.DELETE,
        GitSyncSpec.WAIT_FOR_TERMINATION, GitSyncSpec.ORPHAN).contains(spec.deletionPolicy)) {
      return "spec.deletionPolicy must be MirrorPrune, Delete, WaitForTermination or Orphan (got '"
          + spec.deletionPolicy + "')";
    }
    if (spec.timeout != null && GoDuration.parse(spec.timeout).isEmpty()) {
      return "spec.timeout '" + spec.timeout + "' is not a duration (e.g. 1m, 30s)";
    }
    try {
      GitMirror.normalizePath(spec.path);
    } catch (GitException e) {
      return "spec.path: " + e.getMessage();
    }
    return null;
  }

  /** A failed sync that should be retried with backoff (the status already says what failed). */
  static final class RetryableSyncError extends RuntimeException {
    RetryableSyncError(String message) {
      super(message);
    }
  }
}
