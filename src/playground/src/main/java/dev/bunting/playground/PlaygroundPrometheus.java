package dev.bunting.playground;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The playground's own Prometheus (Debian's, through {@code scripts/prometheus}, as the named instance
 * {@code name}), scraping the simulated pods listed in a {@code file_sd} file every second. Its state (TSDB, config,
 * log) lives under {@code $BUNTING_CACHE/state/prometheus-<name>}; {@link #down()} stops it and deletes that.
 */
public final class PlaygroundPrometheus {
  private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(2);

  private final ProjectLayout project;
  private final ScriptRunner scripts;
  private final String name;
  private final int port;

  public PlaygroundPrometheus(ProjectLayout project, ScriptRunner scripts, String name, int port) {
    this.project = project;
    this.scripts = scripts;
    this.name = name;
    this.port = port;
  }

  /** The scrape configuration: one job, the simulated pods of {@code targetsFile}, every second. */
  static String config(Path targetsFile) {
    return """
        # written by `bunting playground`: scrape the simulated podinfo pods
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        scrape_configs:
        - job_name: podinfo
          metrics_path: /metrics
          file_sd_configs:
          - files: ["%s"]
            refresh_interval: 5s
        """.formatted(targetsFile.toAbsolutePath());
  }

  /** Starts it (or reloads the config of the running instance) and returns its URL. */
  public String up(Path targetsFile, Path configFile) {
    try {
      Files.createDirectories(configFile.getParent());
      Files.writeString(configFile, config(targetsFile));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ScriptRunner.Result r = scripts.capture(SCRIPT_TIMEOUT, project.prometheusScript(), "up", "--config",
        configFile.toString(), "--port", String.valueOf(port), "--name", name);
    if (!r.ok()) {
      throw new IllegalStateException("scripts/prometheus up failed (exit " + r.exitCode() + "); see above");
    }
    return r.stdout().strip();
  }

  /** Whether an instance of this name runs now. */
  public boolean running() {
    return scripts.capture(SCRIPT_TIMEOUT, project.prometheusScript(), "status", "--name", name).ok();
  }

  /** Stops it and deletes its state. */
  public void down() {
    scripts.capture(SCRIPT_TIMEOUT, project.prometheusScript(), "down", "--name", name);
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }
}
