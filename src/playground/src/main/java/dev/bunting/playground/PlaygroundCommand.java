package dev.bunting.playground;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import dev.bunting.api.GoDuration;
import dev.bunting.cli.BuntingApp;
import dev.bunting.cli.BuntingVersion;
import dev.bunting.cli.ControllerOptions;
import io.fabric8.kubernetes.client.Config;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bunting playground}: runs the whole GitOps canary story on the local control plane, with Bunting in-process
 * (see {@link Playground} and {@code docs/playground.md}).
 */
@Command(name = "playground", mixinStandardHelpOptions = true, versionProvider = BuntingVersion.class,
    header = "Watch Bunting promote a good release and roll back a bad one, locally, from a Git commit.",
    description = {
        "Run the whole GitOps canary story locally: a real local Kubernetes control plane, a real Prometheus, a local "
            + "Git repository synced by a GitSync, a simulated data plane (an HTTP server per kwok pod, a gateway "
            + "that splits traffic by the HTTPRoute's weights, steady load), and Bunting in-process.",
        "A commit bumps podinfo's image tag; Bunting shifts traffic step by step while Prometheus measures it, and "
            + "promotes a healthy version or rolls back a bad one. A live timeline shows each step.",
        "Ctrl-C stops everything the playground started."})
public final class PlaygroundCommand implements Callable<Integer> {
  @Option(names = "--scenario", defaultValue = "good-then-bad",
      description = "good-then-bad (1.1.0 promoted, then 1.2.0-bad rolled back), good, bad (20%% errors), slow "
          + "(+500 ms), or image-policy (images pushed to a local registry are committed by an ImagePolicy; the "
          + "rolled-back one is reverted in Git by the GitSync). Default: ${DEFAULT-VALUE}.")
  String scenario;

  @Option(names = "--interval", defaultValue = "10s",
      description = "The Canary's analysis interval, a Go duration, at least 10s. Default: ${DEFAULT-VALUE}.")
  String interval;

  @Option(names = "--keep",
      description = "After the scenario, keep everything running to explore with kubectl and the Prometheus UI, "
          + "until Ctrl-C; a local control plane the playground started is left running.")
  boolean keep;

  @Option(names = "--clean",
      description = "First delete what an earlier run left behind: the playground namespace, its Git repository and "
          + "its Prometheus state.")
  boolean clean;

  @Option(names = "--cluster", defaultValue = "local",
      description = "local (the project's local control plane, default) or k3s (needs a Docker engine).")
  String cluster;

  @Option(names = "--namespace", defaultValue = "bunting-playground",
      description = "Namespace of the demo app. Default: ${DEFAULT-VALUE}.")
  String namespace;

  @Option(names = "--rps", defaultValue = "30", description = "Requests per second through the gateway. "
      + "Default: ${DEFAULT-VALUE}.")
  double rps;

  @Option(names = "--prometheus-port", defaultValue = "19095",
      description = "Port of the playground's Prometheus on 127.0.0.1 (0: any free port). Default: ${DEFAULT-VALUE}.")
  int prometheusPort;

  @Option(names = "--gateway-port", defaultValue = "18080",
      description = "Port of the simulated gateway on 127.0.0.1 (0: any free port). Default: ${DEFAULT-VALUE}.")
  int gatewayPort;

  @Option(names = "--port", defaultValue = "18081",
      description = "Bunting's HTTP port on 127.0.0.1 (/metrics, /healthz; 0: any free port). "
          + "Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--project-dir",
      description = "The Bunting checkout (scripts/, crds/). Default: found from the working directory or the jar.")
  Path projectDir;

  @Option(names = "--state-dir",
      description = "The playground's files (Git repository, GitSync clones, scrape targets). "
          + "Default: $BUNTING_CACHE/playground (~/.cache/bunting/playground).")
  Path stateDir;

  @Override
  public Integer call() throws Exception {
    // the terminal is for the timeline: no Logback status report (it prints one when its config has a warning)
    System.setProperty("logback.statusListenerClass", "ch.qos.logback.core.status.NopStatusListener");
    PrintStream out = System.out;
    PlaygroundSettings settings;
    try {
      settings = settings();
    } catch (IllegalArgumentException e) {
      System.err.println("bunting playground: " + e.getMessage());
      return 2;
    }
    if (!"local".equals(cluster)) {
      System.err.println("bunting playground: " + ClusterBackends.unsupported(cluster));
      return 2;
    }
    logToFile(settings.controllerLog());
    Vertx vertx = Vertx.vertx();
    Playground playground;
    try {
      playground = new Playground(vertx, settings, s -> startBunting(vertx, s), out, Clock.systemUTC());
    } catch (PlaygroundException e) {
      System.err.println("bunting playground: " + e.getMessage());
      vertx.close();
      return 2;
    }
    CountDownLatch done = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    Thread hook = new Thread(() -> {
      interrupted.set(true);
      out.println();
      out.println("[playground] Ctrl-C: stopping everything the playground started");
      playground.close();
      done.countDown();
    }, "playground-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    int code;
    try {
      PlaygroundSummary summary = playground.run();
      code = summary.asExpected() ? 0 : 1;
      if (settings.keep()) {
        playground.exploreHints().forEach(out::println);
        out.println("  Bunting's log: " + settings.controllerLog());
        done.await();
        return code;
      }
    } catch (PlaygroundException e) {
      if (!interrupted.get()) {
        out.println("bunting playground: " + e.getMessage());
      }
      code = 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      code = 130;
    } catch (RuntimeException e) {
      if (!interrupted.get()) { // after Ctrl-C, failures of what the cleanup is stopping are expected
        out.println("bunting playground failed: " + e);
        out.println("Bunting's log: " + settings.controllerLog());
      }
      code = 1;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      done.await(2, TimeUnit.MINUTES); // Ctrl-C arrived: the hook cleans up
      return 130;
    }
    playground.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return code;
  }

  private PlaygroundSettings settings() {
    Scenario s = Scenario.of(scenario);
    Duration d = GoDuration.parse(interval).orElseThrow(() ->
        new IllegalArgumentException("--interval: not a duration: " + interval + " (e.g. 10s, 1m)"));
    return new PlaygroundSettings(s, d, keep, clean, namespace,
        stateDir == null ? PlaygroundSettings.defaultStateDir() : stateDir.toAbsolutePath(), "playground",
        prometheusPort, gatewayPort, port, rps, Optional.ofNullable(projectDir));
  }

  /**
   * Starts the real controller on {@code vertx}, assembled as {@code bunting controller} assembles it, watching the
   * playground's namespace only.
   */
  public static Future<ControllerLauncher.Running> startBunting(Vertx vertx, ControllerLauncher.Settings s) {
    ControllerOptions options = ControllerOptions.defaults();
    options.metricsServer = s.metricsServer();
    options.meshProvider = s.meshProvider();
    options.namespace = s.namespace();
    options.port = s.port();
    options.listenAddress = "127.0.0.1";
    options.gitCacheDir = s.gitCacheDir();
    Config config;
    try {
      config = Config.fromKubeconfig(Files.readString(s.kubeconfig()));
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    BuntingApp bunting = new BuntingApp(vertx, options, config, Clock.systemUTC());
    return bunting.start().map(app -> new ControllerLauncher.Running() {
      @Override
      public int port() {
        return app.httpPort();
      }

      @Override
      public Future<Void> stop() {
        return app.stop();
      }
    });
  }

  /** Sends every log line (Bunting's and the libraries') to {@code file}, so the terminal shows the timeline only. */
  private static void logToFile(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n");
    encoder.start();
    FileAppender<ILoggingEvent> appender = new FileAppender<>();
    appender.setContext(context);
    appender.setName("playground-file");
    appender.setFile(file.toString());
    appender.setAppend(false);
    appender.setEncoder(encoder);
    appender.start();
    root.detachAndStopAllAppenders();
    root.addAppender(appender);
  }
}
