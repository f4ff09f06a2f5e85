package dev.bunting.playground;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The Prometheus side of the simulated pods: a {@code file_sd} file listing each pod's app as a target with the
 * labels Kubernetes service discovery would give it ({@code kubernetes_namespace}, {@code kubernetes_pod_name}), so
 * Flagger's builtin queries select pods exactly as in a real cluster. The file is replaced atomically (Prometheus
 * notices through inotify within a second or two).
 */
public final class ScrapeTargets {
  private final Vertx vertx;
  private final Path file;
  private final String namespace;
  private final Supplier<Map<String, SimulatedApp>> apps;

  /**
   * @param apps the apps that listen now (pod name → app), read at each write so the last write always lists the
   *     current apps
   */
  public ScrapeTargets(Vertx vertx, Path file, String namespace, Supplier<Map<String, SimulatedApp>> apps) {
    this.vertx = vertx;
    this.file = file;
    this.namespace = namespace;
    this.apps = apps;
  }

  /** The file Prometheus reads. */
  public Path file() {
    return file;
  }

  /** Writes the targets of the apps that listen now, on a worker thread. */
  public Future<Void> refresh() {
    return vertx.executeBlocking(() -> {
      write();
      return null;
    }, false);
  }

  /** The file_sd JSON for pods (name → port on 127.0.0.1) of {@code namespace}. */
  static String render(String namespace, Map<String, Integer> ports) {
    JsonArray groups = new JsonArray();
    ports.forEach((pod, port) -> groups.add(new JsonObject()
        .put("targets", new JsonArray().add("127.0.0.1:" + port))
        .put("labels", new JsonObject()
            .put("kubernetes_namespace", namespace)
            .put("kubernetes_pod_name", pod))));
    return groups.encodePrettily();
  }

  /** Replaces the file; synchronized, and reading the apps inside, so the last write lists the current apps. */
  private synchronized void write() throws IOException {
    Map<String, Integer> ports = new TreeMap<>();
    apps.get().forEach((pod, app) -> ports.put(pod, app.port()));
    String json = render(namespace, ports);
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, json, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
