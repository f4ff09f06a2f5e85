package dev.bunting.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.vertx.core.Vertx;
import java.util.Optional;

/**
 * Builds Bunting's Kubernetes client on the process's one {@link Vertx} (fabric8's Vert.x 5 HTTP client), with the
 * {@link ApiRequestCounter} on every request. The configuration comes from {@code KUBECONFIG}, {@code ~/.kube/config}
 * or the in-cluster service account, as fabric8 resolves it. Call from a worker thread: building the client reads
 * files.
 */
public final class KubeClientFactory {
  private KubeClientFactory() {}

  /** fabric8's serialization, except that whole-number fields holding other numbers are read ({@link WholeNumbers}). */
  public static KubernetesSerialization serialization() {
    return new KubernetesSerialization(new ObjectMapper(), true) {
      @Override
      protected void configureMapper(ObjectMapper mapper) {
        super.configureMapper(mapper);
        mapper.registerModule(WholeNumbers.module()); // after fabric8's own modules, so that it takes precedence
      }
    };
  }

  public static KubernetesClient create(Vertx vertx, Config config, ApiRequestCounter counter) {
    return create(vertx, config, counter, Optional.empty());
  }

  /**
   * A client whose requests also pass {@code limiter} ({@code --kube-api-qps}, {@code --kube-api-burst}); share one
   * limiter between the clients of a process, so the limit holds for all of them together.
   */
  public static KubernetesClient create(Vertx vertx, Config config, ApiRequestCounter counter,
      Optional<ApiRateLimiter> limiter) {
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withKubernetesSerialization(serialization())
        .withHttpClientFactory(new Vertx5HttpClientFactory(vertx))
        .withHttpClientBuilderConsumer(b -> {
          limiter.ifPresent(l -> b.addOrReplaceInterceptor("bunting-rate-limit", l));
          b.addOrReplaceInterceptor("bunting-request-counter", counter);
        })
        .build();
  }
}
