package dev.bunting.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bunting.api.Canary;
import dev.bunting.api.Condition;
import dev.bunting.api.GitSync;
import dev.bunting.api.GitSyncSpec;
import dev.bunting.api.ImagePolicy;
import dev.bunting.http.HttpApi;
import dev.bunting.images.ImagePolicyController;
import dev.bunting.kube.ApiRequestCounter;
import dev.bunting.kube.BlockingPool;
import dev.bunting.kube.EventRecorder;
import dev.bunting.kube.Informers;
import dev.bunting.kube.KubeClientFactory;
import dev.bunting.kube.Scheduler;
import dev.bunting.kube.ShardSelector;
import dev.bunting.testing.NamespaceTeardown;
import dev.bunting.testing.TestCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A GitSync controller running in the test JVM against a real API server (the local control plane), with its own
 * client (whose requests an {@link ApiRequestCounter} counts), its receiver on an HTTP port, and a second client for
 * the test's own reads and writes. Installs the CRDs of {@code crds/}.
 */
public final class GitSyncFixture implements AutoCloseable {
  public final Vertx vertx;
  /** The test's own client: its requests are not counted. */
  public final KubernetesClient client;
  /** The controller's client. */
  public final KubernetesClient controllerClient;
  public final WriteRecorder counter;
  public final PrometheusRegistry registry = new PrometheusRegistry();
  public final GitSyncController controller;
  /** The ImagePolicy engine, writing through {@link #controller}. */
  public final ImagePolicyController imagePolicies;
  public final HttpApi http;
  public final String namespace;
  private final BlockingPool pool;
  private final BlockingPool kubePool;
  private final Informers informers;

  private final boolean ownsClusterObjects;

  /** For tests: the cluster, namespace and CRDs come from the {@code @LocalCluster} extension. */
  public GitSyncFixture(TestCluster cluster, Path cacheDir) throws Exception {
    this(Config.fromKubeconfig(Files.readString(cluster.session().kubeconfigFile())), cluster.client(),
        cluster.namespace(), false, cacheDir);
  }

  /** For the benchmark (outside JUnit): {@code $KUBECONFIG} or the local control plane; own namespace and CRDs. */
  public static GitSyncFixture standalone(Path cacheDir) throws Exception {
    Config config = Config.fromKubeconfig(Files.readString(kubeconfig()));
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    installCrds(client);
    String ns = "gitsync-bench-" + UUID.randomUUID().toString().substring(0, 8);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    return new GitSyncFixture(config, client, ns, true, cacheDir);
  }

  private GitSyncFixture(Config config, KubernetesClient testClient, String namespace, boolean owns, Path cacheDir)
      throws Exception {
    this.ownsClusterObjects = owns;
    vertx = Vertx.vertx();
    client = testClient;
    counter = new WriteRecorder(registry);
    controllerClient = KubeClientFactory.create(vertx, config, counter);
    this.namespace = namespace;
    // the GitSync engine as cli.BuntingApp wires it, on its own (no canary engine), watching every namespace
    GitSyncOptions options = GitSyncOptions.defaults().withCacheDir(cacheDir)
        .withApplyConcurrency(Integer.getInteger("bunting.gitsync.applyConcurrency", 16))
        .withClientFactory(cfg -> KubeClientFactory.create(vertx, cfg, counter));
    Clock clock = Clock.systemUTC();
    kubePool = new BlockingPool(vertx, "bunting-kube", 4);
    pool = new BlockingPool(vertx, "bunting-gitsync", options.poolSize());
    informers = new Informers(controllerClient, kubePool, null, Duration.ofMinutes(10));
    GitSyncCaches caches = new GitSyncCaches(informers.watch(GitSync.class, Map.of()),
        informers.watch(Canary.class, Map.of()), informers.watch(HorizontalPodAutoscaler.class, Map.of()));
    controller = new GitSyncController(vertx, controllerClient, pool, informers, caches,
        new EventRecorder(controllerClient, pool, clock, "bunting-gitops", "test"), registry,
        Scheduler.of(vertx, clock), clock, options);
    // as cli.BuntingApp wires it: on the GitSync pool, writing through the GitSync engine
    imagePolicies = new ImagePolicyController(vertx, controllerClient, pool,
        informers.watch(ImagePolicy.class, Map.of()), caches.gitSyncs(), controller,
        new EventRecorder(controllerClient, pool, clock, "bunting-images", "test"), Scheduler.of(vertx, clock), clock,
        4, ShardSelector.ALL);
    http = new HttpApi(vertx, registry, controller::ready, List.of(controller.receiver()));
    http.listen("127.0.0.1", 0).await(30, TimeUnit.SECONDS);
    informers.start().await(60, TimeUnit.SECONDS);
    controller.start().await(60, TimeUnit.SECONDS);
    imagePolicies.start();
  }

  /** {@code $KUBECONFIG}, else the local control plane's ({@code scripts/local-cluster kubeconfig}). */
  public static Path kubeconfig() {
    String env = System.getenv("KUBECONFIG");
    if (env != null && !env.isBlank() && Files.exists(Path.of(env))) {
      return Path.of(env);
    }
    String cache = System.getenv("BUNTING_CACHE");
    Path base = cache != null && !cache.isBlank() ? Path.of(cache)
        : Path.of(System.getProperty("user.home"), ".cache", "bunting");
    return base.resolve("state/local-cluster/kubeconfig");
  }

  public static Path projectDir() {
    return Path.of(System.getProperty("bunting.projectDir", System.getProperty("user.dir")));
  }

  /** Creates or updates every CRD in {@code crds/} and waits until each is established. */
  static void installCrds(KubernetesClient client) throws IOException {
    try (Stream<Path> files = Files.list(projectDir().resolve("crds"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        try (InputStream in = Files.newInputStream(f)) {
          for (HasMetadata o : client.load(in).items()) {
            if (o instanceof CustomResourceDefinition crd) {
              client.resource(crd).fieldManager("bunting-tests").forceConflicts().serverSideApply();
              client.resource(crd).waitUntilCondition(c -> c != null && c.getStatus() != null
                  && c.getStatus().getConditions().stream().anyMatch(x -> x.getType().equals("Established")
                  && x.getStatus().equals("True")), 60, TimeUnit.SECONDS);
            }
          }
        }
      }
    }
  }

  public int port() {
    return http.port();
  }

  /**
   * The controller's request counter, which also keeps each write (method, path, and {@code ?dryRun} for a dry run):
   * the fixture's controller watches every namespace, so a test that counts writes names those of its own namespace.
   */
  public static final class WriteRecorder extends ApiRequestCounter {
    private final List<String> writes = Collections.synchronizedList(new ArrayList<>());

    WriteRecorder(PrometheusRegistry registry) {
      super(registry);
    }

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
      super.before(builder, request, tags);
      if (!request.method().equals("GET")) {
        String query = request.uri().getRawQuery();
        writes.add(request.method() + " " + request.uri().getPath()
            + (query != null && query.contains("dryRun") ? "?dryRun" : ""));
      }
    }

    /** How many writes were made so far; for {@link #writesSince}. */
    public int mark() {
      return writes.size();
    }

    /** The writes made after {@code mark}, in order. */
    public List<String> writesSince(int mark) {
      synchronized (writes) {
        return List.copyOf(writes.subList(mark, writes.size()));
      }
    }
  }

  /** Of the writes made after {@code mark}, those to the fixture's namespace or to cluster-scoped objects. */
  public List<String> ownWritesSince(int mark) {
    return counter.writesSince(mark).stream()
        .filter(w -> w.contains("/namespaces/" + namespace + "/") || !w.contains("/namespaces/")).toList();
  }

  /** Creates a GitSync in the fixture's namespace. */
  public GitSync create(String name, GitSyncSpec spec) {
    GitSync gs = new GitSync();
    gs.getMetadata().setName(name);
    gs.getMetadata().setNamespace(namespace);
    gs.setSpec(spec);
    return client.resource(gs).create();
  }

  public Optional<GitSync> get(String name) {
    return Optional.ofNullable(client.resources(GitSync.class).inNamespace(namespace).withName(name).get());
  }

  public Optional<Condition> condition(String name, String type) {
    return get(name).flatMap(g -> g.getStatus() == null ? Optional.empty()
        : Condition.find(g.getStatus().conditions, type));
  }

  /** Waits until {@code name} is Ready with commit {@code sha} of {@code main} applied. */
  public void awaitApplied(String name, String sha, Duration wait) {
    await().atMost(wait).untilAsserted(() -> {
      GitSync gs = get(name).orElseThrow();
      assertThat(gs.getStatus()).isNotNull();
      assertThat(Condition.find(gs.getStatus().conditions, Condition.READY)).get()
          .satisfies(c -> assertThat(c.status).as(c.message).isEqualTo("True"));
      assertThat(gs.getStatus().lastAppliedRevision).isEqualTo("main@sha1:" + sha);
    });
  }

  /** Asks for a sync the way a user does: a new value of {@code reconcile.bunting.dev/requestedAt}. */
  public String requestSync(String name) {
    String value = String.valueOf(System.nanoTime());
    client.resources(GitSync.class).inNamespace(namespace).withName(name)
        .edit(g -> {
          g.getMetadata().getAnnotations().put(GitSync.REQUESTED_AT, value);
          return g;
        });
    return value;
  }

  /** Waits until {@code name} finished no sync for a second (the syncs something brought about are over). */
  public void awaitSyncsSettled(String name, Duration atMost) {
    AtomicLong last = new AtomicLong(-1);
    await().atMost(atMost).pollInterval(Duration.ofSeconds(1)).until(() -> {
      long now = syncCount(name);
      return last.getAndSet(now) == now;
    });
  }

  /** How many syncs of {@code name} finished (any result), from the duration histogram. */
  public long syncCount(String name) {
    long n = 0;
    for (MetricSnapshot s : registry.scrape().stream().toList()) {
      if (s instanceof HistogramSnapshot h && h.getMetadata().getName().equals("bunting_gitsync_sync_duration_seconds")) {
        for (HistogramSnapshot.HistogramDataPointSnapshot p : h.getDataPoints()) {
          if (name.equals(p.getLabels().get("name")) && namespace.equals(p.getLabels().get("namespace"))) {
            n += p.getCount();
          }
        }
      }
    }
    return n;
  }

  public static GitSyncSpec spec(String url, String path) {
    GitSyncSpec s = new GitSyncSpec();
    s.url = url;
    s.path = path;
    s.interval = "1h";
    s.timeout = "60s";
    s.prune = true;
    return s;
  }

  @Override
  public void close() throws Exception {
    imagePolicies.stop();
    controller.stop().await(30, TimeUnit.SECONDS);
    http.close().await(10, TimeUnit.SECONDS);
    informers.stop();
    controllerClient.close();
    if (ownsClusterObjects) {
      if (!Boolean.getBoolean("bunting.keepNamespaces")) {
        NamespaceTeardown.releaseFinalizers(client, namespace);
        client.namespaces().withName(namespace).delete();
      }
      client.close();
    }
    pool.close();
    kubePool.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  static Duration seconds(long s) {
    return Duration.ofSeconds(s);
  }
}
