package dev.bunting.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.vertx.core.Vertx;
import java.io.File;
import java.io.PrintWriter;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/**
 * How the user commands ({@code bunting status}, {@code bunting promote}, ...) reach the cluster: as kubectl does,
 * from {@code --kubeconfig}, else {@code KUBECONFIG}, else {@code ~/.kube/config}, with the context's namespace unless
 * {@code -n} names one. They run without a controller, with the user's own rights.
 */
public final class KubeconfigOptions {
  @Option(names = "--kubeconfig", paramLabel = "FILE",
      description = "Kubeconfig file (default: KUBECONFIG, then ~/.kube/config).")
  File kubeconfig;

  @Option(names = "--context", paramLabel = "NAME", description = "Kubeconfig context (default: the current one).")
  String context;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE",
      description = "Namespace of the Canaries (default: the context's, else default).")
  String namespace;

  Config config() {
    return kubeconfig == null ? Config.autoConfigure(context) : Config.fromKubeconfig(context, kubeconfig);
  }

  /** The namespace to use: {@code -n}, else the context's, else {@code default}. */
  String namespace(Config config) {
    if (namespace != null && !namespace.isBlank()) {
      return namespace;
    }
    return config.getNamespace() == null || config.getNamespace().isBlank() ? "default" : config.getNamespace();
  }

  /** The body of a user command, given a client and the namespace to use. */
  interface Body {
    int run(KubernetesClient client, String namespace) throws Exception;
  }

  /**
   * Runs {@code body} with a client of its own (on a Vert.x of its own, closed afterwards); an API error becomes a
   * message on {@code err} and exit code 1. The command runs on the caller's thread, never on an event loop, so the
   * client's blocking calls are fine there.
   */
  int withClient(PrintWriter err, Body body) throws Exception {
    Config config = config();
    if (context != null && (config.getContexts() == null
        || config.getContexts().stream().noneMatch(c -> context.equals(c.getName())))) {
      err.println("Context " + context + " is not in the kubeconfig");
      err.flush();
      return 1;
    }
    Vertx vertx = Vertx.vertx();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config)
        .withHttpClientFactory(new Vertx5HttpClientFactory(vertx)).build()) {
      return body.run(client, namespace(config));
    } catch (KubernetesClientException e) {
      if (e.getCode() > 0) {
        err.println("The Kubernetes API at " + config.getMasterUrl() + " answered " + e.getCode() + ": "
            + (e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage()));
      } else {
        Throwable cause = e;
        while (cause.getCause() != null) {
          cause = cause.getCause();
        }
        err.println("Cannot reach the Kubernetes API at " + config.getMasterUrl() + ": " + cause.getMessage());
      }
      err.flush();
      return 1;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
