package dev.bunting.gitops;

import dev.bunting.api.Canary;
import dev.bunting.api.GitSync;
import dev.bunting.http.RouteContributor;
import dev.bunting.kube.BlockingPool;
import dev.bunting.kube.EventRecorder;
import dev.bunting.kube.Informers;
import dev.bunting.kube.ResourceCache;
import dev.bunting.kube.Scheduler;
import dev.bunting.kube.StatusWriter;
import dev.bunting.kube.WorkQueue;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GitSync engine: its work queue (one sync per GitSync at a time, at most {@code maxConcurrentSyncs} at once; each
 * GitSync re-synced every {@code spec.interval}, jittered), its triggers, the reconciler and the webhook receiver. It
 * reads the controller's shared caches ({@link GitSyncCaches}) and starts watches of the kinds GitSyncs apply through
 * the shared {@link Informers}; all its blocking work runs on its own worker pool. Every GitSync carries
 * {@link GitSync#FINALIZER}: deleting one deletes its objects first when {@code spec.deletionPolicy} says so.
 *
 * <p>A GitSync is synced at once when it is created, when its spec changes (generation), when it is deleted, when its
 * reconcile-request annotation changes, when a valid webhook arrives, when a GitSync it depends on changes, and,
 * while it waits for its objects (health, or an apply that stopped to wait), when one of them changes.
 *
 * <p>Nothing is synced before {@link #start()} (a standby replica keeps its caches warm), and only GitSyncs that match
 * {@link GitSyncOptions#shard()}. A valid webhook for a GitSync this instance does not sync (it is a standby, or the
 * GitSync belongs to another shard) is handed over through the API server: the receiver sets the GitSync's
 * reconcile-request annotation ({@link GitSync#REQUESTED_AT}), which the instance that syncs it sees in its watch.
 * That annotation is the only write a standby ever makes, and only for an authenticated webhook.
 */
public final class GitSyncController {
  private static final Logger LOG = LoggerFactory.getLogger(GitSyncController.class);

  private final KubernetesClient client;
  private final BlockingPool pool;
  private final GitSyncOptions options;
  private final ResourceCache<GitSync> gitSyncs;
  private final GitSyncCaches caches;
  private final GitMirror mirror;
  private final GitSyncReconciler reconciler;
  private final GitSyncReceiver receiver;
  private final WorkQueue queue;
  private final GitSource source;
  private final Clock clock;
  private final Map<String, String> seen = new ConcurrentHashMap<>();
  /** The phase and revision each Canary had when last seen: a change syncs the GitSyncs that apply its target. */
  private final Map<String, String> canaryPhases = new ConcurrentHashMap<>();
  private final Map<String, KubernetesClient> impersonated = new ConcurrentHashMap<>();
  private volatile boolean started;

  /**
   * @param pool the GitSync engine's own worker pool (Git, dry runs, applies, prunes)
   * @param events records Events as the GitSync engine (on {@code pool})
   */
  public GitSyncController(Vertx vertx, KubernetesClient client, BlockingPool pool, Informers informers,
      GitSyncCaches caches, EventRecorder events, PrometheusRegistry registry, Scheduler scheduler, Clock clock,
      GitSyncOptions options) {
    this.client = client;
    this.pool = pool;
    this.options = Objects.requireNonNull(options);
    Objects.requireNonNull(options.clientFactory(), "GitSyncOptions.clientFactory");
    this.caches = caches;
    this.gitSyncs = caches.gitSyncs();
    this.mirror = new GitMirror(options.cacheDir());
    ApiDiscovery discovery = new ApiDiscovery(client, clock);
    ManagedObjects managed = new ManagedObjects(informers, discovery, this::ownedObjectChanged);
    Function<String, List<Canary>> canaries = ns -> caches.canaries() == null ? List.of()
        : caches.canaries().list(ns);
    ReplicasRule replicas = new ReplicasRule(canaries, caches.autoscalers()::list);
    ApplyPipeline pipeline = new ApplyPipeline(pool, discovery, managed, replicas, options.applyConcurrency(),
        clock);
    this.clock = clock;
    this.source = new GitSource(client, mirror, discovery);
    this.reconciler = new GitSyncReconciler(client, pool, clock, gitSyncs, source, pipeline, managed,
        new GitSyncDecider(options.intervalJitterPercent()), new StatusWriter(client, pool), events,
        new GitSyncMetrics(registry), this::impersonatedClient, canaries);
    this.receiver = new GitSyncReceiver(client, pool, gitSyncs, this::webhookAccepted);
    this.queue = new WorkQueue(vertx, GitSync.KIND, options.maxConcurrentSyncs(), this::reconcile, scheduler).paused();
    gitSyncs.onChange(this::gitSyncChanged);
    if (caches.canaries() != null) {
      caches.canaries().onChange(this::canaryChanged);
    }
  }

  /** The webhook receiver, to mount on the controller's HTTP port (through {@code HttpApi}). */
  public RouteContributor receiver() {
    return receiver;
  }

  /** Starts syncing once the shared caches are loaded and this instance leads: every GitSync of the shard is queued. */
  public Future<Void> start() {
    started = true;
    queue.resume();
    List<GitSync> all = gitSyncs.list(null).stream().filter(options.shard()::matches).toList();
    all.forEach(this::gitSyncChanged);
    LOG.info("gitsync controller started: {} GitSyncs{}, up to {} synced at once, mirrors in {}", all.size(),
        options.shard().all() ? "" : " matching " + options.shard(), options.maxConcurrentSyncs(),
        options.cacheDir());
    return Future.succeededFuture();
  }

  /** The work queue (for metrics). */
  public WorkQueue queue() {
    return queue;
  }

  /** True once the caches it reads are loaded. */
  public boolean ready() {
    return gitSyncs.synced() && caches.autoscalers().synced()
        && (caches.canaries() == null || caches.canaries().synced());
  }

  /** Stops syncing; a sync in flight finishes. */
  public Future<Void> stop() {
    queue.close();
    return pool.run(() -> {
      mirror.close();
      impersonated.values().forEach(KubernetesClient::close);
      return null;
    });
  }

  /** Asks for an immediate full sync of {@code namespace/name} (the webhook receiver's trigger). */
  public void requestSync(String key) {
    reconciler.state(key).request(GitSyncState.Wake.FULL);
    queue.enqueue(key);
  }

  /** Whether this instance syncs {@code gs} now: it leads (or has no election) and {@code gs} is of its shard. */
  private boolean syncs(GitSync gs) {
    return started && options.shard().matches(gs);
  }

  /** A GitSync of another shard is not synced here; one that just left this shard is forgotten here. */
  private Future<WorkQueue.Outcome> reconcile(String key) {
    int slash = key.indexOf('/');
    GitSync gs = gitSyncs.get(key.substring(0, slash), key.substring(slash + 1)).orElse(null);
    if (gs != null && !options.shard().matches(gs)) {
      reconciler.forget(key);
      return Future.succeededFuture(WorkQueue.Outcome.DONE);
    }
    return reconciler.reconcile(key);
  }

  /**
   * An authenticated webhook for {@code gs}: synced at once when this instance syncs it, else handed over by setting
   * the reconcile-request annotation (merge patch, on the pool), which the instance that syncs it sees.
   */
  private Future<Void> webhookAccepted(GitSync gs) {
    String key = ResourceCache.key(gs);
    if (syncs(gs)) {
      requestSync(key);
      return Future.succeededFuture();
    }
    String now = DateTimeFormatter.ISO_INSTANT.format(Instant.now());
    return pool.run(() -> {
      // through resource(..), one request: withName(..).patch(context, String) would GET the GitSync first
      client.resources(GitSync.class).inNamespace(gs.getMetadata().getNamespace()).resource(gs)
          .patch(PatchContext.of(PatchType.JSON_MERGE),
              "{\"metadata\":{\"annotations\":{\"" + GitSync.REQUESTED_AT + "\":\"" + now + "\"}}}");
      return null;
    });
  }

  /** GitSync cache events: sync on create, deletion, spec change and reconcile request; not on our status writes. */
  private void gitSyncChanged(GitSync gs) {
    if (!started) {
      return; // start() queues every GitSync once the caches it reads are loaded
    }
    String key = ResourceCache.key(gs);
    boolean gone = gitSyncs.get(gs.getMetadata().getNamespace(), gs.getMetadata().getName()).isEmpty();
    if (!gone && !options.shard().matches(gs)) {
      if (seen.remove(key) != null) {
        queue.forget(key);
        queue.enqueue(key); // its reconcile forgets it here
      }
    } else {
      String fingerprint = gone ? null : gs.getMetadata().getGeneration() + "|" + gs.requestedAt() + "|"
          + gs.getMetadata().getDeletionTimestamp();
      String before = fingerprint == null ? seen.remove(key) : seen.put(key, fingerprint);
      if ((gone && before != null) || (!gone && !Objects.equals(before, fingerprint))) {
        requestSync(key);
      }
    }
    // its status may have made the GitSyncs that depend on it ready to go
    reconciler.waitingFor(gs.getMetadata().getNamespace(), gs.getMetadata().getName()).forEach(queue::enqueue);
  }

  /**
   * A Canary changed: when its phase (or the revision it analyses) moved, the GitSyncs whose releases name it sync now,
   * to record the outcome and, with {@code spec.rollback}, to act on a failure.
   */
  private void canaryChanged(Canary c) {
    if (!started) {
      return;
    }
    String key = ResourceCache.key(c);
    boolean gone = caches.canaries().get(c.getMetadata().getNamespace(), c.getMetadata().getName()).isEmpty();
    String now = gone || c.getStatus() == null ? null : c.getStatus().phase + "|"
        + (c.getStatus().gitRevision == null ? "" : c.getStatus().gitRevision.revision);
    String before = now == null ? canaryPhases.remove(key) : canaryPhases.put(key, now);
    if (now == null || now.equals(before)) {
      return;
    }
    for (GitSync gs : gitSyncs.list(null)) {
      if (gs.getStatus() != null && gs.getStatus().releases != null && gs.getStatus().releases.stream()
          .anyMatch(r -> c.getMetadata().getName().equals(r.canary)
              && r.target != null && r.target.contains("/" + c.getMetadata().getNamespace() + "/"))) {
        requestSync(ResourceCache.key(gs));
      }
    }
  }

  /**
   * Commits {@code change} on the branch of GitSync {@code gs} (its URL, credentials and {@code spec.commitAuthor}),
   * pushes it (see {@link GitWriter}: with lease, one rebuild after a concurrent push), then syncs the GitSync at once.
   * Runs on the GitSync worker pool; fails with a {@link GitException} saying what went wrong.
   */
  public Future<WriteResult> write(GitSync gs, GitWriter.Change change) {
    String key = ResourceCache.key(gs);
    return pool.run(() -> source.write(gs, clock.instant(), change)).map(r -> {
      if (r.pushed()) {
        requestSync(key);
      }
      return new WriteResult(r.commit(), r.head(), r.rebuilt());
    });
  }

  /**
   * What {@link #write} did: the pushed commit (null when the branch needed no change), the head it was built on, and
   * whether a concurrent push made it build the change once more.
   */
  public record WriteResult(String commit, String head, boolean rebuilt) {
    public boolean pushed() {
      return commit != null;
    }
  }

  /** A watched object of {@code ownerKey} changed: wake the GitSync if it waits for its objects. */
  private void ownedObjectChanged(String ownerKey) {
    switch (reconciler.waiting(ownerKey)) {
      case HEALTH -> {
        reconciler.state(ownerKey).request(GitSyncState.Wake.HEALTH);
        queue.enqueue(ownerKey);
      }
      case APPLY -> queue.enqueue(ownerKey);
      default -> { }
    }
  }

  /** A client that impersonates {@code namespace/serviceAccount}; one per account, reused. */
  private KubernetesClient impersonatedClient(String nsAndAccount) {
    return impersonated.computeIfAbsent(nsAndAccount, k -> {
      String ns = k.substring(0, k.indexOf('/'));
      String sa = k.substring(k.indexOf('/') + 1);
      Config cfg = new ConfigBuilder(client.getConfiguration())
          // Only the user: the API server adds a ServiceAccount's groups itself, and impersonating groups would need
          // a right (impersonate on groups) that also allows system:masters.
          .withImpersonateUsername("system:serviceaccount:" + ns + ":" + sa)
          .build();
      return options.clientFactory().apply(cfg);
    });
  }

  /** For tests and tools: the mirror cache directory in use. */
  public java.nio.file.Path cacheDir() {
    return mirror.cacheDir();
  }
}
