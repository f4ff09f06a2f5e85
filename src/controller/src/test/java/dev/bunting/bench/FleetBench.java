package dev.bunting.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.BufferedReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A fleet of canaries on the local control plane, and what the controller costs for it; prints figures and writes
 * them as JSON, asserts nothing. Run with {@code bench/fleet/run}, which prepares the cluster (audit log on, CRDs,
 * namespaces, one ServiceAccount per controller) and passes everything below as options.
 *
 * <p>One run: a Prometheus stand-in answers every query at once with a constant (99, or 50 for a target whose name
 * ends in {@code -bad}); Bunting ({@code bunting.jar controller}) and, with {@code --compare-flagger}, Flagger start
 * as processes of their own, each watching one namespace; N Deployments and N Canaries ({@code kubernetes} provider,
 * blue/green, interval 10 s, 5 iterations) go into each namespace; once all are Initialized, every target's image is
 * bumped and the fleets progress until each canary is Succeeded or Failed (not with {@code --idle-only}; with
 * {@code --releases N}, N such releases one after the other, each a phase of its own: the first one pays for the JIT
 * compilation of the release path, the later ones show a warm controller's cost); then an idle phase. For each phase and
 * each controller: API requests by verb and resource (from the API server's audit log, by the controller's user),
 * CPU seconds ({@code /proc/<pid>/stat}), and at the end peak RSS ({@code VmHWM}). Bunting's tick lateness comes from
 * its {@code bunting_canary_tick_lateness_seconds} histogram (Flagger has none); beside it, to tell where a late tick
 * waited, the Canary work queue's wait and greatest depth and the Canary reconcile's duration.
 */
public final class FleetBench {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final double CLOCK_TICKS = 100.0;
  /** The phases in order: startup, initialize, one per release ({@code progress}, {@code progress2}, ...), idle. */
  private static List<String> phases = List.of("startup", "initialize", "progress", "idle");

  /** One controller under test: its process, namespace, identity and what was measured of it. */
  static final class Fleet {
    final String name;
    final String namespace;
    final String user;
    final int port;
    final String readyPath;
    final List<String> command;
    final Path kubeconfig;
    Process process;
    long pid;
    Instant started;
    double startToReady = Double.NaN;
    double initialized = Double.NaN;
    /** Per release phase: seconds from the image bump until every canary was Succeeded or Failed again. */
    final Map<String, Double> progressed = new LinkedHashMap<>();
    final Map<String, Double> cpu = new LinkedHashMap<>();
    final Map<String, Map<String, Integer>> requests = new LinkedHashMap<>();
    /** Per phase, the requests the API server refused, by verb, resource and status code (also in {@link #requests}). */
    final Map<String, Map<String, Integer>> refused = new LinkedHashMap<>();
    long peakRssKib;
    long rssKib;
    /** Per release phase: canaries Succeeded, and the bad canary's phase, at its end. */
    final Map<String, Integer> succeeded = new LinkedHashMap<>();
    final Map<String, String> badPhase = new LinkedHashMap<>();
    /** Per release phase: Bunting's tick lateness p50/p99 in it. */
    final Map<String, Map<String, Object>> lateness = new LinkedHashMap<>();
    /** Per release phase: how long a Canary key waited in the work queue, p50/p99 (all wakes, ticks included). */
    final Map<String, Map<String, Object>> queueWait = new LinkedHashMap<>();
    /** Per release phase: how long one Canary reconcile took, p50/p99. */
    final Map<String, Map<String, Object>> reconcile = new LinkedHashMap<>();
    /** Per release phase: the most Canary keys seen waiting in the work queue at once (sampled twice a second). */
    final Map<String, Integer> maxDepth = new LinkedHashMap<>();

    Fleet(String name, String namespace, String user, int port, String readyPath, Path kubeconfig,
        List<String> command) {
      this.name = name;
      this.namespace = namespace;
      this.user = user;
      this.port = port;
      this.readyPath = readyPath;
      this.kubeconfig = kubeconfig;
      this.command = command;
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = options(args);
    int n = Integer.parseInt(opt.getOrDefault("canaries", "200"));
    int idleSeconds = Integer.parseInt(opt.getOrDefault("idle-seconds", "60"));
    boolean idleOnly = opt.containsKey("idle-only");
    int releases = idleOnly ? 0 : Integer.parseInt(opt.getOrDefault("releases", "1"));
    List<String> all = new ArrayList<>(List.of("startup", "initialize", "progress"));
    for (int r = 2; r <= releases; r++) {
      all.add("progress" + r);
    }
    all.add("idle");
    phases = List.copyOf(all);
    int portBase = Integer.parseInt(opt.getOrDefault("port-base", "19800"));
    Path logs = Path.of(opt.getOrDefault("log-dir", "target/fleet-bench"));
    Files.createDirectories(logs);
    Path audit = Path.of(opt.get("audit-log"));
    String promUrl = "http://127.0.0.1:" + portBase;
    Vertx vertx = Vertx.vertx();
    HttpServer prometheus = prometheusStandIn(vertx, portBase);
    List<Fleet> fleets = new ArrayList<>();
    // as the image runs it in the chart's default container (BUNTING_IMAGE_JVM_FLAGS, from scripts/image-jvm-defaults
    // --container: the Dockerfile's JAVA_TOOL_OPTIONS and ENTRYPOINT, -XX:MaxRAM of the memory limit) with its
    // class-data archive, plus BUNTING_JVM_OPTS (the chart's jvmOptions), which come last and so override the defaults
    List<String> bunting = new ArrayList<>(List.of("java"));
    String imageFlags = System.getenv().getOrDefault("BUNTING_IMAGE_JVM_FLAGS", "").trim();
    bunting.addAll(List.of((imageFlags.isEmpty() ? "-XX:MaxRAM=768m -XX:+ExitOnOutOfMemoryError" : imageFlags)
        .split("\\s+")));
    // the image's class-data-sharing archive (bench/fleet/run builds it as the image build does)
    String archive = System.getenv().getOrDefault("BUNTING_CDS_ARCHIVE", "").trim();
    if (!archive.isEmpty()) {
      bunting.add("-XX:SharedArchiveFile=" + archive);
    }
    String jvmOptions = System.getenv().getOrDefault("BUNTING_JVM_OPTS", "").trim();
    if (!jvmOptions.isEmpty()) {
      bunting.addAll(List.of(jvmOptions.split("\\s+")));
    }
    bunting.addAll(List.of("-jar", opt.get("bunting-jar"), "controller", "--namespace", "fleet-bunting", "--port",
        String.valueOf(portBase + 1), "--listen-address", "127.0.0.1", "--metrics-server", promUrl,
        "--mesh-provider", "kubernetes"));
    fleets.add(new Fleet("bunting", "fleet-bunting", opt.get("bunting-user"), portBase + 1, "/readyz",
        Path.of(opt.get("bunting-kubeconfig")), bunting));
    if (opt.containsKey("compare-flagger")) {
      fleets.add(new Fleet("flagger", "fleet-flagger", opt.get("flagger-user"), portBase + 2, "/healthz",
          Path.of(opt.get("flagger-kubeconfig")), List.of(opt.get("flagger-bin"), "-kubeconfig",
              opt.get("flagger-kubeconfig"), "-metrics-server", promUrl, "-namespace", "fleet-flagger",
              "-mesh-provider", "kubernetes", "-port", String.valueOf(portBase + 2), "-log-level", "info",
              "-zap-encoding", "console")));
    }
    Config config = Config.fromKubeconfig(Files.readString(Path.of(System.getenv("KUBECONFIG"))));
    Map<String, Instant> marks = new LinkedHashMap<>();
    try (KubernetesClient admin = new KubernetesClientBuilder().withConfig(config)
        .withHttpClientFactory(new Vertx5HttpClientFactory(vertx)).build()) {
      for (Fleet f : fleets) {
        admin.resource(metricTemplate(f.namespace, promUrl)).serverSideApply();
      }
      System.out.printf("fleet benchmark: %d canaries per controller (%s), Prometheus stand-in on %s%n", n,
          String.join(", ", fleets.stream().map(f -> f.name).toList()), promUrl);
      marks.put("startup", Instant.now());
      for (Fleet f : fleets) {
        ProcessBuilder pb = new ProcessBuilder(f.command).redirectErrorStream(true)
            .redirectOutput(logs.resolve(f.name + ".log").toFile());
        pb.environment().put("KUBECONFIG", f.kubeconfig.toString());
        String arenas = System.getenv("BUNTING_MALLOC_ARENA_MAX");
        if (f.name.equals("bunting") && arenas != null && !arenas.isBlank()) {
          pb.environment().put("MALLOC_ARENA_MAX", arenas);
        }
        f.started = Instant.now();
        f.process = pb.start();
        f.pid = f.process.pid();
      }
      waitAll(fleets, 180, f -> {
        if (!Double.isNaN(f.startToReady)) {
          return true;
        }
        if (get("http://127.0.0.1:" + f.port + f.readyPath) == 200) {
          f.startToReady = seconds(f.started, Instant.now());
          return true;
        }
        return false;
      }, 100);
      cpu(fleets, "startup");
      marks.put("initialize", Instant.now());
      Instant created = Instant.now();
      for (int i = 0; i < n; i++) {
        String app = i == n - 1 ? "app-bad" : String.format("app-%04d", i);
        for (Fleet f : fleets) {
          admin.resource(deployment(f.namespace, app)).create();
          admin.resource(canary(f.namespace, app)).create();
        }
      }
      System.out.printf("created %d Deployments and Canaries per controller in %.1f s%n", n,
          seconds(created, Instant.now()));
      waitAll(fleets, 1800, f -> {
        if (!Double.isNaN(f.initialized)) {
          return true;
        }
        if (countPhases(admin, f.namespace, p -> p.equals("Initialized")) == n) {
          f.initialized = seconds(created, Instant.now());
          System.out.printf("%s: %d canaries Initialized after %.1f s%n", f.name, n, f.initialized);
          return true;
        }
        return false;
      }, pollMillis(n));
      cpu(fleets, "initialize");
      marks.put("progress", Instant.now());
      if (idleOnly) {
        cpu(fleets, "progress"); // no image bump: the Initialized fleet goes straight to the idle phase
      }
      for (int r = 1; r <= releases; r++) {
        String phase = r == 1 ? "progress" : "progress" + r;
        marks.put(phase, Instant.now());
        progress(admin, fleets, n, phase, "example.com/fleet/app:1.0." + r);
      }
      marks.put("idle", Instant.now());
      Thread.sleep(idleSeconds * 1000L);
      cpu(fleets, "idle");
      marks.put("end", Instant.now());
      for (Fleet f : fleets) {
        Map<String, Long> status = procStatus(f.pid);
        f.peakRssKib = status.getOrDefault("VmHWM", 0L);
        f.rssKib = status.getOrDefault("VmRSS", 0L);
      }
    } finally {
      for (Fleet f : fleets) {
        if (f.process != null) {
          f.process.destroy();
          if (!f.process.waitFor(20, TimeUnit.SECONDS)) {
            f.process.destroyForcibly();
          }
        }
      }
      prometheus.close();
      vertx.close();
    }
    Thread.sleep(2000); // the audit log's last lines of the phase
    countRequests(audit, fleets, marks);
    Map<String, Object> result = report(fleets, marks, n, idleSeconds);
    Path json = Path.of(opt.getOrDefault("json", "target/fleet-bench.json"));
    Files.createDirectories(json.toAbsolutePath().getParent());
    JSON.writeValue(json.toFile(), result);
    System.out.printf("%nJSON: %s%n", json);
    System.exit(0);
  }

  /**
   * A release phase: bumps every target's image to {@code image} and waits until each canary is Succeeded or Failed
   * again, that is, in one of those phases since the bump: its status's lastTransitionTime, which both controllers set
   * on every status change, is in a later second than the bump (a later release starts from the outcome of the one
   * before, which may have been written in the second of the bump; a release's own outcome comes a minute after it).
   */
  private static void progress(KubernetesClient admin, List<Fleet> fleets, int n, String phase, String image)
      throws Exception {
    Fleet bunting = fleets.get(0);
    Map<Series, Map<String, Double>> before = histograms(bunting);
    AtomicInteger maxDepth = new AtomicInteger();
    Thread depthSampler = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          maxDepth.accumulateAndGet(scrape(bunting, List.of(QUEUE_DEPTH)).get(QUEUE_DEPTH).getOrDefault("", 0.0)
              .intValue(), Math::max);
          Thread.sleep(500);
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          // a scrape that failed is a sample missed
        }
      }
    });
    depthSampler.setDaemon(true);
    depthSampler.start();
    Instant bumped = Instant.now();
    // status times are RFC 3339 seconds
    Instant since = bumped.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    for (int i = 0; i < n; i++) {
      String app = i == n - 1 ? "app-bad" : String.format("app-%04d", i);
      for (Fleet f : fleets) {
        admin.apps().deployments().inNamespace(f.namespace).withName(app).patch(PatchContext.of(PatchType.JSON),
            "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\","
                + "\"value\":\"" + image + "\"}]");
      }
    }
    Predicate<GenericKubernetesResource> done = c -> (phase(c).equals("Succeeded") || phase(c).equals("Failed"))
        && !transitioned(c).isBefore(since);
    waitAll(fleets, 1800, f -> {
      if (f.progressed.containsKey(phase)) {
        return true;
      }
      if (count(admin, f.namespace, done) == n) {
        f.progressed.put(phase, seconds(bumped, Instant.now()));
        System.out.printf("%s: %d canaries Succeeded or Failed %.1f s after the image bump to %s%n", f.name, n,
            f.progressed.get(phase), image);
        return true;
      }
      return false;
    }, pollMillis(n));
    cpu(fleets, phase);
    depthSampler.interrupt();
    Map<Series, Map<String, Double>> after = histograms(bunting);
    bunting.lateness.put(phase, quantiles(before.get(TICK_LATENESS), after.get(TICK_LATENESS)));
    bunting.queueWait.put(phase, quantiles(before.get(QUEUE_WAIT), after.get(QUEUE_WAIT)));
    bunting.reconcile.put(phase, quantiles(before.get(RECONCILE), after.get(RECONCILE)));
    bunting.maxDepth.put(phase, maxDepth.get());
    for (Fleet f : fleets) {
      f.succeeded.put(phase, countPhases(admin, f.namespace, p -> p.equals("Succeeded")));
      GenericKubernetesResource bad = admin.genericKubernetesResources("flagger.app/v1beta1", "Canary")
          .inNamespace(f.namespace).withName("app-bad").get();
      f.badPhase.put(phase, phase(bad));
    }
  }

  // ---------------------------------------------------------------------------------------------- the cluster

  private static String metricTemplate(String namespace, String promUrl) {
    return """
        apiVersion: flagger.app/v1beta1
        kind: MetricTemplate
        metadata: {name: fleet-success, namespace: %s}
        spec:
          provider: {type: prometheus, address: "%s"}
          query: 'fleet_success_rate{namespace="{{ namespace }}",target="{{ target }}"}'
        """.formatted(namespace, promUrl);
  }

  private static String deployment(String namespace, String app) {
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: %2$s, namespace: %1$s, labels: {app: %2$s}}
        spec:
          replicas: 1
          selector: {matchLabels: {app: %2$s}}
          template:
            metadata: {labels: {app: %2$s}}
            spec:
              containers:
              - name: app
                image: example.com/fleet/app:1.0.0
                ports: [{name: http, containerPort: 9898}]
        """.formatted(namespace, app);
  }

  private static String canary(String namespace, String app) {
    return """
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: %2$s, namespace: %1$s}
        spec:
          provider: kubernetes
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: %2$s}
          progressDeadlineSeconds: 300
          service: {port: 9898}
          analysis:
            interval: 10s
            threshold: 2
            iterations: 5
            metrics:
            - name: success
              templateRef: {name: fleet-success}
              thresholdRange: {min: 99}
              interval: 1m
        """.formatted(namespace, app);
  }

  private static int countPhases(KubernetesClient admin, String namespace, Predicate<String> phase) {
    return count(admin, namespace, c -> phase.test(phase(c)));
  }

  private static int count(KubernetesClient admin, String namespace, Predicate<GenericKubernetesResource> which) {
    return (int) admin.genericKubernetesResources("flagger.app/v1beta1", "Canary").inNamespace(namespace).list()
        .getItems().stream().filter(which).count();
  }

  /** The canary's status.lastTransitionTime, or the epoch when it has none. */
  private static Instant transitioned(GenericKubernetesResource canary) {
    if (canary.getAdditionalProperties().get("status") instanceof Map<?, ?> status
        && status.get("lastTransitionTime") instanceof String time) {
      return Instant.parse(time);
    }
    return Instant.EPOCH;
  }

  private static String phase(GenericKubernetesResource canary) {
    if (canary == null || !(canary.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) {
      return "";
    }
    return String.valueOf(status.get("phase"));
  }

  /** Answers every instant query at once: 1 for Flagger's {@code vector(1)}, 50 for a bad target, else 99. */
  private static HttpServer prometheusStandIn(Vertx vertx, int port) throws Exception {
    return vertx.createHttpServer().requestHandler(req -> {
      String query = req.getParam("query", "");
      String value = query.contains("vector(1)") ? "1" : query.contains("-bad\"") ? "50" : "99";
      double now = System.currentTimeMillis() / 1000.0;
      req.response().putHeader("Content-Type", "application/json").end(
          "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":["
              + now + ",\"" + value + "\"]}]}}");
    }).listen(port, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  // ---------------------------------------------------------------------------------------------- measuring

  /**
   * How often to count the canaries' phases: each count lists every Canary of a fleet, which the API server feels at
   * thousands (a 5,000-canary list is about 10 MB), so once a second up to 500 canaries and less often above.
   */
  private static long pollMillis(int canaries) {
    return Math.max(1000, canaries * 2L);
  }

  private static void waitAll(List<Fleet> fleets, int seconds, Predicate<Fleet> done, long pollMillis)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      boolean all = true;
      for (Fleet f : fleets) {
        if (!f.process.isAlive()) {
          throw new IllegalStateException(f.name + " exited with " + f.process.exitValue() + "; see its log");
        }
        all &= done.test(f);
      }
      if (all) {
        return;
      }
      if (System.nanoTime() > end) {
        throw new IllegalStateException("timed out after " + seconds + " s");
      }
      Thread.sleep(pollMillis);
    }
  }

  private static int get(String url) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  /** Total CPU seconds (user + system) of each controller, recorded under {@code phase}. */
  private static void cpu(List<Fleet> fleets, String phase) throws Exception {
    for (Fleet f : fleets) {
      String stat = Files.readString(Path.of("/proc/" + f.pid + "/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      f.cpu.put(phase, (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / CLOCK_TICKS);
    }
  }

  private static Map<String, Long> procStatus(long pid) throws Exception {
    Map<String, Long> values = new TreeMap<>();
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("Vm")) {
        String[] parts = line.split("\\s+");
        values.put(parts[0].replace(":", ""), Long.parseLong(parts[1]));
      }
    }
    return values;
  }

  /** A histogram's or gauge's family and the start of the sample lines to read. */
  private record Series(String family, String lines) {}

  private static final Series TICK_LATENESS = new Series("bunting_canary_tick_lateness_seconds",
      "bunting_canary_tick_lateness_seconds_bucket{");
  private static final Series QUEUE_WAIT = new Series("bunting_workqueue_wait_seconds",
      "bunting_workqueue_wait_seconds_bucket{queue=\"Canary\",");
  private static final Series RECONCILE = new Series("bunting_reconcile_duration_seconds",
      "bunting_reconcile_duration_seconds_bucket{kind=\"Canary\",result=\"success\",");
  private static final Series QUEUE_DEPTH = new Series("bunting_workqueue_depth",
      "bunting_workqueue_depth{queue=\"Canary\"");

  /** Bunting's tick lateness, Canary queue wait and Canary reconcile histograms: cumulative count by upper bound. */
  private static Map<Series, Map<String, Double>> histograms(Fleet bunting) throws Exception {
    return scrape(bunting, List.of(TICK_LATENESS, QUEUE_WAIT, RECONCILE));
  }

  /**
   * Some of Bunting's series, asking {@code /metrics} for their families only (a full scrape of 1,000 canaries would
   * weigh on the controller it measures): per series, the samples by the value of the label {@code le} (the empty
   * string for a series without one).
   */
  private static Map<Series, Map<String, Double>> scrape(Fleet bunting, List<Series> series) throws Exception {
    String query = series.stream().map(s -> "name%5B%5D=" + s.family()).collect(Collectors.joining("&"));
    String text = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bunting.port + "/metrics?"
        + query)).build(), HttpResponse.BodyHandlers.ofString()).body();
    Map<Series, Map<String, Double>> out = new LinkedHashMap<>();
    for (Series s : series) {
      Map<String, Double> values = new LinkedHashMap<>();
      for (String line : text.split("\n")) {
        if (line.startsWith(s.lines())) {
          int le = line.indexOf("le=\"");
          values.put(le < 0 ? "" : line.substring(le + 4, line.indexOf('"', le + 4)),
              Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
        }
      }
      out.put(s, values);
    }
    return out;
  }

  /**
   * p50 and p99 of the observations between two scrapes, as the upper bound of the bucket they fall in, and how many
   * were over 1 s.
   */
  private static Map<String, Object> quantiles(Map<String, Double> before, Map<String, Double> after) {
    double total = after.getOrDefault("+Inf", 0.0) - before.getOrDefault("+Inf", 0.0);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ticks", (long) total);
    for (double q : new double[] {0.5, 0.99}) {
      String bound = "?";
      for (Map.Entry<String, Double> e : after.entrySet()) {
        if (e.getValue() - before.getOrDefault(e.getKey(), 0.0) >= q * total) {
          bound = e.getKey();
          break;
        }
      }
      out.put(q == 0.5 ? "p50" : "p99", "<= " + bound + " s");
    }
    out.put("over1s", (long) (total - (after.getOrDefault("1.0", 0.0) - before.getOrDefault("1.0", 0.0))));
    return out;
  }

  /**
   * Counts each controller's API requests per phase from the audit log: by verb and resource (with subresource). A
   * watch counts once, when it starts (ResponseStarted); any other request when it completes.
   */
  private static void countRequests(Path audit, List<Fleet> fleets, Map<String, Instant> marks) throws Exception {
    Map<String, Fleet> byUser = new LinkedHashMap<>();
    for (Fleet f : fleets) {
      byUser.put(f.user, f);
      for (String p : phases) {
        f.requests.put(p, new TreeMap<>());
        f.refused.put(p, new TreeMap<>());
      }
    }
    List<Instant> bounds = new ArrayList<>(marks.values());
    try (BufferedReader in = Files.newBufferedReader(audit, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (byUser.keySet().stream().noneMatch(line::contains)) {
          continue;
        }
        JsonNode e = JSON.readTree(line);
        Fleet f = byUser.get(e.path("user").path("username").asText());
        String verb = e.path("verb").asText();
        String stage = e.path("stage").asText();
        if (f == null || !stage.equals(verb.equals("watch") ? "ResponseStarted" : "ResponseComplete")) {
          continue;
        }
        Instant at = Instant.parse(e.path("requestReceivedTimestamp").asText());
        int phase = -1;
        for (int i = 0; i + 1 < bounds.size(); i++) {
          if (!at.isBefore(bounds.get(i)) && at.isBefore(bounds.get(i + 1))) {
            phase = i;
          }
        }
        if (phase < 0) {
          continue;
        }
        JsonNode ref = e.path("objectRef");
        String resource = ref.path("resource").asText(e.path("requestURI").asText());
        if (!ref.path("subresource").asText().isEmpty()) {
          resource += "/" + ref.path("subresource").asText();
        }
        f.requests.get(phases.get(phase)).merge(verb + " " + resource, 1, Integer::sum);
        int code = e.path("responseStatus").path("code").asInt(0);
        if (code >= 400) {
          f.refused.get(phases.get(phase)).merge(verb + " " + resource + " " + code, 1, Integer::sum);
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------- the report

  private static Map<String, Object> report(List<Fleet> fleets, Map<String, Instant> marks, int n, int idle) {
    List<Instant> t = new ArrayList<>(marks.values());
    Map<String, Double> durations = new LinkedHashMap<>();
    for (int i = 0; i < phases.size(); i++) {
      durations.put(phases.get(i), seconds(t.get(i), t.get(i + 1)));
    }
    List<String> releases = phases.subList(2, phases.size() - 1); // never empty: with --idle-only, an empty "progress"
    List<String[]> rows = new ArrayList<>();
    rows.add(row("measure", fleets, f -> f.name, true));
    rows.add(row("start to ready (s)", fleets, f -> fmt(f.startToReady), true));
    rows.add(row("all " + n + " Initialized after (s)", fleets, f -> fmt(f.initialized), true));
    for (String p : releases) {
      String which = p.equals("progress") ? "" : ", release " + p.substring("progress".length());
      rows.add(row("all Succeeded/Failed after the bump (s)" + which, fleets,
          f -> fmt(f.progressed.getOrDefault(p, Double.NaN)), true));
      rows.add(row("healthy promoted / bad canary" + which, fleets, f -> !f.progressed.containsKey(p) ? "-"
          : f.succeeded.get(p) + "/" + (n - 1) + " / " + f.badPhase.get(p), false));
    }
    for (String p : phases) {
      rows.add(row("API requests, " + p + " (" + fmt(durations.get(p)) + " s)", fleets,
          f -> String.valueOf(total(f, p)), true));
    }
    List<String> rated = new ArrayList<>(releases);
    rated.add("idle");
    for (String p : rated) {
      rows.add(row("  per minute, " + p, fleets, f -> fmt(total(f, p) * 60 / durations.get(p)), true));
      rows.add(row("  writes, " + p, fleets, f -> String.valueOf(writes(f, p)), true));
    }
    for (String p : phases) {
      rows.add(row("CPU s, " + p, fleets, f -> fmt(cpuIn(f, p)), true));
    }
    rows.add(row("CPU s, total", fleets, f -> fmt(f.cpu.get("idle")), true));
    rows.add(row("peak RSS (MiB)", fleets, f -> fmt(f.peakRssKib / 1024.0), true));
    rows.add(row("RSS at the end (MiB)", fleets, f -> fmt(f.rssKib / 1024.0), true));
    for (String p : releases) {
      rows.add(row("tick lateness p50 / p99, " + p, fleets, f -> !f.lateness.containsKey(p) ? "n/a"
          : f.lateness.get(p).get("p50") + " / " + f.lateness.get(p).get("p99") + " ("
              + f.lateness.get(p).get("ticks") + " ticks, " + f.lateness.get(p).get("over1s") + " over 1 s)", false));
      rows.add(row("Canary queue wait p50 / p99, " + p, fleets, f -> !f.queueWait.containsKey(p) ? "n/a"
          : f.queueWait.get(p).get("p50") + " / " + f.queueWait.get(p).get("p99") + " ("
              + f.queueWait.get(p).get("ticks") + " reconciles; most waiting at once " + f.maxDepth.get(p) + ")",
          false));
      rows.add(row("Canary reconcile p50 / p99, " + p, fleets, f -> !f.reconcile.containsKey(p) ? "n/a"
          : f.reconcile.get(p).get("p50") + " / " + f.reconcile.get(p).get("p99"), false));
    }
    System.out.println();
    printTable(rows);
    for (Fleet f : fleets) {
      System.out.printf("%nrequests of %s (%s) by verb and resource:%n", f.name, f.user);
      for (String p : phases) {
        System.out.printf("  %-10s %s%n", p, f.requests.get(p));
        if (!f.refused.get(p).isEmpty()) {
          System.out.printf("  %-10s refused: %s%n", "", f.refused.get(p));
        }
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("canaries", n);
    out.put("cores", Runtime.getRuntime().availableProcessors());
    out.put("phaseSeconds", durations);
    Map<String, String> starts = new LinkedHashMap<>(); // to cut a flight recording or a log into the phases
    marks.forEach((phase, at) -> starts.put(phase, at.toString()));
    out.put("phaseStarts", starts);
    out.put("table", rows);
    List<Map<String, Object>> controllers = new ArrayList<>();
    for (Fleet f : fleets) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("name", f.name);
      c.put("user", f.user);
      c.put("startToReadySeconds", f.startToReady);
      c.put("initializedSeconds", f.initialized);
      c.put("progressedSeconds", f.progressed);
      c.put("succeeded", f.succeeded);
      c.put("badCanaryPhase", f.badPhase);
      c.put("cpuSecondsAtEndOf", f.cpu);
      c.put("peakRssKiB", f.peakRssKib);
      c.put("rssKiB", f.rssKib);
      c.put("tickLateness", f.lateness);
      c.put("canaryQueueWait", f.queueWait);
      c.put("canaryQueueMaxDepth", f.maxDepth);
      c.put("canaryReconcile", f.reconcile);
      c.put("requests", f.requests);
      c.put("refused", f.refused);
      controllers.add(c);
    }
    out.put("controllers", controllers);
    return out;
  }

  private static String[] row(String label, List<Fleet> fleets, java.util.function.Function<Fleet, String> cell,
      boolean ratio) {
    List<String> cells = new ArrayList<>();
    cells.add(label);
    for (Fleet f : fleets) {
      cells.add(cell.apply(f));
    }
    if (fleets.size() == 2) {
      if (label.equals("measure")) {
        cells.add("flagger / bunting");
      } else if (ratio) {
        cells.add(ratio(cells.get(1), cells.get(2)));
      } else {
        cells.add("");
      }
    }
    return cells.toArray(String[]::new);
  }

  private static String ratio(String bunting, String flagger) {
    try {
      double b = Double.parseDouble(bunting);
      double f = Double.parseDouble(flagger);
      return b == 0 ? (f == 0 ? "=" : "inf") : String.format(Locale.ROOT, "%.2fx", f / b);
    } catch (NumberFormatException e) {
      return "";
    }
  }

  private static void printTable(List<String[]> rows) {
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (int k = 0; k < rows.size(); k++) {
      StringBuilder line = new StringBuilder("|");
      for (int i = 0; i < width.length; i++) {
        line.append(' ').append(String.format("%-" + width[i] + "s", rows.get(k)[i])).append(" |");
      }
      System.out.println(line);
      if (k == 0) {
        StringBuilder rule = new StringBuilder("|");
        for (int w : width) {
          rule.append("-".repeat(w + 2)).append('|');
        }
        System.out.println(rule);
      }
    }
  }

  private static int total(Fleet f, String phase) {
    return f.requests.get(phase).values().stream().mapToInt(Integer::intValue).sum();
  }

  private static int writes(Fleet f, String phase) {
    return f.requests.get(phase).entrySet().stream()
        .filter(e -> e.getKey().matches("(create|update|patch|delete|deletecollection) .*"))
        .mapToInt(Map.Entry::getValue).sum();
  }

  private static double cpuIn(Fleet f, String phase) {
    int i = phases.indexOf(phase);
    return f.cpu.get(phase) - (i == 0 ? 0 : f.cpu.get(phases.get(i - 1)));
  }

  private static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1000.0;
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> opt = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String key = args[i].replaceFirst("^--", "");
      if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        opt.put(key, args[++i]);
      } else {
        opt.put(key, "true");
      }
    }
    return opt;
  }
}
