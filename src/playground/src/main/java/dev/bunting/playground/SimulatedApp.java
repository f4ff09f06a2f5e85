package dev.bunting.playground;

import dev.bunting.metrics.MetricsEndpoint;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process behind one kwok pod: a small HTTP server on 127.0.0.1 that answers like podinfo ({@code GET /} returns
 * the hostname and version as JSON; {@code /healthz} and {@code /readyz} say ok), behaves as its {@link AppBehaviour}
 * says, and exposes {@code http_request_duration_seconds} (a classic histogram with podinfo's buckets and labels
 * {@code method}, {@code path}, {@code status}) on {@code /metrics}, measured on the requests it really served.
 */
public final class SimulatedApp {
  private static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  private final Vertx vertx;
  private final String pod;
  private final AppBehaviour behaviour;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Histogram duration;
  private final AtomicLong requests = new AtomicLong();
  private HttpServer server;

  public SimulatedApp(Vertx vertx, String pod, AppBehaviour behaviour) {
    this.vertx = vertx;
    this.pod = pod;
    this.behaviour = behaviour;
    this.duration = Histogram.builder()
        .name("http_request_duration_seconds")
        .help("Seconds spent serving HTTP requests.")
        .labelNames("method", "path", "status")
        .classicOnly()
        .classicUpperBounds(BUCKETS)
        .register(registry);
  }

  /** Listens on a free port of 127.0.0.1. */
  public Future<SimulatedApp> start() {
    Router router = Router.router(vertx);
    router.get("/metrics").handler(new MetricsEndpoint(registry));
    router.get("/healthz").handler(ctx -> ctx.json(new JsonObject().put("status", "OK")));
    router.get("/readyz").handler(ctx -> ctx.json(new JsonObject().put("status", "OK")));
    router.route().handler(ctx -> serve(ctx.request()));
    return vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").map(s -> {
      server = s;
      return this;
    });
  }

  private void serve(HttpServerRequest request) {
    long started = System.nanoTime();
    long sequence = requests.incrementAndGet();
    long workMs = ThreadLocalRandom.current().nextLong(AppBehaviour.BASE_LATENCY_MIN.toMillis(),
        AppBehaviour.BASE_LATENCY_MAX.toMillis() + 1) + behaviour.extraLatency().toMillis();
    boolean fail = behaviour.fails(sequence);
    vertx.setTimer(workMs, id -> {
      int status = fail ? 500 : 200;
      JsonObject body = fail
          ? new JsonObject().put("code", 500).put("message", "simulated failure of podinfo " + behaviour.version())
          : new JsonObject().put("hostname", pod).put("version", behaviour.version())
              .put("message", "greetings from podinfo v" + behaviour.version());
      request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
          .putHeader("X-Pod", pod).end(body.encode());
      duration.labelValues(request.method().name(), "/", String.valueOf(status))
          .observe((System.nanoTime() - started) / 1e9);
    });
  }

  public String pod() {
    return pod;
  }

  public AppBehaviour behaviour() {
    return behaviour;
  }

  /** The port it listens on; -1 before {@link #start()} completed. */
  public int port() {
    return server == null ? -1 : server.actualPort();
  }

  /** Requests served so far (every path but /metrics, /healthz and /readyz). */
  public long served() {
    return requests.get();
  }

  public Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
