package dev.bunting.cli;

import dev.bunting.api.GoDuration;
import dev.bunting.kube.ApiRequestCounter;
import dev.bunting.kube.BlockingPool;
import dev.bunting.kube.KubeClientFactory;
import dev.bunting.loadtester.ConfigMapGateStore;
import dev.bunting.loadtester.GateStore;
import dev.bunting.loadtester.InMemoryGateStore;
import dev.bunting.loadtester.LoadTesterServer;
import dev.bunting.loadtester.NamespaceAuthorizer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bunting loadtester}: flagger-loadtester's API with Bunting's built-in load task (docs/loadtester.md). */
@Command(name = "loadtester", mixinStandardHelpOptions = true, versionProvider = BuntingVersion.class,
    description = "Run the load tester: flagger-loadtester's webhook API (tasks, gates) and Bunting's built-in load "
        + "task, for canary webhooks.")
public final class LoadTesterCommand implements Callable<Integer> {
  @Mixin
  LoadTesterOptions options = new LoadTesterOptions();

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Logger log = LoggerFactory.getLogger(LoadTesterCommand.class);
    NamespaceAuthorizer authorizer;
    try {
      authorizer = NamespaceAuthorizer.of(options.namespaceRegexp);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    Vertx vertx = Vertx.vertx();
    PrometheusRegistry registry = new PrometheusRegistry();
    List<AutoCloseable> closeables = new ArrayList<>();
    GateStore gates = new InMemoryGateStore();
    if (options.gateConfigMap().isPresent()) {
      Config config = Config.autoConfigure(null);
      String[] ref = options.gateConfigMap().get().split("/", 2);
      String namespace = ref.length == 2 ? ref[0] : config.getNamespace();
      String name = ref[ref.length - 1];
      if (namespace == null || namespace.isBlank()) {
        vertx.close();
        throw new ParameterException(spec.commandLine(), "--gate-configmap " + name + ": the load tester's namespace "
            + "is unknown here; write it as namespace/name");
      }
      KubernetesClient client = KubeClientFactory.create(vertx, config, new ApiRequestCounter(registry));
      BlockingPool pool = new BlockingPool(vertx, "bunting-loadtester", 4);
      closeables.add(client);
      closeables.add(pool);
      gates = new ConfigMapGateStore(client, pool, namespace, name);
    }
    LoadTesterServer server = new LoadTesterServer(vertx, registry, gates,
        new LoadTesterServer.Settings(options.timeout, authorizer, options.enableShellTasks));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("shutting down the load tester");
      try {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        for (AutoCloseable c : closeables) {
          c.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warn("unclean shutdown: {}", e.toString());
      }
      stopped.countDown();
    }, "bunting-loadtester-shutdown"));
    try {
      server.listen(options.listenAddress, options.port).toCompletionStage().toCompletableFuture().get();
    } catch (java.util.concurrent.ExecutionException e) {
      log.error("the load tester could not start: {}", e.getCause().getMessage());
      vertx.close();
      return 1;
    }
    log.info("Bunting load tester {} listening on {}:{}; shell tasks {}; serving {}; gates in {}; command timeout {}",
        BuntingVersion.version(), options.listenAddress, server.port(),
        options.enableShellTasks ? "enabled" : "disabled", authorizer, gates, GoDuration.format(options.timeout));
    stopped.await();
    return 0;
  }
}
