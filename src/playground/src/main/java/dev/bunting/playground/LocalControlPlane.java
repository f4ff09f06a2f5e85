package dev.bunting.playground;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The project's real local control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok as
 * plain processes), driven through {@code scripts/local-cluster}: {@code up} builds what is missing (the first build
 * takes 15–25 minutes; its progress is streamed) and reuses a healthy cluster. The playground remembers whether it
 * found the cluster running, so it stops only a cluster it started itself.
 */
public final class LocalControlPlane {
  /** Upper bound of {@code up}: a cold build of Kubernetes from source on two cores, with margin. */
  static final Duration UP_TIMEOUT = Duration.ofMinutes(60);
  private static final Duration SHORT = Duration.ofMinutes(2);

  private final ProjectLayout project;
  private final ScriptRunner scripts;

  public LocalControlPlane(ProjectLayout project, ScriptRunner scripts) {
    this.project = project;
    this.scripts = scripts;
  }

  /** The running cluster: its kubeconfig, where kubectl is, and whether this playground started it. */
  public record Lease(Path kubeconfig, Path binDir, boolean startedHere) {
    public Path kubectl() {
      return binDir.resolve("kubectl");
    }
  }

  /** Starts (or reuses) the cluster and returns once it is ready. */
  public Lease up() {
    boolean running = scripts.capture(SHORT, project.localClusterScript(), "status").ok();
    ScriptRunner.Result up = scripts.stream(UP_TIMEOUT, "  | ", project.localClusterScript(), "up");
    if (!up.ok()) {
      throw new IllegalStateException("scripts/local-cluster up failed (exit " + up.exitCode()
          + "); its output is above");
    }
    Path kubeconfig = Path.of(capture("kubeconfig"));
    if (!Files.isRegularFile(kubeconfig)) {
      throw new IllegalStateException("scripts/local-cluster up finished but " + kubeconfig + " does not exist");
    }
    return new Lease(kubeconfig, Path.of(capture("bin-dir")), !running);
  }

  /** Stops the cluster ({@code scripts/local-cluster down}); only for a cluster this playground started. */
  public void down(Lease lease) {
    if (!lease.startedHere()) {
      throw new IllegalStateException("the local control plane was running before the playground; not stopping it");
    }
    scripts.stream(SHORT, "  | ", project.localClusterScript(), "down");
  }

  private String capture(String command) {
    ScriptRunner.Result r = scripts.capture(SHORT, project.localClusterScript(), command);
    if (!r.ok()) {
      throw new IllegalStateException("scripts/local-cluster " + command + " failed (exit " + r.exitCode() + ")");
    }
    return r.stdout().strip();
  }
}
