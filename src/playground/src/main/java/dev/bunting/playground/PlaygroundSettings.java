package dev.bunting.playground;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How to run the playground (the command line's options).
 *
 * @param scenario the story to play
 * @param interval the Canary's analysis interval (Flagger's minimum is 10 s)
 * @param keep after the scenario, keep everything running until interrupted, to explore
 * @param clean delete what an earlier run left (namespace, Git repository, Prometheus state) before starting
 * @param namespace the namespace of the demo app, the GitSync and the Canary
 * @param stateDir the playground's files: the Git repository, GitSync's clones, the scrape targets
 * @param prometheusName the name of the Prometheus instance ({@code scripts/prometheus --name})
 * @param prometheusPort its port on 127.0.0.1 (0: any free port)
 * @param gatewayPort the simulated gateway's port on 127.0.0.1 (0: any free port)
 * @param controllerPort Bunting's HTTP port on 127.0.0.1 (0: any free port)
 * @param requestsPerSecond the load sent through the gateway
 * @param projectDir the checkout, if not found from the working directory or the jar
 */
public record PlaygroundSettings(Scenario scenario, Duration interval, boolean keep, boolean clean, String namespace,
    Path stateDir, String prometheusName, int prometheusPort, int gatewayPort, int controllerPort,
    double requestsPerSecond, Optional<Path> projectDir) {

  /** Flagger's minimum analysis interval, which Bunting enforces too. */
  public static final Duration MIN_INTERVAL = Duration.ofSeconds(10);

  public PlaygroundSettings {
    if (interval.compareTo(MIN_INTERVAL) < 0) {
      throw new IllegalArgumentException("--interval must be at least 10s (Flagger's minimum analysis interval)");
    }
    if (interval.toMillis() % 1000 != 0) {
      throw new IllegalArgumentException("--interval must be whole seconds");
    }
    if (!namespace.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") || namespace.length() > 63) {
      throw new IllegalArgumentException("--namespace must be a DNS label (lower-case letters, digits, dashes)");
    }
    if (requestsPerSecond <= 0 || requestsPerSecond > 500) {
      throw new IllegalArgumentException("--rps must be between 1 and 500");
    }
  }

  /** The default state directory: {@code $BUNTING_CACHE/playground} (default {@code ~/.cache/bunting/playground}). */
  public static Path defaultStateDir() {
    String cache = System.getenv("BUNTING_CACHE");
    if (cache == null || cache.isBlank()) {
      String xdg = System.getenv("XDG_CACHE_HOME");
      Path base = xdg == null || xdg.isBlank() ? Path.of(System.getProperty("user.home"), ".cache") : Path.of(xdg);
      return base.resolve("bunting").resolve("playground");
    }
    return Path.of(cache).resolve("playground");
  }

  public Path repositoryDir() {
    return stateDir.resolve("repo");
  }

  public Path gitCacheDir() {
    return stateDir.resolve("git-cache");
  }

  public Path targetsFile() {
    return stateDir.resolve("prometheus/targets.json");
  }

  public Path prometheusConfig() {
    return stateDir.resolve("prometheus/prometheus.yml");
  }

  /** Bunting's log of the last run; beside the state directory, so that cleaning up keeps it. */
  public Path controllerLog() {
    return stateDir.resolveSibling(stateDir.getFileName() + "-bunting.log");
  }
}
