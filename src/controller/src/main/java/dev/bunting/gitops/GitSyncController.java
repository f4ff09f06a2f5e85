package dev.bunting.gitops;

import dev.bunting.api.Canary;
import dev.bunting.api.GitSync;
import dev.bunting.http.RouteContributor;
import dev.bunting.kube.BlockingPool;
import dev.bunting.kube.EventRecorder;
import dev.bunting.kube.ResourceCache;
import dev.bunting.kube.Scheduler;
import dev.bunting.kube.WorkQueue;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GitSync controller: a GitSync cache (watch), an HPA cache, watch caches of every managed kind, a keyed work
 * queue (one sync per GitSync at a time; each GitSync re-synced every {@code spec.interval}, jittered), the
 * reconciler and the webhook receiver. Every GitSync carries {@link GitSync#FINALIZER}: deleting one deletes its
 * objects first when {@code spec.deletionPolicy} says so. A GitSync is synced at once when it is created, when its
 * spec changes (generation), when it is deleted, when its reconcile-request annotation changes, when a valid webhook
 * arrives, and, while it waits for health, when one of its objects changes.
 *
 * <pre>{@code
 * GitSyncController gitops = new GitSyncController(vertx, client, pool, registry, clock, canaries, options);
 * HttpApi http = new HttpApi(vertx, registry, ready, List.of(gitops.receiver(), ...));
 * gitops.start();   // ... gitops.stop();
 * }</pre>
 */
public final class GitSyncController {
  private static final Logger LOG = LoggerFactory.getLogger(GitSyncController.class);

  private final Vertx vertx;
  private final KubernetesClient client;
  private final BlockingPool pool;
  private final GitSyncOptions options;
  private final Clock clock;
  private final ResourceCache<GitSync> gitSyncs;
  private final ResourceCache<HorizontalPodAutoscaler> hpas;
  private final GitMirror mirror;
  private final ManagedObjects managed;
  private final GitSyncReconciler reconciler;
  private final GitSyncReceiver receiver;
  private final Map<String, String> seen = new ConcurrentHashMap<>();
  private final Map<String, KubernetesClient> impersonated = new ConcurrentHashMap<>();
  private WorkQueue queue;
  private final boolean ownsHpas;

  /**
   * @param canaries the canary engine's Canary cache (Deployments it targets never get {@code spec.replicas}
   *     applied); may be null when the canary engine is not running
   */
  public GitSyncController(Vertx vertx, KubernetesClient client, BlockingPool pool, PrometheusRegistry registry,
      Clock clock, ResourceCache<Canary> canaries, GitSyncOptions options) {
    this(vertx, client, pool, registry, clock, canaries, null, options);
  }

  /**
   * @param sharedHpas an HPA cache another engine already runs (started by its owner); null to watch HPAs here
   */
  public GitSyncController(Vertx vertx, KubernetesClient client, BlockingPool pool, PrometheusRegistry registry,
      Clock clock, ResourceCache<Canary> canaries, ResourceCache<HorizontalPodAutoscaler> sharedHpas,
      GitSyncOptions options) {
    this.vertx = vertx;
    this.client = client;
    this.pool = pool;
    this.options = options;
    this.clock = clock;
    SharedIndexInformer<GitSync> gsInformer = options.namespace() == null
        ? client.resources(GitSync.class).inAnyNamespace().runnableInformer(0)
        : client.resources(GitSync.class).inNamespace(options.namespace()).runnableInformer(0);
    this.gitSyncs = new ResourceCache<>(GitSync.KIND, gsInformer, Map.of());
    this.ownsHpas = sharedHpas == null;
    if (sharedHpas != null) {
      this.hpas = sharedHpas;
    } else {
      SharedIndexInformer<HorizontalPodAutoscaler> hpaInformer = options.namespace() == null
          ? client.autoscaling().v2().horizontalPodAutoscalers().inAnyNamespace().runnableInformer(0)
          : client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(options.namespace()).runnableInformer(0);
      this.hpas = new ResourceCache<>("HorizontalPodAutoscaler", hpaInformer, Map.of());
    }
    this.mirror = new GitMirror(options.cacheDir());
    ApiDiscovery discovery = new ApiDiscovery(client, clock);
    this.managed = new ManagedObjects(client, options.namespace(), this::ownedObjectChanged);
    ReplicasRule replicas = new ReplicasRule(
        ns -> canaries == null ? List.of() : canaries.list(ns),
        hpas::list);
    ApplyPipeline pipeline = new ApplyPipeline(pool, discovery, managed, replicas, options.applyConcurrency());
    EventRecorder events = new EventRecorder(client, pool, clock, "bunting-gitops", options.instance());
    this.reconciler = new GitSyncReconciler(client, pool, clock, gitSyncs, mirror, discovery, managed, pipeline,
        events, new GitSyncMetrics(registry), this::impersonatedClient, options.intervalJitterPercent());
    this.receiver = new GitSyncReceiver(client, pool, gitSyncs, this::requestSync);
  }

  /** The webhook receiver, to mount on the controller's HTTP port (through {@code HttpApi}). */
  public RouteContributor receiver() {
    return receiver;
  }

  /** Starts the caches and the queue; completes when the caches are loaded and every GitSync is queued. */
  public Future<Void> start() {
    queue = new WorkQueue(vertx, GitSync.KIND, options.maxConcurrentSyncs(), reconciler::reconcile,
        Scheduler.of(vertx, clock));
    gitSyncs.onChange(this::gitSyncChanged);
    return pool.run(() -> {
      if (ownsHpas) {
        hpas.start().toCompletableFuture().get();
      }
      gitSyncs.start().toCompletableFuture().get();
      return null;
    }).map(v -> {
      LOG.info("gitsync controller started: {} GitSyncs, mirrors in {}", gitSyncs.list(null).size(),
          options.cacheDir());
      return null;
    });
  }

  /** True once the caches are loaded. */
  public boolean ready() {
    return gitSyncs.synced() && hpas.synced();
  }

  /** Stops syncing; a sync in flight finishes. */
  public Future<Void> stop() {
    if (queue != null) {
      queue.close();
    }
    return pool.run(() -> {
      gitSyncs.stop();
      if (ownsHpas) {
        hpas.stop();
      }
      managed.stop();
      mirror.close();
      impersonated.values().forEach(KubernetesClient::close);
      return null;
    });
  }

  /** Asks for an immediate sync of {@code namespace/name} (the webhook receiver's trigger). */
  public void requestSync(String key) {
    reconciler.requestFullSync(key);
    if (queue != null) {
      queue.enqueue(key);
    }
  }

  /** GitSync cache events: sync on create, deletion, spec change and reconcile request; not on our status writes. */
  private void gitSyncChanged(GitSync gs) {
    String key = ResourceCache.key(gs);
    boolean gone = gitSyncs.get(gs.getMetadata().getNamespace(), gs.getMetadata().getName()).isEmpty();
    String fingerprint = gone ? null : gs.getMetadata().getGeneration() + "|" + gs.requestedAt() + "|"
        + gs.getMetadata().getDeletionTimestamp();
    String before = fingerprint == null ? seen.remove(key) : seen.put(key, fingerprint);
    if (gone || !Objects.equals(before, fingerprint)) {
      requestSync(key);
    }
    if (queue != null) {
      // its status may have made the GitSyncs that depend on it ready to go
      reconciler.waitingFor(gs.getMetadata().getNamespace(), gs.getMetadata().getName()).forEach(queue::enqueue);
    }
  }

  private void ownedObjectChanged(String ownerKey) {
    if (reconciler.waitingForHealth(ownerKey) && queue != null) {
      reconciler.requestHealthCheck(ownerKey);
      queue.enqueue(ownerKey);
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
      if (options.clientFactory() != null) {
        return options.clientFactory().apply(cfg);
      }
      return new KubernetesClientBuilder().withConfig(cfg).withHttpClientFactory(new Vertx5HttpClientFactory(vertx))
          .build();
    });
  }

  /** For tests and tools: the mirror cache directory in use. */
  public java.nio.file.Path cacheDir() {
    return mirror.cacheDir();
  }
}
