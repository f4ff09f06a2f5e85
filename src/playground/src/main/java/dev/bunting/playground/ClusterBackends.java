package dev.bunting.playground;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The clusters the playground can run on. Only the project's local control plane ({@code local}) is supported: the
 * simulated data plane backs kwok's fake pods with in-process servers, while K3s runs real containers (which would
 * pull podinfo images whose {@code -bad}/{@code -slow} tags do not exist). {@code k3s} therefore gets a clear answer:
 * why there is no Docker engine here, or why K3s does not fit the simulation.
 */
public final class ClusterBackends {
  private ClusterBackends() {}

  /** The message for a {@code --cluster} value other than {@code local}. */
  public static String unsupported(String cluster) {
    if (!"k3s".equals(cluster.toLowerCase(Locale.ROOT))) {
      return "unknown --cluster '" + cluster + "'; use local (the project's local control plane)";
    }
    String docker = dockerEngine();
    if (docker != null) {
      return "--cluster k3s: " + docker + "; the playground runs on the local control plane (--cluster local, the "
          + "default), which needs no container engine";
    }
    return "--cluster k3s: a Docker engine is reachable, but the playground's simulated data plane needs kwok's fake "
        + "pods (K3s would run real podinfo containers, and the -bad/-slow images do not exist); use --cluster local";
  }

  /** Why no Docker engine is usable, or null when {@code docker info} answers. */
  static String dockerEngine() {
    try {
      Process p = new ProcessBuilder("docker", "info", "--format", "{{.ServerVersion}}").redirectErrorStream(true)
          .start();
      p.getOutputStream().close();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "no Docker engine answered `docker info` within 15 s";
      }
      if (p.exitValue() != 0) {
        String first = output.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("exit " + p.exitValue());
        return "no Docker engine is reachable (`docker info`: " + first + ")";
      }
      return null;
    } catch (IOException e) {
      return "no Docker client is installed (`docker` not found)";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while asking Docker";
    }
  }
}
