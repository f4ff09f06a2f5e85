package dev.bunting.cli;

import io.fabric8.kubernetes.client.Config;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code bunting controller}: runs the canary engine and GitSync against the cluster of KUBECONFIG or in-cluster config. */
@Command(name = "controller", mixinStandardHelpOptions = true, versionProvider = BuntingVersion.class,
    description = "Run the Bunting controller (the default command) against the cluster from KUBECONFIG, "
        + "~/.kube/config or the in-cluster service account.")
public final class ControllerCommand implements Callable<Integer> {
  @Mixin
  ControllerOptions options = new ControllerOptions();

  @Override
  public Integer call() throws Exception {
    return run(options);
  }

  static int run(ControllerOptions options) throws InterruptedException {
    Logger log = LoggerFactory.getLogger(ControllerCommand.class);
    Vertx vertx = Vertx.vertx();
    BuntingApp app = new BuntingApp(vertx, options, Config.autoConfigure(null), Clock.systemUTC());
    // As Flagger: a leader that lost its Lease exits; Kubernetes restarts the container, which comes back as a standby
    // with fresh in-memory state (the Canaries' and GitSyncs' status is the only memory). Not from the event loop that
    // tells us: exiting runs the shutdown hook, which needs the event loops.
    app.onLeadershipLost(() -> new Thread(() -> {
      log.error("lost the leader election Lease; exiting so that this replica restarts as a standby");
      System.exit(2);
    }, "bunting-exit").start());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("shutting down");
      try {
        app.stop().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warn("unclean shutdown: {}", e.toString());
      }
      stopped.countDown();
    }, "bunting-shutdown"));
    try {
      app.start().toCompletionStage().toCompletableFuture().get();
    } catch (java.util.concurrent.ExecutionException e) {
      log.error("Bunting could not start: {}", e.getCause().getMessage(), e.getCause());
      vertx.close();
      return 1;
    }
    stopped.await();
    return 0;
  }
}
