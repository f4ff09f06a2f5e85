package dev.bunting.loadtester;

import dev.bunting.metrics.MetricsEndpoint;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.time.Duration;

/**
 * {@code bunting loadtester}: flagger-loadtester's HTTP API on its own Vert.x server, plus Bunting's built-in
 * {@code load} task. Routes: {@code POST /} ({@link TaskRoutes}), the gates ({@link GateRoutes}), {@code /metrics}
 * ({@link LoadTesterMetrics}) and {@code /healthz}.
 */
public final class LoadTesterServer {
  private final Vertx vertx;
  private final Router router;
  private final TaskRunner runner;
  private final CommandExecutor commands;
  private HttpServer server;

  /**
   * @param timeout how long a command may run before it is killed ({@code --timeout}); also the longest load
   * @param authorizer which namespaces may use tasks and gates ({@code --namespace-regexp})
   * @param shellEnabled whether {@code cmd}, {@code bash}, {@code kubectl} and {@code helm} tasks run
   *     ({@code --enable-shell-tasks})
   */
  public record Settings(Duration timeout, NamespaceAuthorizer authorizer, boolean shellEnabled) {}

  public LoadTesterServer(Vertx vertx, PrometheusRegistry registry, GateStore gates, Settings settings) {
    this.vertx = vertx;
    LoadTesterMetrics metrics = new LoadTesterMetrics(registry);
    this.runner = new TaskRunner(metrics);
    this.commands = new CommandExecutor(vertx, settings.timeout());
    this.router = Router.router(vertx);
    router.route("/healthz").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain").end("OK"));
    router.get("/metrics").handler(new MetricsEndpoint(registry));
    new GateRoutes(gates, settings.authorizer()).mount(router);
    new TaskRoutes(vertx, runner, commands, metrics, settings.authorizer(), settings.shellEnabled()).mount(router);
  }

  /** Listens on {@code host:port}; port 0 picks a free one (see {@link #port()}). */
  public Future<LoadTesterServer> listen(String host, int port) {
    return vertx.createHttpServer().requestHandler(router).listen(port, host).map(s -> {
      server = s;
      return this;
    });
  }

  public int port() {
    return server == null ? -1 : server.actualPort();
  }

  /** Asynchronous tasks running now. */
  public int runningTasks() {
    return runner.runningCount();
  }

  /** Stops accepting requests, stops the load runs and kills running commands. */
  public Future<Void> close() {
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    return closed.eventually(() -> {
      runner.cancelAll();
      return vertx.executeBlocking(() -> {
        commands.killAll();
        return null;
      }, false);
    }).mapEmpty();
  }
}
