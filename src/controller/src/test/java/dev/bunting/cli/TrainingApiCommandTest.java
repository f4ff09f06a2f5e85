package dev.bunting.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fast tier: the empty API a class-data-sharing training start runs against, as the Kubernetes client sees it. */
class TrainingApiCommandTest {
  private final Vertx vertx = Vertx.vertx();
  private HttpServer server;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    server = vertx.createHttpServer().requestHandler(TrainingApiCommand::answer).listen(0, "127.0.0.1").await();
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:" + server.actualPort())
        .withNamespace("training").withRequestRetryBackoffLimit(0).build();
    client = new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(new Vertx5HttpClientFactory(vertx))
        .build();
  }

  @AfterEach
  void stop() {
    client.close();
    vertx.close().await();
  }

  @Test
  void discoveryNamesTheKindsBuntingWatches() {
    assertThat(client.getApiGroups().getGroups()).anySatisfy(g -> {
      assertThat(g.getName()).isEqualTo("flagger.app");
      assertThat(g.getPreferredVersion().getGroupVersion()).isEqualTo("flagger.app/v1beta1");
    });
    assertThat(client.getApiResources("flagger.app/v1beta1").getResources()).extracting(r -> r.getName())
        .containsExactly("canaries", "metrictemplates", "alertproviders");
    assertThat(client.getApiResources("example.com/v1")).as("a group it does not serve").isNull();
  }

  @Test
  void everyKindListsEmptyAndItsWatchStaysOpen() throws Exception {
    assertThat(client.resources(Canary.class).inNamespace("training").list().getItems()).isEmpty();
    SharedIndexInformer<Deployment> informer = client.apps().deployments().inNamespace("training").inform();
    try {
      informer.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(informer.hasSynced()).isTrue();
      Thread.sleep(500);
      assertThat(informer.isWatching()).as("the watch is open, with no events").isTrue();
    } finally {
      informer.close();
    }
  }

  @Test
  void writesAreRefused() {
    assertThatThrownBy(() -> client.configMaps().inNamespace("training").resource(new ConfigMapBuilder()
        .withNewMetadata().withName("x").endMetadata().build()).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));
  }
}
