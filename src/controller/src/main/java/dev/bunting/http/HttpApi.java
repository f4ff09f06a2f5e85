package dev.bunting.http;

import dev.bunting.metrics.MetricsEndpoint;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The controller's HTTP port: {@code /healthz} (the process is alive), {@code /readyz} (caches are synced and the
 * engines run), {@code /metrics}, and whatever the {@link RouteContributor}s mount.
 */
public final class HttpApi {
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
    router.route().handler(BodyHandler.create().setBodyLimit(1024 * 1024));
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
