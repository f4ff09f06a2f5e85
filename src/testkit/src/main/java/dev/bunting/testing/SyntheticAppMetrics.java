package dev.bunting.testing;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * An exporter the test controls, standing in for instrumented apps: for every Ready pod in a namespace it counts
 * {@code http_request_duration_seconds} (histogram, labels {@code kubernetes_namespace}, {@code kubernetes_pod_name},
 * {@code status}) at a steady rate, with behaviour taken from the pod's image tag: a tag containing {@code bad} answers
 * 20 % 5xx, {@code slow} takes 600 ms, anything else is healthy (20 ms). A real Prometheus scrapes it with
 * {@code honor_labels}, so Flagger's builtin {@code kubernetes}/{@code gatewayapi} queries work unchanged.
 */
public final class SyntheticAppMetrics implements AutoCloseable {
  private static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  private static final double REQUESTS_PER_SECOND = 20;

  private final Vertx vertx;
  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, PodCounters> pods = new ConcurrentHashMap<>();
  private final HttpServer server;
  private final long timer;
  private long lastTick = System.nanoTime();

  /** Per-pod counters: requests by status, and the latency of each. */
  private static final class PodCounters {
    final String pod;
    double ok;
    double errors;
    double latency;

    PodCounters(String pod) {
      this.pod = pod;
    }
  }

  public SyntheticAppMetrics(Vertx vertx, KubernetesClient client, String namespace) throws Exception {
    this.vertx = vertx;
    this.client = client;
    this.namespace = namespace;
    this.server = vertx.createHttpServer()
        .requestHandler(req -> req.response().putHeader("Content-Type", "text/plain; version=0.0.4").end(render()))
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

  /** Lists the pods (blocking, on a worker) outside the lock, then counts their requests under it. */
  private void tick() {
    List<Pod> current = client.pods().inNamespace(namespace).list().getItems();
    count(current);
  }

  private synchronized void count(List<Pod> current) {
    long now = System.nanoTime();
    double dt = (now - lastTick) / 1e9;
    lastTick = now;
    for (Pod pod : current) {
      if (!ready(pod) || pod.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      String image = pod.getSpec().getContainers().get(0).getImage();
      String tag = image.contains(":") ? image.substring(image.lastIndexOf(':') + 1) : "latest";
      PodCounters c = pods.computeIfAbsent(pod.getMetadata().getName(), PodCounters::new);
      double n = REQUESTS_PER_SECOND * dt;
      double errorRate = tag.contains("bad") ? 0.2 : 0.0;
      c.errors += n * errorRate;
      c.ok += n * (1 - errorRate);
      c.latency = tag.contains("slow") ? 0.6 : 0.02;
    }
  }

  private synchronized String render() {
    StringBuilder out = new StringBuilder("# TYPE http_request_duration_seconds histogram\n");
    for (PodCounters c : pods.values()) {
      series(out, c, "200", Math.floor(c.ok));
      series(out, c, "500", Math.floor(c.errors));
    }
    return out.toString();
  }

  private void series(StringBuilder out, PodCounters c, String status, double count) {
    String labels = "kubernetes_namespace=\"" + namespace + "\",kubernetes_pod_name=\"" + c.pod + "\",status=\""
        + status + "\"";
    for (double le : BUCKETS) {
      out.append("http_request_duration_seconds_bucket{").append(labels).append(",le=\"")
          .append(String.format(Locale.ROOT, "%s", le)).append("\"} ").append(c.latency <= le ? count : 0).append('\n');
    }
    out.append("http_request_duration_seconds_bucket{").append(labels).append(",le=\"+Inf\"} ").append(count).append('\n');
    out.append("http_request_duration_seconds_sum{").append(labels).append("} ").append(count * c.latency).append('\n');
    out.append("http_request_duration_seconds_count{").append(labels).append("} ").append(count).append('\n');
  }

  private static boolean ready(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
        .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  @Override
  public void close() {
    vertx.cancelTimer(timer);
    server.close();
  }
}
