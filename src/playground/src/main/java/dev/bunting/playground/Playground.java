package dev.bunting.playground;

import dev.bunting.api.CanaryPhase;
import dev.bunting.testing.LocalRegistry;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code bunting playground}: the whole GitOps canary story on the local machine. It starts (or reuses) the local
 * control plane, installs the CRDs, creates a namespace, starts a Prometheus and the simulated data plane, creates
 * the demo app's Git repository, starts Bunting (through a {@link ControllerLauncher}) and a GitSync pointing at the
 * repository, then plays a {@link Scenario}: each release is a commit that Bunting promotes or rolls back, printed
 * as a live {@link Timeline}, then summarised.
 *
 * <p>Everything it starts is recorded and {@link #close() closed} in reverse order: the timeline, Bunting, the data
 * plane, its files, the namespace, its Prometheus, and the local control plane only if this run started it and
 * {@code keep} is off. Blocking: runs on the caller's thread (never an event loop).
 */
public final class Playground implements AutoCloseable {
  private final Vertx vertx;
  private final PlaygroundSettings settings;
  private final ControllerLauncher launcher;
  private final PrintStream out;
  private final Clock clock;
  private final ProjectLayout project;
  private final ScriptRunner scripts;
  private final List<Closer> closers = new ArrayList<>();
  private final Instant started;
  private boolean closed;

  private LocalControlPlane.Lease cluster;
  private KubernetesClient client;
  private PlaygroundPrometheus prometheus;
  private String prometheusUrl;
  private DataPlane dataPlane;
  private DemoRepository repo;
  private ControllerLauncher.Running controller;
  private GitSyncLink gitSync;
  private LocalRegistry registry;
  private ImagePolicyLink imagePolicy;
  private CanaryWatch canary;
  private Timeline timeline;

  /** One thing to stop or delete at the end; {@code what} names it for the person (null for plumbing). */
  private record Closer(String what, ThrowingRunnable action) {}

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** The playground registry's account (a local, throwaway registry). */
  static final String REGISTRY_USER = "playground";
  static final String REGISTRY_PASSWORD = "playground-registry";

  public Playground(Vertx vertx, PlaygroundSettings settings, ControllerLauncher launcher, PrintStream out,
      Clock clock) {
    this.vertx = vertx;
    this.settings = settings;
    this.launcher = launcher;
    this.out = out;
    this.clock = clock;
    this.project = ProjectLayout.find(settings.projectDir());
    this.scripts = new ScriptRunner(project.root(), out);
    this.started = clock.instant();
  }

  /** Sets everything up, plays the scenario and returns its summary. */
  public PlaygroundSummary run() throws InterruptedException {
    setUp();
    List<ReleaseOutcome> outcomes = new ArrayList<>();
    String from = Scenario.INITIAL_TAG;
    ScenarioRunner runner = new ScenarioRunner(clock, client, settings.namespace(), repo, gitSync, canary, timeline,
        this::routeWeight, analysis());
    if (registry != null) {
      runner.releaseByImages(registry, imagePolicy);
    }
    List<Scenario.Release> releases = settings.scenario().releases();
    for (int i = 0; i < releases.size(); i++) {
      // No pause between releases: the demo Canary's analysis.window is release, so each release is judged on the
      // requests of its own canary pods since its own start (docs/analysis.md).
      ReleaseOutcome o = runner.play(i + 1, releases.size(), from, releases.get(i));
      outcomes.add(o);
      if (!o.problem().isEmpty()) {
        break;
      }
      if (o.promoted()) {
        from = o.tag();
      }
    }
    PlaygroundSummary summary = new PlaygroundSummary(settings.scenario(), settings.interval(), outcomes,
        primaryImage(), dataPlane.load().answers(), Duration.between(started, clock.instant()));
    summary.lines().forEach(out::println);
    return summary;
  }

  private DemoApp.Analysis analysis() {
    return DemoApp.Analysis.tutorial(settings.interval());
  }

  // ---------------------------------------------------------------------------------------------
  // setting up

  private void setUp() throws InterruptedException {
    out.println("Bunting playground: scenario " + settings.scenario() + ", analysis every "
        + settings.interval().toSeconds() + "s (project " + project.root() + ")");
    step(1, "local control plane (scripts/local-cluster up; the first run builds Kubernetes from source, 15-25 min)");
    cluster = new LocalControlPlane(project, scripts).up();
    if (cluster.startedHere() && !settings.keep()) {
      register(new Closer("the local control plane it started", () -> new LocalControlPlane(project, scripts)
          .down(cluster)));
    }
    client = connect(cluster.kubeconfig());
    register(new Closer(null, client::close));
    ClusterSetup setup = new ClusterSetup(client);
    prometheus = new PlaygroundPrometheus(project, scripts, settings.prometheusName(),
        settings.prometheusPort() == 0 ? freePort() : settings.prometheusPort());
    handleLeftovers(setup);

    List<String> crds = setup.installCrds(project);
    if (settings.scenario().imagePolicy() && !crds.contains(ImagePolicyLink.CRD)) {
      throw new PlaygroundException("this checkout has no ImagePolicy CRD (crds/bunting.dev_imagepolicies.yaml)");
    }
    if (!crds.contains(GitSyncLink.CRD)) {
      throw new PlaygroundException("this checkout has no GitSync CRD (crds/bunting.dev_gitsyncs.yaml): the "
          + "playground needs Bunting's GitSync");
    }
    step(2, "CRDs installed: " + String.join(", ", crds));

    setup.createNamespace(settings.namespace());
    register(new Closer("namespace " + settings.namespace(),
        () -> setup.deleteNamespace(settings.namespace(), 120)));
    step(3, "namespace " + settings.namespace());

    register(new Closer("playground files in " + settings.stateDir(), this::deleteStateDir));
    prometheusUrl = prometheus.up(settings.targetsFile(), settings.prometheusConfig());
    register(new Closer("Prometheus " + prometheus.name(), prometheus::down));
    step(4, "Prometheus " + prometheusUrl + " scraping the simulated pods every second (file_sd "
        + settings.targetsFile() + ")");

    dataPlane = await(DataPlane.start(vertx, client, new DataPlane.Settings(settings.namespace(),
        DemoApp.GATEWAY, DemoApp.HOST, settings.targetsFile(), settings.gatewayPort(),
        settings.requestsPerSecond())), "the simulated data plane");
    register(new Closer("simulated data plane (gateway, pods, load)", dataPlane::close));
    step(5, "simulated data plane: gateway http://127.0.0.1:" + dataPlane.gateway().port() + " (Host: "
        + DemoApp.HOST + "), " + Math.round(settings.requestsPerSecond()) + " requests/s, an app per kwok pod");

    DemoApp app = new DemoApp(analysis());
    if (settings.scenario().imagePolicy()) {
      if (!LocalRegistry.isAvailable()) {
        throw new PlaygroundException("scenario image-policy needs a registry: " + LocalRegistry.UNAVAILABLE);
      }
      registry = LocalRegistry.start(settings.stateDir().resolve("registry"), REGISTRY_USER, REGISTRY_PASSWORD);
      register(new Closer("registry " + registry.host(), registry::close));
      registry.push(DemoApp.NAME, Scenario.INITIAL_TAG);
      app = new DemoApp(analysis(), registry.host() + "/" + DemoApp.NAME, settings.namespace() + ":" + DemoApp.NAME);
      out.println("      registry http://" + registry.host() + " (CNCF distribution, basic auth) with "
          + app.imageRepository() + ":" + Scenario.INITIAL_TAG);
    }
    repo = DemoRepository.create(settings.repositoryDir(), app, Scenario.INITIAL_TAG);
    register(new Closer(null, repo::close));
    step(6, "Git repository " + repo.url() + " with podinfo " + Scenario.INITIAL_TAG + " (commit "
        + repo.head().substring(0, 7) + ")");

    controller = await(launcher.start(new ControllerLauncher.Settings(cluster.kubeconfig(), settings.namespace(),
        prometheusUrl, "gatewayapi:v1", settings.gitCacheDir(), settings.controllerPort())), "Bunting");
    register(new Closer("Bunting", () -> controller.stop().toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS)));
    step(7, "Bunting in-process: watching namespace " + settings.namespace() + ", --metrics-server " + prometheusUrl
        + ", HTTP http://127.0.0.1:" + controller.port() + "/metrics");

    canary = new CanaryWatch(client, settings.namespace(), DemoApp.NAME);
    register(new Closer(null, canary::close));
    timeline = new Timeline(out, clock, client, settings.namespace(), canary, DemoApp.NAME, DemoApp.NAME,
        this::routeWeight, new CanaryReadings(prometheusUrl, settings.namespace(), DemoApp.NAME, clock));
    register(new Closer(null, timeline::close));
    await(Future.fromCompletionStage(canary.start()), "the Canary watch");
    await(Future.fromCompletionStage(timeline.start()), "the Event watch");

    gitSync = new GitSyncLink(client, settings.namespace(), DemoApp.NAME);
    timeline.section("Setup: GitSync applies podinfo " + Scenario.INITIAL_TAG
        + "; Bunting creates the primary, the Services and the HTTPRoute");
    gitSync.create(repo.url(), Duration.ofSeconds(30), registry != null);
    timeline.note("GitSync " + gitSync.name() + " created: " + repo.url() + " branch " + DemoRepository.BRANCH
        + ", path " + DemoApp.PATH + (registry != null ? ", rollback: revert" : ""));
    if (registry != null) {
      imagePolicy = new ImagePolicyLink(client, settings.namespace(), DemoApp.NAME);
      imagePolicy.create(app.imageRepository(), registry.host(), REGISTRY_USER, REGISTRY_PASSWORD, gitSync.name());
      timeline.note("ImagePolicy " + imagePolicy.name() + " created: " + app.imageRepository() + ", semver >=1.0.0-0,"
          + " written where deployment.yaml says {\"$imagepolicy\": \"" + app.imagePolicy() + "\"}");
    }
    awaitInitialized();
  }

  private void step(int n, String text) {
    out.println("[" + n + "/7] " + text);
  }

  /**
   * Records something to stop at the end. When {@link #close()} already ran (Ctrl-C during the setup), it is stopped
   * at once and the setup ends here.
   */
  private synchronized void register(Closer closer) {
    if (!closed) {
      closers.add(closer);
      return;
    }
    try {
      closer.action().run();
    } catch (Exception e) {
      out.println("[playground] while cleaning up" + (closer.what() == null ? "" : " " + closer.what()) + ": "
          + e.getMessage());
    }
    throw new PlaygroundException("stopped");
  }

  /** Waits until the Canary is initialized and the gateway serves the primary's answers. */
  private void awaitInitialized() throws InterruptedException {
    Instant end = clock.instant().plus(Duration.ofMinutes(3));
    while (clock.instant().isBefore(end)) {
      boolean initialized = canary.phase() == CanaryPhase.INITIALIZED || canary.phase() == CanaryPhase.SUCCEEDED;
      if (initialized && dataPlane.load().answers().getOrDefault(200, 0L) > 0 && routeWeight().isPresent()) {
        Thread.sleep(1_500);
        timeline.flush();
        return;
      }
      Thread.sleep(250);
    }
    throw new PlaygroundException("the demo app did not come up within 3 min: Canary phase " + canary.phase() + " ("
        + canary.current().map(CanaryWatch::activity).orElse("no Canary") + "), GitSync "
        + gitSync.readyMessage().orElse("without status") + ", gateway answers " + dataPlane.load().answers());
  }

  /**
   * An earlier run that did not clean up (killed, or crashed) left a namespace, files or a Prometheus: with
   * {@code clean} they are deleted, otherwise the run stops and says so.
   */
  private void handleLeftovers(ClusterSetup setup) {
    Optional<Namespace> ns = setup.namespace(settings.namespace());
    boolean files = Files.exists(settings.repositoryDir()) || Files.exists(settings.gitCacheDir());
    boolean prom = prometheus.running();
    if (ns.isEmpty() && !files && !prom) {
      return;
    }
    List<String> found = new ArrayList<>();
    ns.ifPresent(n -> found.add("namespace " + settings.namespace()));
    if (files) {
      found.add("files in " + settings.stateDir());
    }
    if (prom) {
      found.add("Prometheus " + prometheus.name());
    }
    if (!settings.clean()) {
      throw new PlaygroundException("an earlier playground is still here (" + String.join(", ", found)
          + "); run again with --clean to delete it and start over");
    }
    out.println("--clean: deleting " + String.join(", ", found));
    if (ns.isPresent()) {
      setup.deleteNamespace(settings.namespace(), 120);
    }
    prometheus.down();
    try {
      deleteStateDir();
    } catch (IOException e) {
      throw new PlaygroundException("could not delete " + settings.stateDir() + ": " + e.getMessage(), e);
    }
  }

  private void deleteStateDir() throws IOException {
    Path dir = settings.stateDir();
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private KubernetesClient connect(Path kubeconfig) {
    try {
      Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
      return new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(new Vertx5HttpClientFactory(vertx))
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + kubeconfig, e);
    }
  }

  private static <T> T await(Future<T> future, String what) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PlaygroundException("interrupted while starting " + what);
    } catch (Exception e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new PlaygroundException("could not start " + what + ": " + cause.getMessage(), cause);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // what a user can look at

  /** The canary weight of the demo HTTPRoute as the gateway applies it; empty while there is no route. */
  public OptionalInt routeWeight() {
    return dataPlane == null ? OptionalInt.empty() : dataPlane.gateway().route(DemoApp.HOST)
        .map(r -> OptionalInt.of(r.weight(DemoApp.NAME + "-canary"))).orElse(OptionalInt.empty());
  }

  private String primaryImage() {
    var primary = client.apps().deployments().inNamespace(settings.namespace()).withName(DemoApp.NAME + "-primary")
        .get();
    return primary == null ? "(no primary)"
        : primary.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  public KubernetesClient client() {
    return client;
  }

  public Timeline timeline() {
    return timeline;
  }

  public DataPlane dataPlane() {
    return dataPlane;
  }

  public DemoRepository repository() {
    return repo;
  }

  public GitSyncLink gitSync() {
    return gitSync;
  }

  public String prometheusUrl() {
    return prometheusUrl;
  }

  public LocalControlPlane.Lease cluster() {
    return cluster;
  }

  public PlaygroundSettings settings() {
    return settings;
  }

  public Optional<ControllerLauncher.Running> controller() {
    return Optional.ofNullable(controller);
  }

  /** How to look around while {@code --keep} holds everything up. */
  public List<String> exploreHints() {
    String ns = settings.namespace();
    String kubectl = cluster.kubectl().toString();
    return List.of(
        "",
        "Everything keeps running until you press Ctrl-C. In another terminal:",
        "  export KUBECONFIG=" + cluster.kubeconfig(),
        "  alias kubectl=" + kubectl,
        "  kubectl -n " + ns + " get canaries,gitsyncs,deployments,pods,httproutes",
        "  kubectl -n " + ns + " describe canary " + DemoApp.NAME + "      # the Events with the readings",
        "  curl -s -H 'Host: " + DemoApp.HOST + "' http://127.0.0.1:" + dataPlane.gateway().port() + "/",
        "  Prometheus: " + prometheusUrl + "/graph?g0.expr=" + URLEncoder.encode(
            "sum by (kubernetes_pod_name, status) (rate(http_request_duration_seconds_count{kubernetes_namespace=\""
                + ns + "\"}[1m]))", StandardCharsets.UTF_8) + "&g0.tab=0",
        "  Bunting: http://127.0.0.1:" + controller.port() + "/metrics",
        "  Release another version yourself (the GitSync polls every 30s; the timeline keeps printing):",
        "    cd " + repo.dir() + " && sed -i 's/podinfo:[^ ]*$/podinfo:1.3.0/' " + DemoApp.PATH
            + "/deployment.yaml && git commit -qam 'podinfo 1.3.0'");
  }

  /** Stops and deletes everything this run started, in reverse order; safe to call twice and from a signal. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (timeline != null) {
      timeline.flush();
    }
    if (!closers.isEmpty()) {
      List<String> what = new ArrayList<>();
      for (int i = closers.size() - 1; i >= 0; i--) {
        if (closers.get(i).what() != null) {
          what.add(closers.get(i).what());
        }
      }
      if (!what.isEmpty()) {
        out.println("[playground] stopping and deleting what it started: " + String.join(", ", what));
      }
    }
    for (int i = closers.size() - 1; i >= 0; i--) {
      Closer c = closers.get(i);
      try {
        c.action().run();
      } catch (Exception e) {
        out.println("[playground] while cleaning up" + (c.what() == null ? "" : " " + c.what()) + ": "
            + e.getMessage());
      }
    }
    closers.clear();
    if (cluster != null) {
      out.println(cluster.startedHere() && !settings.keep()
          ? "[playground] stopped the local control plane it had started"
          : "[playground] the local control plane keeps running (scripts/local-cluster status|down)");
    }
  }
}
