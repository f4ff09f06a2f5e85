package dev.bunting.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The controller as a process of its own, as in production: {@code java -jar target/bunting.jar controller} with the
 * benchmark's {@code KUBECONFIG}, its output appended to a log file. {@link #kill()} sends SIGKILL.
 */
final class ControllerProcess implements AutoCloseable {
  private final Path jar;
  private final Path log;
  private final List<String> flags;
  private Process process;
  private int port;

  ControllerProcess(Path jar, Path log, List<String> flags) {
    this.jar = jar;
    this.log = log;
    this.flags = List.copyOf(flags);
  }

  ControllerProcess start() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<String> command = new ArrayList<>(List.of("java", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(),
        "controller", "--port", Integer.toString(port), "--listen-address", "127.0.0.1"));
    command.addAll(flags);
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    return this;
  }

  int port() {
    return port;
  }

  /** Waits until {@code /readyz} answers 200 (caches synced); returns how long that took from now. */
  Duration awaitReady(Duration limit) throws InterruptedException {
    long start = System.nanoTime();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI readyz = URI.create("http://127.0.0.1:" + port + "/readyz");
    while (Duration.ofNanos(System.nanoTime() - start).compareTo(limit) < 0) {
      try {
        if (http.send(HttpRequest.newBuilder(readyz).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return Duration.ofNanos(System.nanoTime() - start);
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the controller was not ready within " + limit + " (log: " + log + ")");
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL, as the kernel's OOM killer or a node failure would; waits until the process is gone. */
  void kill() throws Exception {
    new ProcessBuilder("kill", "-KILL", Long.toString(process.pid())).start().waitFor();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroy();
    }
  }
}
