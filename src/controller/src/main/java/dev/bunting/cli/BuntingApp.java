package dev.bunting.cli;

import dev.bunting.api.AlertProvider;
import dev.bunting.api.Canary;
import dev.bunting.api.GitSync;
import dev.bunting.api.ImagePolicy;
import dev.bunting.api.MetricTemplate;
import dev.bunting.canary.ActionRecordCheck;
import dev.bunting.canary.CanaryCaches;
import dev.bunting.canary.CanaryCheckRunner;
import dev.bunting.canary.CanaryController;
import dev.bunting.canary.CanaryDecider;
import dev.bunting.canary.CanaryEffects;
import dev.bunting.canary.CanaryNotifications;
import dev.bunting.canary.CanaryObserver;
import dev.bunting.canary.CanaryReconciler;
import dev.bunting.canary.KeptnClient;
import dev.bunting.canary.PrometheusAnalysis;
import dev.bunting.canary.RevisionPods;
import dev.bunting.canary.router.DefaultServiceBuilder;
import dev.bunting.canary.router.RouterSettings;
import dev.bunting.canary.router.Routers;
import dev.bunting.canary.router.ServiceBuilder;
import dev.bunting.canary.workload.SelectorLabels;
import dev.bunting.canary.workload.Workloads;
import dev.bunting.gitops.GitSyncCaches;
import dev.bunting.gitops.GitSyncController;
import dev.bunting.gitops.GitSyncOptions;
import dev.bunting.hooks.EventWebhookDispatcher;
import dev.bunting.hooks.WebhookCaller;
import dev.bunting.hooks.WebhookRunner;
import dev.bunting.http.HttpApi;
import dev.bunting.http.RouteContributor;
import dev.bunting.images.ImagePolicyController;
import dev.bunting.kube.ApiRequestCounter;
import dev.bunting.kube.Applier;
import dev.bunting.kube.BlockingPool;
import dev.bunting.kube.EventRecorder;
import dev.bunting.kube.Informers;
import dev.bunting.kube.KubeClientFactory;
import dev.bunting.kube.LeaderElection;
import dev.bunting.kube.ResourceCache;
import dev.bunting.kube.Scheduler;
import dev.bunting.kube.ShardSelector;
import dev.bunting.kube.StatusWriter;
import dev.bunting.kube.WorkQueue;
import dev.bunting.metrics.ControllerMetrics;
import dev.bunting.metrics.FlaggerMetrics;
import dev.bunting.notify.AlertNotifier;
import dev.bunting.notify.GlobalNotifierConfig;
import dev.bunting.ui.CanaryHistory;
import dev.bunting.ui.UiAccess;
import dev.bunting.ui.UiRoutes;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where Bunting is wired: the Kubernetes client on the shared Vert.x, the informer caches of both
 * engines ({@link Informers}), the canary engine and the GitSync engine, notifications, metrics and the HTTP server.
 * The CLI, the tests and the playground start it the same way.
 *
 * <p>Threads: Vert.x event loops run the work queues and the non-blocking parts of reconciles; blocking work (fabric8
 * calls, JGit, files) runs on one worker pool per engine ({@code bunting-canary}, {@code bunting-gitsync}), so that
 * neither engine's work ever queues behind the other's, plus a small {@code bunting-kube} pool for starting the client
 * and the informers. {@code --max-concurrent-reconciles} bounds each engine's queue.
 *
 * <p>With {@code --leader-elect}, every replica starts its caches and its HTTP port (and is ready once the caches are
 * loaded), but the engines' queues start only on the replica that holds the Lease ({@link LeaderElection}); a standby
 * writes nothing, records no Event and calls no webhook. A leader that loses the Lease stops its engines at once and
 * calls {@link #onLeadershipLost} (the {@code controller} command exits, so Kubernetes restarts it as a standby).
 * {@code --watch-label-selector} limits both engines to the Canaries and GitSyncs of one shard.
 */
public final class BuntingApp {
  private static final Logger LOG = LoggerFactory.getLogger(BuntingApp.class);
  public static final String FIELD_MANAGER = "bunting";
  /** The UI keeps this many observed status changes per canary, for this many canaries. */
  static final int UI_HISTORY_PER_CANARY = 500;
  static final int UI_HISTORY_CANARIES = 2000;
  /** Timeline entries held for all canaries together (about 1 KiB each). */
  static final int UI_HISTORY_ENTRIES = 20_000;
  /** The UI's live updates are coalesced over this long. */
  static final long UI_DEBOUNCE_MS = 250;

  private final Vertx vertx;
  private final ControllerOptions options;
  private final Config kubeConfig;
  private final Clock clock;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final ApiRequestCounter requests = new ApiRequestCounter(registry);
  private final ControllerMetrics controllerMetrics = new ControllerMetrics(registry);
  private final List<Runnable> stops = new ArrayList<>();
  private final List<BlockingPool> pools = new ArrayList<>();
  private BlockingPool kubePool;
  private KubernetesClient client;
  private Informers informers;
  private CanaryController canaries;
  private GitSyncController gitSyncs;
  private ImagePolicyController imagePolicies;
  private HttpApi http;
  private ShardSelector shard;
  private LeaderElection election;
  private volatile Runnable onLeadershipLost = () -> { };
  private volatile boolean ready;
  private volatile boolean acting;
  private Future<Void> stopping;

  public BuntingApp(Vertx vertx, ControllerOptions options, Config kubeConfig, Clock clock) {
    this.vertx = vertx;
    this.options = options;
    this.kubeConfig = kubeConfig;
    this.clock = clock;
  }

  /** Builds everything, waits for the caches, starts the engines and the HTTP server. */
  public Future<BuntingApp> start() {
    try {
      shard = options.shardSelector();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new IllegalArgumentException("--watch-label-selector: " + e.getMessage(), e));
    }
    kubePool = pool("bunting-kube", 4);
    return kubePool.run(() -> KubeClientFactory.create(vertx, kubeConfig, requests, options.apiRateLimiter()))
        .compose(c -> {
          client = c;
          stops.add(client::close);
          informers = new Informers(client, kubePool, options.namespace().orElse(null), Duration.ofMinutes(10));
          stops.add(informers::stop);
          return kubePool.run(this::wire);
        })
        .compose(contributors -> {
          http = new HttpApi(vertx, registry, () -> ready && informers.synced()
              && (gitSyncs == null || gitSyncs.ready()), contributors);
          return http.listen(options.listenAddress, options.port);
        })
        .compose(s -> informers.start())
        .compose(v -> options.leaderElect ? kubePool.run(this::createElection).mapEmpty() : act())
        .map(v -> {
          ready = true;
          if (!options.idleGcAfter.isZero()) {
            long timer = new IdleHeapCollector(options.idleGcAfter, requests::writes).start(vertx);
            stops.add(() -> vertx.cancelTimer(timer));
          }
          LOG.info("Bunting {} started: watching {}{}, default provider {}, metrics server {}, HTTP on port {}{}",
              BuntingVersion.version(), options.namespace().map(n -> "namespace " + n).orElse("all namespaces"),
              shard.all() ? "" : " (Canaries and GitSyncs matching " + shard + ")", options.meshProvider,
              options.metricsServer().orElse("(none)"), http.port(),
              election == null ? "" : "; standby until it holds Lease " + election.settings().lease());
          if (election != null) {
            election.start();
          }
          return this;
        });
  }

  /** Starts both engines: this instance acts on its Canaries and GitSyncs from now on. */
  private Future<Void> act() {
    synchronized (this) {
      if (stopping != null) {
        return Future.succeededFuture(); // a Lease won while stopping: nothing to start
      }
    }
    acting = true;
    controllerMetrics.leading(shard.toString(), true);
    canaries.start();
    if (imagePolicies != null) {
      imagePolicies.start();
    }
    return gitSyncs == null ? Future.succeededFuture() : gitSyncs.start();
  }

  /** The Lease of {@code --leader-elect}; blocking (it reads the client's namespace). */
  private LeaderElection createElection() {
    String ns = Optional.ofNullable(options.leaderElectionNamespace).filter(n -> !n.isBlank())
        .or(() -> Optional.ofNullable(System.getenv("POD_NAMESPACE")).filter(n -> !n.isBlank()))
        .or(() -> Optional.ofNullable(client.getNamespace()))
        .orElse("default");
    LeaderElection.Settings settings = new LeaderElection.Settings(ns, options.leaderElectionId,
        options.leaderElectionLeaseDuration, options.leaderElectionRenewDeadline, options.leaderElectionRetryPeriod);
    controllerMetrics.leading(shard.toString(), false);
    election = new LeaderElection(client, settings, hostname(),
        () -> vertx.runOnContext(v -> act().onFailure(e -> LOG.error("could not start the engines", e))),
        () -> vertx.runOnContext(v -> lost()));
    return election;
  }

  /**
   * The Lease was lost (not renewed in time): stop taking work at once. What runs finishes; the Lease expires only a
   * lease duration after the last renewal, later than the renew deadline at which this runs, so a new leader starts
   * after this one has stopped.
   */
  private void lost() {
    acting = false;
    controllerMetrics.leading(shard.toString(), false);
    canaries.stop();
    if (gitSyncs != null) {
      gitSyncs.stop();
    }
    onLeadershipLost.run();
  }

  /**
   * What to do after the Lease was lost and the engines stopped (called on a Vert.x event loop; must not block). The
   * {@code controller} command exits the process, so that Kubernetes restarts it as a fresh standby. By default
   * nothing more: the instance stays up without engines.
   */
  public BuntingApp onLeadershipLost(Runnable action) {
    this.onLeadershipLost = action;
    return this;
  }

  private BlockingPool pool(String name, int size) {
    BlockingPool p = new BlockingPool(vertx, name, size);
    pools.add(p);
    return p;
  }

  /** Creates caches and engines (blocking: API discovery). Returns the HTTP route contributors. */
  private List<RouteContributor> wire() {
    Routers routers = new Routers(options.meshProvider,
        new RouterSettings(options.ingressAnnotationsPrefix, options.ingressClass));
    Workloads workloads = new Workloads(new SelectorLabels(options.selectorLabels), options.configTracking);
    Map<String, ResourceCache<GenericKubernetesResource>> routes = new HashMap<>();
    for (ResourceDefinitionContext rdc : concat(routers.kinds(), workloads.kinds())) {
      String key = CanaryCaches.routeKey(rdc);
      if (routes.containsKey(key)) {
        continue;
      }
      if (informers.served(rdc)) {
        routes.put(key, informers.watch(rdc, Map.of()));
      } else {
        LOG.info("{} ({}/{}) is not served by the API server; canaries using it will say so in their status",
            rdc.getKind(), rdc.getGroup(), rdc.getVersion());
      }
    }
    CanaryCaches caches = new CanaryCaches(
        informers.watch(Canary.class, CanaryController.canaryIndexers(routers)),
        // read by name only: held as JSON (a fraction of the memory), the largest caches of a cluster
        informers.watchByName(Deployment.class),
        informers.watchByName(DaemonSet.class),
        informers.watchByName(StatefulSet.class),
        informers.watchByName(Service.class),
        informers.watch(MetricTemplate.class, Map.of()),
        informers.watch(AlertProvider.class, Map.of()),
        // read only where canaries are (their namespaces and their templates' and alert providers'): watched there
        informers.watchOnDemand(Secret.class),
        informers.watchOnDemand(ConfigMap.class),
        informers.<HorizontalPodAutoscaler, io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerList>watch(
            HorizontalPodAutoscaler.class, Map.of()),
        routes);

    String instance = hostname();
    BlockingPool canaryPool = pool("bunting-canary", Math.max(4, 2 * options.maxConcurrentReconciles));
    EventRecorder events = new EventRecorder(client, canaryPool, clock, "bunting", instance);
    FlaggerMetrics metrics = new FlaggerMetrics(registry, BuntingVersion.version(), options.meshProvider);
    WebhookCaller caller = new WebhookCaller(vertx);
    stops.add(caller::close);
    WebhookRunner hookRunner = new WebhookRunner(caller, (type, context, result, took) ->
        controllerMetrics.webhookCalled(targetOf(caches, context.namespace(), context.name()), context.namespace(),
            type.wire(), result.failed(), took));
    AlertNotifier alerts = new AlertNotifier(vertx, GlobalNotifierConfig.fromFlags(options.slackUrl,
        options.slackChannel, options.slackUser, options.msteamsUrl, Map.of()), Optional.ofNullable(options.clusterName),
        clock);
    stops.add(alerts::close);
    EventWebhookDispatcher eventHooks = new EventWebhookDispatcher(caller, clock,
        Optional.ofNullable(options.eventWebhook).filter(s -> !s.isBlank()));
    CanaryNotifications notifier = new CanaryNotifications(alerts, eventHooks, hookRunner, caches, events);
    PrometheusAnalysis analysis = new PrometheusAnalysis(vertx, caches, new RevisionPods(client, canaryPool, caches),
        options.metricsServer(), routers.defaultProvider(), controllerMetrics, new KeptnClient(client, canaryPool));
    stops.add(analysis::close);
    ServiceBuilder services = new DefaultServiceBuilder();
    CanaryObserver observer = new CanaryObserver(caches, routers, workloads, options.metricsServer().isPresent(),
        options.maxProgressingCanaries);
    CanaryEffects effects = new CanaryEffects(client, canaryPool, new Applier(client, canaryPool, FIELD_MANAGER), caches,
        services, notifier);
    CanaryReconciler reconciler = new CanaryReconciler(new StatusWriter(client, canaryPool),
        new ActionRecordCheck(client, canaryPool, clock), caches, observer,
        new CanaryDecider(), new CanaryCheckRunner(hookRunner, analysis), effects, notifier, events, metrics, clock);
    Scheduler scheduler = Scheduler.of(vertx, clock);
    canaries = new CanaryController(vertx, caches, reconciler, metrics, options.maxConcurrentReconciles, scheduler,
        shard);
    canaries.queue().observe(queueObserver(canaries.queue().name()));
    stops.add(canaries::stop);

    ResourceDefinitionContext gitSyncKind = ResourceDefinitionContext.fromResourceType(GitSync.class);
    if (!informers.served(gitSyncKind)) {
      LOG.warn("GitSync ({}/{}) is not installed: Git sync is off; install crds/ to turn it on",
          gitSyncKind.getGroup(), gitSyncKind.getVersion());
      return withUi(List.of(), caches, Optional.empty());
    }
    ResourceCache<GitSync> gitSyncCache = informers.watch(GitSync.class, Map.of());
    GitSyncOptions gitOptions = GitSyncOptions.defaults()
        .withCacheDir(options.gitCacheDir != null ? options.gitCacheDir : GitSyncOptions.defaultCacheDir())
        .withMaxConcurrentSyncs(options.maxConcurrentSyncs)
        .withIntervalJitterPercent(options.intervalJitterPercentage)
        .withShard(shard)
        .withClientFactory(cfg -> KubeClientFactory.create(vertx, cfg, requests, options.apiRateLimiter()));
    BlockingPool gitSyncPool = pool("bunting-gitsync", gitOptions.poolSize());
    gitSyncs = new GitSyncController(vertx, client, gitSyncPool, informers,
        new GitSyncCaches(gitSyncCache, caches.canaries(), caches.autoscalers()),
        new EventRecorder(client, gitSyncPool, clock, "bunting-gitops", instance), registry, scheduler, clock,
        gitOptions);
    gitSyncs.queue().observe(queueObserver(gitSyncs.queue().name()));
    if (informers.served(ResourceDefinitionContext.fromResourceType(ImagePolicy.class))) {
      imagePolicies = new ImagePolicyController(vertx, client, gitSyncPool,
          informers.watch(ImagePolicy.class, Map.of()), gitSyncCache, gitSyncs,
          new EventRecorder(client, gitSyncPool, clock, "bunting-images", instance), scheduler, clock,
          options.maxConcurrentSyncs, shard);
      stops.add(imagePolicies::stop);
    } else {
      LOG.warn("ImagePolicy is not installed: image updates are off; install crds/ to turn them on");
    }
    return withUi(List.of(gitSyncs.receiver()), caches, Optional.of(gitSyncCache));
  }

  /** {@code contributors} and, with {@code --ui}, the web UI on the caches of both engines. */
  private List<RouteContributor> withUi(List<RouteContributor> contributors, CanaryCaches caches,
      Optional<ResourceCache<GitSync>> gitSyncCache) {
    if (!options.ui) {
      return contributors;
    }
    BlockingPool uiPool = pool("bunting-ui", 2);
    UiRoutes ui = new UiRoutes(vertx, caches.canaries(), gitSyncCache, true,
        new CanaryHistory(clock, UI_HISTORY_PER_CANARY, UI_HISTORY_CANARIES, UI_HISTORY_ENTRIES),
        new UiAccess(client, uiPool), client, uiPool, clock, UI_DEBOUNCE_MS);
    stops.add(ui.stream()::close);
    List<RouteContributor> all = new ArrayList<>(contributors);
    all.add(ui);
    return all;
  }

  /** Work queue waits, reconcile durations and depths, as {@link ControllerMetrics}' series. */
  private WorkQueue.Observer queueObserver(String queue) {
    controllerMetrics.queue(queue);
    return new WorkQueue.Observer() {
      @Override
      public void started(String queue, Duration waited) {
        controllerMetrics.queueWaited(queue, waited);
      }

      @Override
      public void finished(String queue, Duration took, Throwable error) {
        controllerMetrics.reconciled(queue, took, error != null);
      }

      @Override
      public void depth(String queue, int ready, int running) {
        controllerMetrics.queueDepth(queue, ready, running);
      }
    };
  }

  /** The target of canary {@code namespace/name} (the {@code name} label of Flagger's series), else its name. */
  private static String targetOf(CanaryCaches caches, String namespace, String name) {
    return caches.canaries().get(namespace, name).filter(c -> c.getSpec() != null && c.getSpec().targetRef != null)
        .map(c -> c.getSpec().targetRef.name).orElse(name);
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  public ApiRequestCounter requests() {
    return requests;
  }

  public KubernetesClient client() {
    return client;
  }

  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  public boolean ready() {
    return ready;
  }

  /** Whether this instance acts on its Canaries and GitSyncs now (it leads, or there is no leader election). */
  public boolean acting() {
    return acting;
  }

  /** The leader election of {@code --leader-elect}, if on. */
  public Optional<LeaderElection> election() {
    return Optional.ofNullable(election);
  }

  /** Stops the engines, caches, HTTP server and client (a held Lease is released); the caller owns the Vert.x. */
  public Future<Void> stop() {
    return stop(true);
  }

  /**
   * Stops everything as a killed process would as far as other replicas can tell: a held Lease is not released, so a
   * standby takes over only once it expires. For tests of the takeover.
   */
  public Future<Void> stopWithoutReleasingLease() {
    return stop(false);
  }

  private synchronized Future<Void> stop(boolean releaseLease) {
    if (stopping != null) {
      return stopping;
    }
    stopping = doStop(releaseLease);
    return stopping;
  }

  private Future<Void> doStop(boolean releaseLease) {
    ready = false;
    acting = false;
    Future<Void> released = election == null || kubePool == null ? Future.succeededFuture()
        : kubePool.run(() -> {
          election.close(releaseLease);
          return null;
        });
    Future<Void> closed = released.eventually(() -> http == null ? Future.succeededFuture() : http.close());
    if (gitSyncs != null) {
      closed = closed.eventually(() -> gitSyncs.stop());
    }
    if (kubePool == null) {
      return closed;
    }
    return closed.eventually(() -> kubePool.run(() -> {
      for (int i = stops.size() - 1; i >= 0; i--) {
        try {
          stops.get(i).run();
        } catch (RuntimeException e) {
          LOG.debug("while stopping", e);
        }
      }
      return (Void) null;
    })).eventually(() -> {
      pools.forEach(BlockingPool::close);
      return Future.succeededFuture();
    });
  }

  private static String hostname() {
    String pod = System.getenv("POD_NAME");
    if (pod != null && !pod.isBlank()) {
      return pod;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "bunting";
    }
  }
}
