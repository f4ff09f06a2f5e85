package dev.bunting.playground;

import io.vertx.core.Future;
import java.nio.file.Path;

/**
 * Starts Bunting for the playground. The playground package knows nothing of how Bunting is assembled; the CLI
 * passes a launcher that starts the real controller in-process (the same assembly as {@code bunting controller}).
 */
@FunctionalInterface
public interface ControllerLauncher {

  /**
   * What the controller is started with.
   *
   * @param kubeconfig the cluster
   * @param namespace the one namespace it watches
   * @param metricsServer the Prometheus for the builtin metrics
   * @param meshProvider the default provider ({@code gatewayapi:v1})
   * @param gitCacheDir where GitSync keeps its bare clones
   * @param port its HTTP port ({@code /metrics}, {@code /healthz}, the Git receiver); 0 for any free port
   */
  record Settings(Path kubeconfig, String namespace, String metricsServer, String meshProvider, Path gitCacheDir,
      int port) {}

  /** A started controller. */
  interface Running {
    /** The HTTP port it listens on. */
    int port();

    Future<Void> stop();
  }

  Future<Running> start(Settings settings);
}
