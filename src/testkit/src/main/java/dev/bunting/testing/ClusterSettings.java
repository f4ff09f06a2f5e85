package dev.bunting.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * How the cluster tests find their cluster, read from system properties (with environment fallbacks):
 *
 * <ul>
 *   <li>{@code bunting.cluster} / {@code BUNTING_CLUSTER}: {@code local} (default: {@code $KUBECONFIG} if reachable,
 *       else {@code scripts/local-cluster up}) or {@code k3s} (Testcontainers, needs Docker);
 *   <li>{@code bunting.projectDir}: the project root (surefire sets it; default the working directory);
 *   <li>{@code bunting.cluster.upTimeout}: how long {@code scripts/local-cluster up} may take, ISO-8601 or minutes
 *       (default 60 minutes: a cold build of the binaries takes 25-35);
 *   <li>{@code bunting.k3s.image}: the K3s image (default {@code rancher/k3s:v<KUBERNETES_VERSION>-k3s1} from
 *       {@code scripts/versions.env});
 *   <li>{@code bunting.keepNamespaces}: {@code true} keeps the test namespaces for debugging.
 * </ul>
 */
public record ClusterSettings(
    Backend backend,
    Path projectDir,
    Optional<String> kubeconfigEnv,
    Duration upTimeout,
    String k3sImage,
    boolean keepNamespaces) {

  /** Where the cluster comes from. */
  public enum Backend {
    /** {@code $KUBECONFIG} if reachable, else the local control plane of {@code scripts/local-cluster}. */
    LOCAL,
    /** K3s in a container (Testcontainers); skipped when there is no Docker engine. */
    K3S
  }

  public static ClusterSettings fromSystem() {
    return from(System.getProperties(), System.getenv());
  }

  static ClusterSettings from(Properties props, Map<String, String> env) {
    String backendName = firstNonBlank(props.getProperty("bunting.cluster"), env.get("BUNTING_CLUSTER"), "local");
    Backend backend = switch (backendName.trim().toLowerCase(Locale.ROOT)) {
      case "local", "kubeconfig" -> Backend.LOCAL;
      case "k3s" -> Backend.K3S;
      default -> throw new IllegalArgumentException(
          "bunting.cluster=" + backendName + " is not a cluster backend (use local or k3s)");
    };
    Path projectDir = Path.of(firstNonBlank(props.getProperty("bunting.projectDir"), props.getProperty("user.dir"), "."))
        .toAbsolutePath().normalize();
    Optional<String> kubeconfig = Optional.ofNullable(env.get("KUBECONFIG")).filter(s -> !s.isBlank());
    Duration upTimeout = parseDuration(props.getProperty("bunting.cluster.upTimeout"), Duration.ofMinutes(60));
    String image = firstNonBlank(props.getProperty("bunting.k3s.image"), null,
        "rancher/k3s:v" + kubernetesVersion(projectDir).orElse("1.35.4") + "-k3s1");
    boolean keep = Boolean.parseBoolean(props.getProperty("bunting.keepNamespaces", "false"));
    return new ClusterSettings(backend, projectDir, kubeconfig, upTimeout, image, keep);
  }

  /** {@code scripts/local-cluster} of this project. */
  public Path clusterScript() {
    return projectDir.resolve("scripts").resolve("local-cluster");
  }

  /** {@code crds/} of this project. */
  public Path crdDir() {
    return projectDir.resolve("crds");
  }

  static Optional<String> kubernetesVersion(Path projectDir) {
    Path versions = projectDir.resolve("scripts").resolve("versions.env");
    if (!Files.isRegularFile(versions)) {
      return Optional.empty();
    }
    try {
      return Files.readAllLines(versions).stream()
          .map(String::trim)
          .filter(l -> l.startsWith("KUBERNETES_VERSION="))
          .map(l -> l.substring("KUBERNETES_VERSION=".length()).replace("\"", "").trim())
          .findFirst();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Duration parseDuration(String value, Duration fallback) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    String v = value.trim();
    return v.chars().allMatch(Character::isDigit) ? Duration.ofMinutes(Long.parseLong(v)) : Duration.parse(v);
  }

  private static String firstNonBlank(String a, String b, String fallback) {
    if (a != null && !a.isBlank()) {
      return a;
    }
    if (b != null && !b.isBlank()) {
      return b;
    }
    return fallback;
  }
}
