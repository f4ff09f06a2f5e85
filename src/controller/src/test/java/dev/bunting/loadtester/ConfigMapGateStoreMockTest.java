package dev.bunting.loadtester;

import static dev.bunting.hooks.RecordingServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.kube.BlockingPool;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.vertx.core.Vertx;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Gates in a ConfigMap, on fabric8's CRUD mock: created on the first change, one key per gate, visible to another
 * store (a restarted or second load tester), and other keys left alone.
 */
@EnableKubernetesMockClient(crud = true)
class ConfigMapGateStoreMockTest {
  KubernetesMockServer server;
  KubernetesClient client;
  private Vertx vertx;
  private BlockingPool pool;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    pool = new BlockingPool(vertx, "test", 2);
  }

  @AfterEach
  void tearDown() {
    pool.close();
    await(vertx.close());
  }

  private ConfigMap gates() {
    return client.configMaps().inNamespace("tools").withName("gates").get();
  }

  @Test
  void gatesPersistInTheConfigMapAndAreSharedBetweenStores() {
    ConfigMapGateStore first = new ConfigMapGateStore(client, pool, "tools", "gates");
    assertThat(await(first.isOpen("podinfo.test"))).as("no ConfigMap yet: closed").isFalse();

    await(first.open("podinfo.test"));
    assertThat(gates().getData()).isEqualTo(Map.of("podinfo.test", "true"));
    assertThat(gates().getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "bunting-loadtester");

    await(first.open("rollback.podinfo.test"));
    await(first.close("podinfo.test"));
    assertThat(gates().getData()).isEqualTo(Map.of("podinfo.test", "false", "rollback.podinfo.test", "true"));

    ConfigMapGateStore restarted = new ConfigMapGateStore(client, pool, "tools", "gates");
    assertThat(await(restarted.isOpen("rollback.podinfo.test"))).isTrue();
    assertThat(await(restarted.isOpen("podinfo.test"))).isFalse();
    assertThat(await(restarted.isOpen("other.test"))).isFalse();
  }

  @Test
  void aGateOpenedWithKubectlCountsAndOtherKeysStay() throws Exception {
    client.configMaps().inNamespace("tools").resource(new ConfigMapBuilder().withNewMetadata().withName("gates")
        .endMetadata().withData(Map.of("podinfo.test", "true", "note", "kept")).build()).create();
    ConfigMapGateStore store = new ConfigMapGateStore(client, pool, "tools", "gates");
    assertThat(await(store.isOpen("podinfo.test"))).isTrue();
    int before = server.getRequestCount();
    await(store.open("web.prod"));
    assertThat(server.getRequestCount() - before).as("requests to open a gate of an existing ConfigMap").isEqualTo(1);
    assertThat(server.getLastRequest().getMethod()).isEqualTo("PATCH");
    assertThat(gates().getData()).containsEntry("note", "kept").containsEntry("web.prod", "true")
        .containsEntry("podinfo.test", "true");
  }
}
