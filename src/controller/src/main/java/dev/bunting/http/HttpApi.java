package dev.bunting.http;

import dev.bunting.metrics.MetricsEndpoint;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.TimeoutHandler;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The controller's HTTP port: {@code /healthz} (the process is alive), {@code /readyz} (caches are synced and the
 * engines run), {@code /metrics}, and whatever the {@link RouteContributor}s mount.
 */
public final class HttpApi {
  /** The largest request body accepted (a Git push webhook is a few kilobytes; GitHub cuts its payloads at 25 MB). */
  public static final int BODY_LIMIT = 1024 * 1024;
  /** How long a POST may take to arrive and be answered. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

  private final Vertx vertx;
  private final Router router;
  private HttpServer server;

  public HttpApi(Vertx vertx, PrometheusRegistry registry, BooleanSupplier ready, List<RouteContributor> contributors) {
    this.vertx = vertx;
    this.router = Router.router(vertx);
    router.get("/healthz").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain").end("OK"));
    router.get("/readyz").handler(ctx -> {
      boolean ok = ready.getAsBoolean();
      ctx.response().setStatusCode(ok ? 200 : 503).putHeader("Content-Type", "text/plain").end(ok ? "OK" : "not ready");
    });
    router.get("/metrics").handler(new MetricsEndpoint(registry));
    // a request must arrive whole within REQUEST_TIMEOUT (a body trickled byte by byte holds nothing for long); bodies
    // stay in memory, at most BODY_LIMIT (413 beyond it), and multipart uploads are never written to disk
    router.route().method(HttpMethod.POST).handler(TimeoutHandler.create(REQUEST_TIMEOUT.toMillis(), 408));
    router.route().handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
    contributors.forEach(c -> c.mount(router));
  }

  public Router router() {
    return router;
  }

  /** Listens on {@code host:port}; port 0 picks a free one (see {@link #port()}). */
  public Future<HttpServer> listen(String host, int port) {
    return vertx.createHttpServer().requestHandler(router).listen(port, host).onSuccess(s -> server = s);
  }

  public int port() {
    return server == null ? -1 : server.actualPort();
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
