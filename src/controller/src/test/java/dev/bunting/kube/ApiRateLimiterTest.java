package dev.bunting.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code --kube-api-qps}/{@code --kube-api-burst}: a token bucket (checked on a controllable clock), and a real fabric8
 * client built by {@link KubeClientFactory} whose requests to the mock API server are spaced by it.
 */
@EnableKubernetesMockClient(crud = true)
class ApiRateLimiterTest {
  KubernetesMockServer server;
  KubernetesClient client;
  private Vertx vertx;
  private KubernetesClient limited;

  @AfterEach
  void close() {
    if (limited != null) {
      limited.close();
    }
    if (vertx != null) {
      vertx.close();
    }
  }

  @Test
  void aBurstGoesAtOnceThenRequestsWaitOneQpsIntervalEachAndTheBucketRefillsUpToTheBurst() {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    ApiRateLimiter limiter = new ApiRateLimiter(10, 3, now::get);

    assertThat(limiter.reserve()).isZero();
    assertThat(limiter.reserve()).isZero();
    assertThat(limiter.reserve()).isZero();
    assertThat(limiter.reserve()).as("4th request: one token at 10/s").isEqualTo(100_000_000L);
    assertThat(limiter.reserve()).as("5th: behind the 4th").isEqualTo(200_000_000L);

    now.addAndGet(Duration.ofSeconds(10).toNanos());
    assertThat(limiter.reserve()).as("after a long pause the bucket is full again").isZero();
    assertThat(limiter.reserve()).isZero();
    assertThat(limiter.reserve()).isZero();
    assertThat(limiter.reserve()).as("but holds no more than the burst").isEqualTo(100_000_000L);
  }

  @Test
  void withoutABurstTheBucketHoldsTheQpsRoundedUp() {
    AtomicLong now = new AtomicLong();
    ApiRateLimiter limiter = new ApiRateLimiter(2.5, 0, now::get);
    assertThat(limiter.burst()).isEqualTo(3);
    assertThat(new ApiRateLimiter(0.2, 0, now::get).burst()).isEqualTo(1);
    assertThatThrownBy(() -> new ApiRateLimiter(0, 5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positive");
  }

  @Test
  void theClientsRequestsAreHeldToTheRate() {
    vertx = Vertx.vertx();
    Config config = client.getConfiguration();
    ApiRequestCounter counter = new ApiRequestCounter(new PrometheusRegistry());
    long start = System.nanoTime();
    limited = KubeClientFactory.create(vertx, config, counter, Optional.of(new ApiRateLimiter(5, 1)));
    limited.configMaps().inNamespace("test").resource(new ConfigMapBuilder().withNewMetadata().withName("c")
        .endMetadata().build()).create();
    for (int i = 0; i < 5; i++) {
      assertThat(limited.configMaps().inNamespace("test").withName("c").get()).isNotNull();
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    // 6 requests: 1 at once, then 5 per second, so the last one cannot go before a full second
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(counter.total()).isEqualTo(6);
  }
}
