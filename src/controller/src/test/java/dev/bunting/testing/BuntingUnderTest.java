package dev.bunting.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bunting.api.Canary;
import dev.bunting.cli.BuntingApp;
import dev.bunting.cli.ControllerOptions;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Bunting running in the test JVM against the test cluster, watching one namespace, with the world around it: a real
 * Prometheus scraping {@link SyntheticAppMetrics} for the namespace's pods, and the status half of a Gateway API
 * implementation ({@link GatewayStatusController}). {@link #restart()} stops the controller and starts a new one, as a
 * pod restart would.
 */
public final class BuntingUnderTest implements AutoCloseable {
  private final TestCluster cluster;
  private final SyntheticAppMetrics metrics;
  private final PrometheusServer prometheus;
  private final GatewayStatusController gateway;
  private final java.util.function.Consumer<ControllerOptions> flags;
  private final ControllerOptions options;
  private final List<BuntingApp> others = new java.util.concurrent.CopyOnWriteArrayList<>();
  private BuntingApp app;
  private volatile java.util.function.ToIntFunction<String> routeWeights;

  private BuntingUnderTest(TestCluster cluster, String provider, List<SyntheticAppMetrics.MetricFamily> families,
      SyntheticAppMetrics.Traffic traffic, java.util.function.Consumer<ControllerOptions> flags) throws Exception {
    assumeTrue(PrometheusServer.isAvailable(), PrometheusServer.UNAVAILABLE);
    this.cluster = cluster;
    this.metrics = new SyntheticAppMetrics(cluster.vertx(), cluster.client(), cluster.namespace(), families, traffic);
    this.prometheus = PrometheusServer.start(cluster.namespace(), metrics.scrapeConfig());
    this.gateway = new GatewayStatusController(cluster.client(), cluster.vertx(), cluster.namespace());
    gateway.start();
    this.flags = o -> {
      o.metricsServer = prometheus.url();
      o.meshProvider = provider;
      o.namespace = cluster.namespace();
      o.port = 0;
      o.listenAddress = "127.0.0.1";
      flags.accept(o);
    };
    this.options = options(o -> { });
    this.app = startApp();
  }

  /** Options as this instance's, then {@code overrides}. */
  private ControllerOptions options(java.util.function.Consumer<ControllerOptions> overrides) {
    ControllerOptions o = ControllerOptions.defaults();
    flags.accept(o);
    overrides.accept(o);
    return o;
  }

  /** Starts Bunting for {@code cluster}'s namespace with {@code provider} as the default provider. */
  public static BuntingUnderTest start(TestCluster cluster, String provider) throws Exception {
    return new BuntingUnderTest(cluster, provider, List.of(SyntheticAppMetrics.MetricFamily.HTTP),
        SyntheticAppMetrics.Traffic.SYNTHETIC, o -> { });
  }

  /** The same, with some flags set otherwise (e.g. {@code --max-concurrent-reconciles}). */
  public static BuntingUnderTest start(TestCluster cluster, String provider,
      java.util.function.Consumer<ControllerOptions> flags) throws Exception {
    return new BuntingUnderTest(cluster, provider, List.of(SyntheticAppMetrics.MetricFamily.HTTP),
        SyntheticAppMetrics.Traffic.SYNTHETIC, flags);
  }

  /**
   * As {@link #start(TestCluster, String)}, but the pods serve only the requests a test sends to the front door of
   * {@link #appMetrics()} ({@link SyntheticAppMetrics.Traffic#DRIVEN}): without load there are no metrics.
   */
  public static BuntingUnderTest startWithDrivenTraffic(TestCluster cluster, String provider) throws Exception {
    return new BuntingUnderTest(cluster, provider, List.of(SyntheticAppMetrics.MetricFamily.HTTP),
        SyntheticAppMetrics.Traffic.DRIVEN, o -> { });
  }

  /**
   * As {@link #start(TestCluster, String)}, with the synthetic pods' traffic exported as the series of {@code families}
   * (e.g. the metrics a mesh's proxies would export, which that provider's builtin queries read).
   */
  public static BuntingUnderTest start(TestCluster cluster, String provider,
      List<SyntheticAppMetrics.MetricFamily> families) throws Exception {
    return new BuntingUnderTest(cluster, provider, families, SyntheticAppMetrics.Traffic.SYNTHETIC, o -> { });
  }

  private BuntingApp startApp() throws Exception {
    return startApp(options);
  }

  private BuntingApp startApp(ControllerOptions with) throws Exception {
    Config config = Config.fromKubeconfig(Files.readString(cluster.session().kubeconfigFile()));
    BuntingApp started = new BuntingApp(cluster.vertx(), with, config, Clock.systemUTC());
    return started.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /**
   * One more controller against the same cluster and Prometheus, with this one's flags and then {@code overrides}
   * (another replica, another shard); stopped with {@link #close()} unless the test stops it first.
   */
  public BuntingApp startAnother(java.util.function.Consumer<ControllerOptions> overrides) throws Exception {
    BuntingApp another = startApp(options(overrides));
    others.add(another);
    return another;
  }

  /**
   * Lets Prometheus scrape Bunting's own {@code /metrics} too (job {@code bunting}, every second), of this controller
   * and of {@code more}, besides the synthetic app.
   */
  public void scrapeBunting(BuntingApp... more) {
    StringBuilder targets = new StringBuilder("\"127.0.0.1:" + app.httpPort() + "\"");
    for (BuntingApp a : more) {
      targets.append(", \"127.0.0.1:").append(a.httpPort()).append('"');
    }
    prometheus.reload(metrics.scrapeConfig() + """
        - job_name: bunting
          honor_labels: true
          scrape_interval: 1s
          static_configs: [{targets: [%s]}]
        """.formatted(targets));
    prometheus.awaitData("up{job=\"bunting\"} == 1", Duration.ofSeconds(30));
  }

  public BuntingApp app() {
    return app;
  }

  /** The exporter standing in for the pods' own metrics. */
  public SyntheticAppMetrics appMetrics() {
    return metrics;
  }

  public PrometheusServer prometheus() {
    return prometheus;
  }

  /** Stops the controller (as a crash or a rolling update of Bunting would) and starts a fresh one. */
  public void restart() throws Exception {
    stopApp();
    app = startApp();
  }

  public void stopApp() throws Exception {
    app.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  public void startAgain() throws Exception {
    app = startApp();
  }

  // ---------------------------------------------------------------------------------------------
  // what a user would look at

  public Canary canary(String name) {
    return cluster.client().resources(Canary.class).inNamespace(cluster.namespace()).withName(name).get();
  }

  /**
   * Reads {@link #routeCanaryWeight} from the provider's own routing object instead of an HTTPRoute (e.g. a
   * TraefikService): {@code reader} maps the apex Service's name to the canary weight, -1 when there is none.
   */
  public void readRouteWeightsWith(java.util.function.ToIntFunction<String> reader) {
    this.routeWeights = reader;
  }

  /** The HTTPRoute's canary weight (rule 0, the backendRef named {@code <svc>-canary}); -1 when there is none. */
  @SuppressWarnings("unchecked")
  public int routeCanaryWeight(String service) {
    if (routeWeights != null) {
      return routeWeights.applyAsInt(service);
    }
    GenericKubernetesResource route = cluster.client().genericKubernetesResources(GatewayStatusController.HTTP_ROUTES)
        .inNamespace(cluster.namespace()).withName(service).get();
    if (route == null) {
      return -1;
    }
    Map<String, Object> spec = (Map<String, Object>) route.getAdditionalProperties().get("spec");
    List<Map<String, Object>> rules = (List<Map<String, Object>>) spec.get("rules");
    for (Map<String, Object> ref : (List<Map<String, Object>>) rules.get(0).get("backendRefs")) {
      if ((service + "-canary").equals(ref.get("name"))) {
        return ((Number) ref.getOrDefault("weight", 1)).intValue();
      }
    }
    return -1;
  }

  /** Messages of the Events recorded on a Canary, oldest first. */
  public List<String> events(String canary) {
    return cluster.client().v1().events().inNamespace(cluster.namespace()).list().getItems().stream()
        .filter(e -> "Canary".equals(e.getInvolvedObject().getKind())
            && canary.equals(e.getInvolvedObject().getName()))
        .sorted(java.util.Comparator.comparing(Event::getFirstTimestamp)
            .thenComparing(e -> e.getMetadata().getName()))
        .map(Event::getMessage)
        .toList();
  }

  /**
   * The Events of a Canary once one of them matches {@code wanted}. The Event of a transition is written after the
   * status that says it, so a test that waited for the phase waits for its Event too.
   */
  public List<String> eventsOnce(String canary, java.util.function.Predicate<String> wanted) {
    return cluster.await().until(() -> events(canary), messages -> messages.stream().anyMatch(wanted));
  }

  public Duration interval() {
    return Duration.ofSeconds(10);
  }

  @Override
  public void close() throws Exception {
    try {
      for (BuntingApp other : others) {
        try {
          other.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          // stopped by the test already
        }
      }
      stopApp();
    } finally {
      gateway.close();
      prometheus.close();
      metrics.close();
    }
  }
}
