package dev.bunting.cli;

import dev.bunting.api.AlertProvider;
import dev.bunting.api.Canary;
import dev.bunting.api.GitSync;
import dev.bunting.api.MetricTemplate;
import dev.bunting.canary.CanaryCaches;
import dev.bunting.canary.CanaryCheckRunner;
import dev.bunting.canary.CanaryController;
import dev.bunting.canary.CanaryDecider;
import dev.bunting.canary.CanaryEffects;
import dev.bunting.canary.CanaryNotifications;
import dev.bunting.canary.CanaryObserver;
import dev.bunting.canary.CanaryReconciler;
import dev.bunting.canary.PrometheusAnalysis;
import dev.bunting.canary.RevisionPods;
import dev.bunting.canary.router.DefaultServiceBuilder;
import dev.bunting.canary.router.RouterSettings;
import dev.bunting.canary.router.Routers;
import dev.bunting.canary.router.ServiceBuilder;
import dev.bunting.canary.workload.DeploymentWorkload;
import dev.bunting.canary.workload.SelectorLabels;
import dev.bunting.gitops.GitSyncController;
import dev.bunting.gitops.GitSyncOptions;
import dev.bunting.hooks.EventWebhookDispatcher;
import dev.bunting.hooks.WebhookCaller;
import dev.bunting.hooks.WebhookRunner;
import dev.bunting.http.HttpApi;
import dev.bunting.http.RouteContributor;
import dev.bunting.kube.ApiRequestCounter;
import dev.bunting.kube.Applier;
import dev.bunting.kube.BlockingPool;
import dev.bunting.kube.EventRecorder;
import dev.bunting.kube.Informers;
import dev.bunting.kube.KubeClientFactory;
import dev.bunting.kube.ResourceCache;
import dev.bunting.metrics.FlaggerMetrics;
import dev.bunting.notify.AlertNotifier;
import dev.bunting.notify.GlobalNotifierConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where Bunting is wired: the Kubernetes client on the shared Vert.x, the informer caches, the canary
 * engine, GitSync, notifications, metrics and the HTTP server. The CLI, the tests and the playground start it the
 * same way.
 */
public final class BuntingApp {
  private static final Logger LOG = LoggerFactory.getLogger(BuntingApp.class);
  public static final String FIELD_MANAGER = "bunting";

  private final Vertx vertx;
  private final ControllerOptions options;
  private final Config kubeConfig;
  private final Clock clock;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final ApiRequestCounter requests = new ApiRequestCounter(registry);
  private final List<Runnable> stops = new ArrayList<>();
  private BlockingPool pool;
  private KubernetesClient client;
  private Informers informers;
  private CanaryController canaries;
  private GitSyncController gitSyncs;
  private HttpApi http;
  private volatile boolean ready;

  public BuntingApp(Vertx vertx, ControllerOptions options, Config kubeConfig, Clock clock) {
    this.vertx = vertx;
    this.options = options;
    this.kubeConfig = kubeConfig;
    this.clock = clock;
  }

  /** Builds everything, waits for the caches, starts the engines and the HTTP server. */
  public Future<BuntingApp> start() {
    pool = new BlockingPool(vertx, 16);
    return pool.run(() -> KubeClientFactory.create(vertx, kubeConfig, requests, options.apiRateLimiter()))
        .compose(c -> {
          client = c;
          stops.add(client::close);
          informers = new Informers(client, pool, options.namespace().orElse(null), Duration.ofMinutes(10));
          stops.add(informers::stop);
          return pool.run(this::wire);
        })
        .compose(contributors -> {
          http = new HttpApi(vertx, registry, () -> ready && informers.synced()
              && (gitSyncs == null || gitSyncs.ready()), contributors);
          return http.listen(options.listenAddress, options.port);
        })
        .compose(s -> informers.start())
        .compose(v -> gitSyncs == null ? Future.succeededFuture() : gitSyncs.start())
        .map(v -> {
          canaries.enqueueAll();
          ready = true;
          LOG.info("Bunting {} started: watching {}, default provider {}, metrics server {}, HTTP on port {}",
              BuntingVersion.version(), options.namespace().map(n -> "namespace " + n).orElse("all namespaces"),
              options.meshProvider, options.metricsServer().orElse("(none)"), http.port());
          return this;
        });
  }

  /** Creates caches and engines (blocking: API discovery). Returns the HTTP route contributors. */
  private List<RouteContributor> wire() {
    Routers routers = new Routers(options.meshProvider,
        new RouterSettings(options.ingressAnnotationsPrefix, options.ingressClass));
    Map<String, ResourceCache<GenericKubernetesResource>> routes = new HashMap<>();
    for (ResourceDefinitionContext rdc : routers.kinds()) {
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
        informers.<Deployment, io.fabric8.kubernetes.api.model.apps.DeploymentList>watch(Deployment.class, Map.of()),
        informers.<Service, io.fabric8.kubernetes.api.model.ServiceList>watch(Service.class, Map.of()),
        informers.watch(MetricTemplate.class, Map.of()),
        informers.watch(AlertProvider.class, Map.of()),
        informers.<Secret, io.fabric8.kubernetes.api.model.SecretList>watch(Secret.class, Map.of()),
        informers.<ConfigMap, io.fabric8.kubernetes.api.model.ConfigMapList>watch(ConfigMap.class, Map.of()),
        informers.<HorizontalPodAutoscaler, io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerList>watch(
            HorizontalPodAutoscaler.class, Map.of()),
        routes);

    String instance = hostname();
    EventRecorder events = new EventRecorder(client, pool, clock, "bunting", instance);
    FlaggerMetrics metrics = new FlaggerMetrics(registry, BuntingVersion.version(), options.meshProvider);
    WebhookCaller caller = new WebhookCaller(vertx);
    stops.add(caller::close);
    WebhookRunner hookRunner = new WebhookRunner(caller);
    AlertNotifier alerts = new AlertNotifier(vertx, GlobalNotifierConfig.fromFlags(options.slackUrl,
        options.slackChannel, options.slackUser, options.msteamsUrl, Map.of()), Optional.ofNullable(options.clusterName));
    stops.add(alerts::close);
    EventWebhookDispatcher eventHooks = new EventWebhookDispatcher(caller, clock,
        Optional.ofNullable(options.eventWebhook).filter(s -> !s.isBlank()));
    CanaryNotifications notifier = new CanaryNotifications(alerts, eventHooks, hookRunner, caches, events);
    PrometheusAnalysis analysis = new PrometheusAnalysis(vertx, caches, new RevisionPods(client, pool, caches),
        options.metricsServer(), routers.defaultProvider());
    stops.add(analysis::close);
    DeploymentWorkload workload = new DeploymentWorkload();
    ServiceBuilder services = new DefaultServiceBuilder();
    CanaryObserver observer = new CanaryObserver(caches, routers, workload, new SelectorLabels(options.selectorLabels),
        options.metricsServer().isPresent(), options.maxProgressingCanaries, options.configTracking);
    CanaryEffects effects = new CanaryEffects(client, pool, new Applier(client, pool, FIELD_MANAGER), caches, workload,
        services, notifier);
    CanaryReconciler reconciler = new CanaryReconciler(client, pool, caches, observer, new CanaryDecider(),
        new CanaryCheckRunner(hookRunner, analysis), effects, notifier, events, metrics, clock);
    canaries = new CanaryController(vertx, caches, reconciler, metrics, options.maxConcurrentReconciles);
    stops.add(canaries::stop);

    GitSyncOptions gitOptions = GitSyncOptions.defaults()
        .withCacheDir(options.gitCacheDir != null ? options.gitCacheDir : GitSyncOptions.defaultCacheDir())
        .withNamespace(options.namespace().orElse(null))
        .withIntervalJitterPercent(options.intervalJitterPercentage)
        .withClientFactory(cfg -> KubeClientFactory.create(vertx, cfg, requests, options.apiRateLimiter()));
    ResourceDefinitionContext gitSyncKind = ResourceDefinitionContext.fromResourceType(GitSync.class);
    if (!informers.served(gitSyncKind)) {
      LOG.warn("GitSync ({}/{}) is not installed: Git sync is off; install crds/ to turn it on",
          gitSyncKind.getGroup(), gitSyncKind.getVersion());
      return List.of();
    }
    gitSyncs = new GitSyncController(vertx, client, pool, registry, clock, caches.canaries(), caches.autoscalers(),
        gitOptions);
    return List.of(gitSyncs.receiver());
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

  /** Stops the engines, caches, HTTP server and client; the caller owns the Vert.x instance. */
  public Future<Void> stop() {
    ready = false;
    Future<Void> closed = http == null ? Future.succeededFuture() : http.close();
    if (gitSyncs != null) {
      closed = closed.eventually(() -> gitSyncs.stop());
    }
    if (pool == null) {
      return closed;
    }
    return closed.eventually(() -> pool.run(() -> {
      for (int i = stops.size() - 1; i >= 0; i--) {
        try {
          stops.get(i).run();
        } catch (RuntimeException e) {
          LOG.debug("while stopping", e);
        }
      }
      return (Void) null;
    })).eventually(() -> {
      pool.close();
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
