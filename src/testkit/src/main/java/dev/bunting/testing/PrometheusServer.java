package dev.bunting.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real Prometheus for tests, started and stopped through {@code scripts/prometheus} (Debian's
 * {@code /usr/bin/prometheus} on 127.0.0.1, state under {@code $BUNTING_CACHE}).
 *
 * <pre>{@code
 * assumeTrue(PrometheusServer.isAvailable(), PrometheusServer.UNAVAILABLE);
 * try (PrometheusServer prometheus = PrometheusServer.start("my-test", PrometheusServer.scrapeConfig(exporterPort))) {
 *   prometheus.awaitData("up{job=\"exporter\"}", Duration.ofSeconds(30));
 *   ... PrometheusEndpoint.of(prometheus.url()) ...
 * }
 * }</pre>
 *
 * <p>The methods block (they run processes and HTTP calls): call them from the test thread, never from a
 * Vert.x event loop. Each instance has its own name, so parallel test classes do not share a server.
 */
public final class PrometheusServer implements AutoCloseable {

  /** A reason to give JUnit when {@link #isAvailable()} is false. */
  public static final String UNAVAILABLE =
      "Prometheus is not installed at " + binary() + " (apt-get install -y --no-install-recommends prometheus)";

  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(120);

  private final String name;
  private final int port;
  private final String url;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private PrometheusServer(String name, int port, String url) {
    this.name = name;
    this.port = port;
    this.url = url;
  }

  /** The Prometheus binary the script uses ({@code BUNTING_PROMETHEUS_BIN} or {@code /usr/bin/prometheus}). */
  public static Path binary() {
    String override = System.getenv("BUNTING_PROMETHEUS_BIN");
    return Paths.get(override == null || override.isBlank() ? "/usr/bin/prometheus" : override);
  }

  /** True when Prometheus is installed and the script exists. */
  public static boolean isAvailable() {
    return Files.isExecutable(binary()) && Files.isRegularFile(script());
  }

  /** The project root: the {@code bunting.projectDir} system property (set by surefire) or the working dir. */
  public static Path projectDir() {
    String property = System.getProperty("bunting.projectDir");
    Path start = Paths.get(property == null || property.isBlank() ? System.getProperty("user.dir") : property)
        .toAbsolutePath();
    for (Path p = start; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("scripts/prometheus"))) {
        return p;
      }
    }
    return start;
  }

  private static Path script() {
    return projectDir().resolve("scripts/prometheus");
  }

  /**
   * A scrape config for one or more targets on 127.0.0.1, scraped every second, as job {@code exporter}.
   */
  public static String scrapeConfig(int... ports) {
    StringBuilder targets = new StringBuilder();
    for (int i = 0; i < ports.length; i++) {
      targets.append(i == 0 ? "" : ", ").append("\"127.0.0.1:").append(ports[i]).append('"');
    }
    return """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: exporter
            static_configs:
              - targets: [%s]
        """.formatted(targets);
  }

  /**
   * Starts a Prometheus with the given configuration on a free port and waits until it is ready.
   *
   * @param label a short name for the test, part of the instance name
   * @param config the Prometheus YAML configuration
   */
  public static PrometheusServer start(String label, String config) {
    String name = (label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-") + "-"
        + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet()).replaceAll("^-+", "");
    int port = freePort();
    String url = run(List.of("up", "--config", writeConfig(config).toString(), "--port", String.valueOf(port),
        "--name", name)).strip();
    return new PrometheusServer(name, port, url);
  }

  /** The base URL, e.g. {@code http://127.0.0.1:41234}. */
  public String url() {
    return url;
  }

  /** The instance name given to {@code scripts/prometheus}. */
  public String name() {
    return name;
  }

  /** The port Prometheus listens on. */
  public int port() {
    return port;
  }

  /** Loads a new configuration into the running server ({@code scripts/prometheus up} again). */
  public void reload(String config) {
    run(List.of("up", "--config", writeConfig(config).toString(), "--port", String.valueOf(port), "--name", name));
  }

  /** Runs an instant query and returns the raw JSON answer. */
  public String query(String promql) {
    String uri = url + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8);
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(uri))
          .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Waits until an instant query returns at least one series with a number, and returns the JSON answer.
   *
   * @throws AssertionError on timeout, with the last answer and the scrape targets' state
   */
  public String awaitData(String promql, Duration timeout) {
    AtomicReference<String> last = new AtomicReference<>("");
    try {
      Awaitility.await("data for " + promql).atMost(timeout).pollInterval(Duration.ofMillis(250))
          .until(() -> {
            last.set(query(promql));
            return last.get().contains("\"value\":[") && !last.get().contains("\"NaN\"");
          });
      return last.get();
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("no data for " + promql + " after " + timeout + "; last answer: " + last.get()
          + "; targets: " + get("/api/v1/targets"), e);
    }
  }

  private String get(String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return "(" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(interrupted)";
    }
  }

  /** Stops the server and deletes its state. */
  @Override
  public void close() {
    run(List.of("down", "--name", name));
  }

  @Override
  public String toString() {
    return "PrometheusServer[" + name + " " + url + "]";
  }

  // -------------------------------------------------------------------------------------------

  private static String run(List<String> args) {
    Path script = script();
    if (!Files.isRegularFile(script)) {
      throw new IllegalStateException(script + " not found (project dir " + projectDir() + ")");
    }
    List<String> command = new ArrayList<>();
    command.add(script.toString());
    command.addAll(args);
    try {
      Path stderr = Files.createTempFile("prometheus-script", ".log");
      try {
        Process process = new ProcessBuilder(command).directory(projectDir().toFile())
            .redirectError(stderr.toFile()).start();
        String stdout;
        try (InputStream in = process.getInputStream()) {
          stdout = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new IllegalStateException("scripts/prometheus " + String.join(" ", args) + " timed out");
        }
        if (process.exitValue() != 0) {
          throw new IllegalStateException("scripts/prometheus " + String.join(" ", args) + " failed (exit "
              + process.exitValue() + "): " + Files.readString(stderr));
        }
        return stdout;
      } finally {
        Files.deleteIfExists(stderr);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Path writeConfig(String config) {
    try {
      Path file = Files.createTempFile("prometheus-", ".yml");
      Files.writeString(file, config);
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
