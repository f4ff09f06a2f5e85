package dev.bunting.testing;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An exporter the test controls, standing in for instrumented apps and the proxies in front of them. Behaviour comes
 * from a pod's image tag: a tag containing {@code bad} answers 20 % 5xx, {@code slow} takes 600 ms, {@code sluggish}
 * 26 ms (30 % slower than healthy, far under any usual threshold), {@code idle} receives no traffic at all, anything
 * else is healthy (20 ms). Where the requests come from is the {@link Traffic}: by default ({@link Traffic#SYNTHETIC})
 * the exporter counts 20 requests per second for every Ready pod in a namespace by itself; with {@link Traffic#DRIVEN}
 * it counts only the requests really sent to its front door ({@link #frontDoorUrl()}), which serves each from a Ready
 * pod of the Service named by the {@code Host} header, so the metrics show exactly the load a test sends. Each
 * {@link MetricFamily} renders those counts as the series one data plane exports; by default
 * {@link MetricFamily#HTTP}, the app's own {@code http_request_duration_seconds} histogram that Flagger's builtin
 * {@code kubernetes}/{@code gatewayapi} queries read. A real Prometheus scrapes it with {@code honor_labels}, so the
 * builtin queries of a provider work unchanged.
 */
public final class SyntheticAppMetrics implements AutoCloseable {
  /** Prometheus' default histogram buckets (seconds). */
  public static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  private static final double REQUESTS_PER_SECOND = 20;

  private final Vertx vertx;
  private final KubernetesClient client;
  private final String namespace;
  private final List<MetricFamily> families;
  private final Map<String, PodCounters> pods = new ConcurrentHashMap<>();
  private final HttpServer server;
  private final Traffic traffic;
  private final HttpServer frontDoor;
  private final long timer;
  private long lastTick = System.nanoTime();
  private volatile List<Pod> knownPods = List.of();
  private volatile Map<String, Map<String, String>> serviceSelectors = Map.of();
  private final Map<String, AtomicLong> served = new ConcurrentHashMap<>();

  /** Where the counted requests come from. */
  public enum Traffic {
    /** 20 requests per second for every Ready pod, counted by the exporter itself. */
    SYNTHETIC,
    /**
     * Only the requests sent to {@link #frontDoorUrl()}: each is served, after the pod's latency, with the pod's
     * status by a Ready pod (round robin) of the Service its {@code Host} header names ({@code <service>} or
     * {@code <service>.<namespace>}); no such Service or no Ready pod: 503, not counted.
     */
    DRIVEN
  }

  /** Per-pod counters: requests by status, and the latency of each. */
  private static final class PodCounters {
    final String pod;
    final String workload;
    double ok;
    double errors;
    double latency;

    PodCounters(String pod, String workload) {
      this.pod = pod;
      this.workload = workload;
    }
  }

  /**
   * What one pod served so far: its workload (the Deployment, DaemonSet or StatefulSet that owns it), whole request
   * counts by outcome, and the latency of each request in seconds.
   */
  public record PodTraffic(String namespace, String pod, String workload, double ok, double errors, double latency) {}

  /** The series of one data plane, rendered from every pod's traffic in the Prometheus text format. */
  @FunctionalInterface
  public interface MetricFamily {
    void render(StringBuilder out, List<PodTraffic> pods);

    /** The app's own {@code http_request_duration_seconds} histogram ({@code kubernetes}, {@code gatewayapi}). */
    MetricFamily HTTP = SyntheticAppMetrics::renderHttp;
  }

  /** The app's own histogram only ({@link MetricFamily#HTTP}). */
  public SyntheticAppMetrics(Vertx vertx, KubernetesClient client, String namespace) throws Exception {
    this(vertx, client, namespace, List.of(MetricFamily.HTTP));
  }

  public SyntheticAppMetrics(Vertx vertx, KubernetesClient client, String namespace, List<MetricFamily> families)
      throws Exception {
    this(vertx, client, namespace, families, Traffic.SYNTHETIC);
  }

  public SyntheticAppMetrics(Vertx vertx, KubernetesClient client, String namespace, List<MetricFamily> families,
      Traffic traffic) throws Exception {
    this.vertx = vertx;
    this.client = client;
    this.namespace = namespace;
    this.families = List.copyOf(families);
    this.traffic = traffic;
    this.server = vertx.createHttpServer()
        .requestHandler(req -> req.response().putHeader("Content-Type", "text/plain; version=0.0.4").end(render()))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    this.frontDoor = traffic == Traffic.SYNTHETIC ? null : vertx.createHttpServer().requestHandler(this::serve)
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    this.timer = vertx.setPeriodic(500, id -> vertx.executeBlocking(() -> {
      tick();
      return null;
    }, true));
  }

  public int port() {
    return server.actualPort();
  }

  /** A Prometheus scrape job for this exporter, keeping its pod labels. */
  public String scrapeConfig() {
    return """
        global: {scrape_interval: 1s, evaluation_interval: 1s}
        scrape_configs:
        - job_name: synthetic-app
          honor_labels: true
          scrape_interval: 1s
          static_configs: [{targets: ["127.0.0.1:%d"]}]
        """.formatted(port());
  }

  /**
   * The front door of {@link Traffic#DRIVEN} traffic: send requests here with {@code Host: <service>}; empty with
   * synthetic traffic.
   */
  public Optional<String> frontDoorUrl() {
    return Optional.ofNullable(frontDoor).map(s -> "http://127.0.0.1:" + s.actualPort() + "/");
  }

  /** Requests the front door served so far, by the Service they named. */
  public Map<String, Long> servedByService() {
    Map<String, Long> out = new TreeMap<>();
    served.forEach((svc, n) -> out.put(svc, n.get()));
    return out;
  }

  /**
   * Lists the pods (blocking, on a worker) outside the lock, then counts their requests under it; with driven traffic,
   * keeps the pods and the Services' selectors for the front door instead.
   */
  private void tick() {
    List<Pod> current = client.pods().inNamespace(namespace).list().getItems();
    if (traffic == Traffic.SYNTHETIC) {
      count(current);
      return;
    }
    Map<String, Map<String, String>> selectors = new HashMap<>();
    client.services().inNamespace(namespace).list().getItems().forEach(svc -> selectors.put(
        svc.getMetadata().getName(), svc.getSpec().getSelector() == null ? Map.of() : svc.getSpec().getSelector()));
    knownPods = List.copyOf(current);
    serviceSelectors = selectors;
  }

  private void serve(HttpServerRequest req) {
    String host = req.getHeader("Host") == null ? "" : req.getHeader("Host").replaceFirst(":\\d+$", "");
    String service = host.endsWith("." + namespace) ? host.substring(0, host.length() - namespace.length() - 1) : host;
    Map<String, String> selector = serviceSelectors.get(service);
    List<Pod> ready = selector == null || selector.isEmpty() ? List.of() : knownPods.stream()
        .filter(p -> ready(p) && p.getMetadata().getDeletionTimestamp() == null && p.getMetadata().getLabels() != null
            && p.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .toList();
    if (ready.isEmpty()) {
      req.response().setStatusCode(503).end("no Ready pod behind Service " + service + "\n");
      return;
    }
    long n = served.computeIfAbsent(service, s -> new AtomicLong()).getAndIncrement();
    Pod pod = ready.get((int) (n % ready.size()));
    String tag = tag(pod);
    double latency = latency(tag);
    vertx.setTimer((long) (latency * 1000), id -> {
      boolean error = countServed(pod, tag, latency);
      req.response().setStatusCode(error ? 500 : 200).putHeader("X-Pod", pod.getMetadata().getName())
          .end(error ? "error\n" : "ok\n");
    });
  }

  /** Counts one request served by {@code pod}; whether it is an error (every fifth of a {@code bad} pod). */
  private synchronized boolean countServed(Pod pod, String tag, double latency) {
    PodCounters c = pods.computeIfAbsent(pod.getMetadata().getName(), name -> new PodCounters(name, workload(pod)));
    boolean error = tag.contains("bad") && (long) (c.ok + c.errors) % 5 == 4;
    if (error) {
      c.errors++;
    } else {
      c.ok++;
    }
    c.latency = latency;
    return error;
  }

  /** Seconds per request for a pod's image tag. */
  private static double latency(String tag) {
    return tag.contains("slow") ? 0.6 : tag.contains("sluggish") ? 0.026 : 0.02;
  }

  private static String tag(Pod pod) {
    String image = pod.getSpec().getContainers().get(0).getImage();
    return image.contains(":") ? image.substring(image.lastIndexOf(':') + 1) : "latest";
  }

  private synchronized void count(List<Pod> current) {
    long now = System.nanoTime();
    double dt = (now - lastTick) / 1e9;
    lastTick = now;
    for (Pod pod : current) {
      if (!ready(pod) || pod.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      String tag = tag(pod);
      if (tag.contains("idle")) {
        continue; // a pod that receives no traffic at all: no series
      }
      PodCounters c = pods.computeIfAbsent(pod.getMetadata().getName(), name -> new PodCounters(name, workload(pod)));
      double n = REQUESTS_PER_SECOND * dt;
      double errorRate = tag.contains("bad") ? 0.2 : 0.0;
      c.errors += n * errorRate;
      c.ok += n * (1 - errorRate);
      c.latency = latency(tag);
    }
  }

  private synchronized String render() {
    List<PodTraffic> traffic = pods.values().stream()
        .map(c -> new PodTraffic(namespace, c.pod, c.workload, Math.floor(c.ok), Math.floor(c.errors), c.latency))
        .toList();
    StringBuilder out = new StringBuilder();
    families.forEach(f -> f.render(out, traffic));
    return out.toString();
  }

  private static void renderHttp(StringBuilder out, List<PodTraffic> pods) {
    out.append("# TYPE http_request_duration_seconds histogram\n");
    for (PodTraffic p : pods) {
      String labels = "kubernetes_namespace=\"" + p.namespace() + "\",kubernetes_pod_name=\"" + p.pod() + "\"";
      histogram(out, "http_request_duration_seconds", labels + ",status=\"200\"", p.ok(), p.latency());
      histogram(out, "http_request_duration_seconds", labels + ",status=\"500\"", p.errors(), p.latency());
    }
  }

  /**
   * One histogram series set ({@code _bucket} per {@link #BUCKETS} and {@code +Inf}, {@code _sum}, {@code _count}) of
   * {@code count} observations all of value {@code value}, for {@link MetricFamily} implementations. {@code buckets}
   * are upper bounds in the histogram's own unit (seconds or milliseconds).
   */
  public static void histogram(StringBuilder out, String name, String labels, double count, double value,
      double... buckets) {
    for (double le : buckets.length == 0 ? BUCKETS : buckets) {
      out.append(name).append("_bucket{").append(labels).append(",le=\"")
          .append(String.format(Locale.ROOT, "%s", le)).append("\"} ").append(value <= le ? count : 0).append('\n');
    }
    out.append(name).append("_bucket{").append(labels).append(",le=\"+Inf\"} ").append(count).append('\n');
    out.append(name).append("_sum{").append(labels).append("} ").append(count * value).append('\n');
    out.append(name).append("_count{").append(labels).append("} ").append(count).append('\n');
  }

  /**
   * The workload a pod belongs to: its controller owner, and for a ReplicaSet the Deployment that owns it (the
   * ReplicaSet name without its {@code pod-template-hash} suffix).
   */
  static String workload(Pod pod) {
    var owner = pod.getMetadata().getOwnerReferences() == null ? null : pod.getMetadata().getOwnerReferences().stream()
        .filter(o -> Boolean.TRUE.equals(o.getController())).findFirst().orElse(null);
    if (owner == null) {
      return pod.getMetadata().getName();
    }
    String hash = pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get("pod-template-hash");
    if ("ReplicaSet".equals(owner.getKind()) && hash != null && owner.getName().endsWith("-" + hash)) {
      return owner.getName().substring(0, owner.getName().length() - hash.length() - 1);
    }
    return owner.getName();
  }

  private static boolean ready(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
        .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  @Override
  public void close() {
    vertx.cancelTimer(timer);
    server.close();
    if (frontDoor != null) {
      frontDoor.close();
    }
  }
}
