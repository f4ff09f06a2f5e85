package dev.bunting.bench;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.canary.CanaryScenarios;
import dev.bunting.testing.GatewayStatusController;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Crash consistency (docs/reliability.md): the controller runs as a process of its own ({@code java -jar
 * target/bunting.jar controller}) and is killed with SIGKILL at a random moment of every rollout, then started again.
 * Rollouts run in batches; half are healthy (the Prometheus stand-in answers a 99.9 % success rate), half failing
 * (50 %); each starts at a random offset so that the kill lands in different phases. Afterwards, per rollout: the end
 * state (healthy: Succeeded with the new image in the primary; failing: Failed with the old one), promotions (the
 * "Copying ... template spec" Events, counted with their aggregation count), the steps from the "Advance ... canary
 * weight N" Events (repeated or skipped), and the webhook calls per type received by a local receiver. Prints a table
 * and JSON; asserts nothing.
 *
 * <p>The fault that lands at that random moment is one of {@link Fault}: the controller SIGKILLed (the default), the
 * kube-apiserver stopped for {@value #API_OUTAGE_SECONDS} s, or etcd stalling (frozen with SIGSTOP 2 s out of every 4 s
 * for 40 s), the last two through {@code scripts/local-cluster stop|pause|resume}. The controller keeps running through
 * the last two; if it exits, that is counted and it is started again.
 *
 * <p>Usage: {@code bench/chaos/run crash [rollouts=50] [batch=10] [seed] [controller|apiserver|etcd-stall]}.
 */
public final class CrashConsistencyBench {
  /** What happens to the control plane at a random moment of each batch. */
  enum Fault {
    CONTROLLER("controller"), APISERVER("apiserver"), ETCD_STALL("etcd-stall");

    final String wire;

    Fault(String wire) {
      this.wire = wire;
    }

    static Fault of(String s) {
      for (Fault f : values()) {
        if (f.wire.equals(s)) {
          return f;
        }
      }
      throw new IllegalArgumentException("unknown fault '" + s + "' (controller, apiserver, etcd-stall)");
    }
  }

  private static final int API_OUTAGE_SECONDS = 20;
  private static final List<Integer> HEALTHY_STEPS = List.of(25, 50);
  private static final List<Integer> FAILING_STEPS = List.of(25);

  private final KubernetesClient client;
  private final Vertx vertx;
  private final String namespace;
  private final Path jar;
  private final Path log;
  private final Random random;
  private final Map<String, Map<String, AtomicInteger>> hookCalls = new ConcurrentHashMap<>();
  private int servicePort;
  private final Fault fault;
  private final Path projectDir;
  private ControllerProcess controller;
  private int faults;
  private int controllerExits;

  private CrashConsistencyBench(KubernetesClient client, Vertx vertx, String namespace, Path jar, Path log, long seed,
      Fault fault, Path projectDir) {
    this.fault = fault;
    this.projectDir = projectDir;
    this.client = client;
    this.vertx = vertx;
    this.namespace = namespace;
    this.jar = jar;
    this.log = log;
    this.random = new Random(seed);
  }

  public static void main(String[] args) throws Exception {
    int rollouts = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : System.currentTimeMillis();
    Fault fault = args.length > 3 ? Fault.of(args[3]) : Fault.CONTROLLER;
    Path root = Path.of(System.getProperty("bunting.projectDir", "."));
    Path jar = root.resolve("target/bunting.jar");
    Vertx vertx = Vertx.vertx();
    String ns = "chaos-crash-" + Long.toHexString(System.currentTimeMillis() & 0xffffff);
    Path log = Files.createTempFile("bunting-crash-", ".log");
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
      CrashConsistencyBench bench = new CrashConsistencyBench(client, vertx, ns, jar, log, seed, fault, root);
      try (GatewayStatusController gateway = new GatewayStatusController(client, vertx, ns)) {
        gateway.start();
        bench.run(rollouts, batch, seed);
      } finally {
        bench.stopController();
        client.namespaces().withName(ns).delete();
      }
    } finally {
      vertx.close();
    }
  }

  private void run(int rollouts, int batchSize, long seed) throws Exception {
    HttpServer server = vertx.createHttpServer().requestHandler(req -> {
      if (req.path().startsWith("/api/v1/query")) {
        String q = req.getParam("query", "");
        String value = q.contains("bad-") ? "50" : "99.9";
        req.response().putHeader("Content-Type", "application/json").end("{\"status\":\"success\",\"data\":{"
            + "\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"" + value + "\"]}]}}");
      } else if (req.path().startsWith("/hook/")) {
        String type = req.path().substring("/hook/".length());
        req.body().onSuccess(b -> {
          String name = new JsonObject(b).getString("name", "?");
          hookCalls.computeIfAbsent(name, k -> new ConcurrentHashMap<>())
              .computeIfAbsent(type, k -> new AtomicInteger()).incrementAndGet();
          req.response().end("ok");
        });
      } else {
        req.response().setStatusCode(404).end();
      }
    });
    server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    servicePort = server.actualPort();
    System.out.printf("crash consistency (fault: %s): %d rollouts in batches of %d, seed %d, namespace %s,"
        + " controller log %s%n", fault.wire, rollouts, batchSize, seed, namespace, log);
    startController();
    List<Map<String, Object>> results = new ArrayList<>();
    for (int first = 0; first < rollouts; first += batchSize) {
      int n = Math.min(batchSize, rollouts - first);
      results.addAll(batch(first, n));
    }
    report(results, rollouts, seed);
  }

  private List<Map<String, Object>> batch(int first, int n) throws Exception {
    List<String> names = new ArrayList<>();
    for (int i = first; i < first + n; i++) {
      String name = (i % 2 == 0 ? "good-" : "bad-") + i;
      names.add(name);
      client.resource(Serialization.unmarshal(deployment(name), io.fabric8.kubernetes.api.model.apps.Deployment.class))
          .inNamespace(namespace).create();
      client.resource(Serialization.unmarshal(canary(name), Canary.class)).inNamespace(namespace).create();
    }
    awaitAll(names, c -> c == CanaryPhase.INITIALIZED, Duration.ofMinutes(3));
    // each rollout starts at its own offset; one fault at a random moment while they run
    Instant started = Instant.now();
    long faultAt = 2_000 + random.nextInt(40_000);
    List<Long> offsets = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      offsets.add((long) random.nextInt(30_000));
    }
    Thread faulting = null;
    for (int done = 0; done < n || faulting == null; ) {
      long now = Duration.between(started, Instant.now()).toMillis();
      for (int i = 0; i < n; i++) {
        if (offsets.get(i) >= 0 && now >= offsets.get(i)) {
          setImage(names.get(i), "2.0.0");
          offsets.set(i, -1L);
          done++;
        }
      }
      if (faulting == null && now >= faultAt) {
        faulting = new Thread(this::injectFault, "fault");
        faulting.start();
      }
      Thread.sleep(100);
    }
    faulting.join();
    awaitAll(names, p -> p == CanaryPhase.SUCCEEDED || p == CanaryPhase.FAILED, Duration.ofMinutes(6));
    Thread.sleep(3_000); // the last Events are written after the status
    List<Map<String, Object>> out = new ArrayList<>();
    List<Event> events = client.v1().events().inNamespace(namespace).list().getItems();
    for (String name : names) {
      out.add(result(name, events));
    }
    return out;
  }

  private Map<String, Object> result(String name, List<Event> events) {
    boolean healthy = name.startsWith("good-");
    Canary c = client.resources(Canary.class).inNamespace(namespace).withName(name).get();
    String phase = c.getStatus().phaseOrNew().wire();
    String primaryImage = client.apps().deployments().inNamespace(namespace).withName(name + "-primary").get()
        .getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    String id = name + "." + namespace;
    int promotions = 0;
    Map<Integer, Integer> steps = new TreeMap<>();
    for (Event e : events) {
      if (!name.equals(e.getInvolvedObject().getName()) || !"Canary".equals(e.getInvolvedObject().getKind())) {
        continue;
      }
      int count = e.getCount() == null ? 1 : e.getCount();
      if (e.getMessage().startsWith("Copying " + id + " template spec")) {
        promotions += count;
      } else if (e.getMessage().startsWith("Advance " + id + " canary weight ")) {
        String rest = e.getMessage().substring(("Advance " + id + " canary weight ").length()).split("\\D")[0];
        steps.merge(Integer.parseInt(rest), count, Integer::sum);
      }
    }
    List<Integer> expected = healthy ? HEALTHY_STEPS : FAILING_STEPS;
    boolean correct = healthy ? "Succeeded".equals(phase) && primaryImage.endsWith(":2.0.0")
        : "Failed".equals(phase) && primaryImage.endsWith(":1.0.0");
    Map<String, Integer> hooks = new TreeMap<>();
    hookCalls.getOrDefault(name, Map.of()).forEach((k, v) -> hooks.put(k, v.get()));
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("name", name);
    r.put("healthy", healthy);
    r.put("phase", phase);
    r.put("primaryImage", primaryImage.substring(primaryImage.lastIndexOf(':') + 1));
    r.put("correctEndState", correct);
    r.put("promotions", promotions);
    r.put("steps", steps);
    r.put("repeatedSteps", steps.values().stream().filter(v -> v > 1).count());
    r.put("skippedSteps", expected.stream().filter(w -> !steps.containsKey(w)).count());
    r.put("hooks", hooks);
    return r;
  }

  private void report(List<Map<String, Object>> results, int rollouts, long seed) {
    System.out.printf("%n| rollout | end state | primary | promotions | steps (weight: Events) | hook calls |%n");
    System.out.printf("|---|---|---|---|---|---|%n");
    for (Map<String, Object> r : results) {
      System.out.printf("| %s | %s%s | %s | %s | %s | %s |%n", r.get("name"), r.get("phase"),
          Boolean.TRUE.equals(r.get("correctEndState")) ? "" : " (WRONG)", r.get("primaryImage"), r.get("promotions"),
          r.get("steps"), r.get("hooks"));
    }
    long correct = results.stream().filter(r -> Boolean.TRUE.equals(r.get("correctEndState"))).count();
    long doublePromotions = results.stream().filter(r -> (Integer) r.get("promotions") > 1).count();
    long promotedFailing = results.stream()
        .filter(r -> !(Boolean) r.get("healthy") && (Integer) r.get("promotions") > 0).count();
    long repeated = results.stream().mapToLong(r -> (Long) r.get("repeatedSteps")).sum();
    long skipped = results.stream().mapToLong(r -> (Long) r.get("skippedSteps")).sum();
    long duplicateOnceHooks = results.stream().filter(r -> {
      @SuppressWarnings("unchecked")
      Map<String, Integer> h = (Map<String, Integer>) r.get("hooks");
      return h.getOrDefault("pre-rollout", 0) > 1 || h.getOrDefault("post-rollout", 0) > 1;
    }).count();
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("seed", seed);
    summary.put("rollouts", rollouts);
    summary.put("fault", fault.wire);
    summary.put("faults", faults);
    summary.put("controllerExits", controllerExits);
    summary.put("correctEndStates", correct);
    summary.put("doublePromotions", doublePromotions);
    summary.put("failingRolloutsPromoted", promotedFailing);
    summary.put("stepsRepeated", repeated);
    summary.put("stepsSkipped", skipped);
    summary.put("rolloutsWithPreOrPostRolloutHookCalledTwice", duplicateOnceHooks);
    System.out.printf("%n| measure | figure |%n|---|---|%n");
    summary.forEach((k, v) -> System.out.printf("| %s | %s |%n", k, v));
    Map<String, Object> json = new LinkedHashMap<>(summary);
    json.put("results", results);
    System.out.println(Serialization.asJson(json));
  }

  // --- the controller process --------------------------------------------------------------------

  private void startController() throws Exception {
    controller = new ControllerProcess(jar, log, List.of("--namespace", namespace, "--metrics-server",
        "http://127.0.0.1:" + servicePort, "--mesh-provider", "gatewayapi:v1")).start();
  }

  private void injectFault() {
    try {
      faults++;
      switch (fault) {
        case CONTROLLER -> {
          controller.kill();
          System.out.printf("  killed the controller (pid %d, SIGKILL), starting it again%n", controller.pid());
          startController();
        }
        case APISERVER -> {
          localCluster("stop", "kube-apiserver");
          System.out.printf("  kube-apiserver stopped for %d s%n", API_OUTAGE_SECONDS);
          Thread.sleep(API_OUTAGE_SECONDS * 1000L);
          localCluster("up");
          System.out.println("  kube-apiserver started again");
        }
        case ETCD_STALL -> {
          System.out.println("  etcd stalling: frozen 2 s out of every 4 s for 40 s");
          for (int i = 0; i < 10; i++) {
            localCluster("pause", "etcd");
            try {
              Thread.sleep(2_000);
            } finally {
              localCluster("resume", "etcd");
            }
            Thread.sleep(2_000);
          }
        }
        default -> throw new IllegalStateException(fault.toString());
      }
      if (!controller.alive()) {
        controllerExits++;
        System.out.printf("  the controller exited (pid %d) during the fault; starting it again%n", controller.pid());
        startController();
      }
    } catch (Exception e) {
      throw new IllegalStateException("fault " + fault.wire + " failed: " + e, e);
    }
  }

  /** {@code scripts/local-cluster args} for this benchmark's cluster (same environment), its output on stderr. */
  private void localCluster(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(projectDir.resolve("scripts/local-cluster").toString()));
    command.addAll(List.of(args));
    int rc = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.INHERIT)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start().waitFor();
    if (rc != 0) {
      throw new IllegalStateException("scripts/local-cluster " + String.join(" ", args) + " exited with " + rc);
    }
  }

  private void stopController() {
    if (controller != null) {
      controller.close();
    }
  }

  private void awaitAll(List<String> names, java.util.function.Predicate<CanaryPhase> done, Duration limit)
      throws InterruptedException {
    Instant end = Instant.now().plus(limit);
    while (Instant.now().isBefore(end)) {
      boolean all;
      try {
        all = names.stream().allMatch(n -> {
          Canary c = client.resources(Canary.class).inNamespace(namespace).withName(n).get();
          return c != null && c.getStatus() != null && done.test(c.getStatus().phaseOrNew());
        });
      } catch (KubernetesClientException e) {
        all = false; // the API server is away (a fault of this benchmark): ask again
      }
      if (all) {
        return;
      }
      Thread.sleep(1000);
    }
    System.out.println("  (time limit reached waiting for " + names + ")");
  }

  /** Sets the image, retried while the API server is away (a fault of this benchmark). */
  private void setImage(String name, String tag) throws InterruptedException {
    Instant end = Instant.now().plus(Duration.ofMinutes(2));
    while (true) {
      try {
        client.apps().deployments().inNamespace(namespace).withName(name).patch(
            PatchContext.of(PatchType.STRATEGIC_MERGE), "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":"
                + "\"app\",\"image\":\"ghcr.io/stefanprodan/podinfo:" + tag + "\"}]}}}}");
        return;
      } catch (KubernetesClientException e) {
        if (Instant.now().isAfter(end)) {
          throw e;
        }
        Thread.sleep(1_000);
      }
    }
  }

  private static String deployment(String name) {
    return CanaryScenarios.deployment(name, "1.0.0", 1);
  }

  private String canary(String name) {
    String hook = "http://127.0.0.1:" + servicePort + "/hook/";
    return """
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: %1$s}
        spec:
          provider: gatewayapi:v1
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: %1$s}
          service: {port: 9898, gatewayRefs: [{name: public-gateway}]}
          analysis:
            interval: 10s
            threshold: 2
            stepWeight: 25
            maxWeight: 50
            metrics:
            - {name: request-success-rate, thresholdRange: {min: 99}, interval: 1m}
            webhooks:
            - {name: pre, type: pre-rollout, url: "%2$spre-rollout"}
            - {name: load, type: rollout, url: "%2$srollout"}
            - {name: confirm, type: confirm-promotion, url: "%2$sconfirm-promotion"}
            - {name: post, type: post-rollout, url: "%2$spost-rollout"}
        """.formatted(name, hook);
  }
}
