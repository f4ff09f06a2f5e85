package dev.bunting.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Fast tier: the caches watched on demand, per namespace and per labelled kind. */
class InformersMockTest {
  private static final Logger LOG = LoggerFactory.getLogger(InformersMockTest.class);
  private KubernetesMockServer server;
  private KubernetesClient client;
  private final Vertx vertx = Vertx.vertx();
  private final BlockingPool pool = new BlockingPool(vertx, "test-kube", 2);
  private Informers informers;

  @BeforeEach
  void startServer() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    server.init();
    client = server.createClient();
  }

  @AfterEach
  void close() {
    if (informers != null) {
      informers.stop();
    }
    client.close();
    pool.close();
    vertx.close();
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      // the mock server gives its own shutdown 10 s; on a loaded machine its watch connections can outlast that. What
      // this class tests has been asserted by then, so a slow teardown of the mock is not a failure of the caches.
      LOG.warn("mock API server did not shut down in time: {}", e.getMessage());
    }
  }

  private void configMap(String ns, String name, Map<String, String> labels) {
    client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName(name)
        .withNamespace(ns).withLabels(labels).endMetadata().addToData("k", "v").build()).create();
  }

  @Test
  void aCacheOnDemandHoldsOnlyTheNamespacesAskedFor() throws Exception {
    configMap("shop", "a", Map.of());
    configMap("shop", "b", Map.of());
    configMap("elsewhere", "c", Map.of());
    informers = new Informers(client, pool, null, Duration.ofMinutes(10));
    ResourceCache<ConfigMap> cache = informers.watchOnDemand(ConfigMap.class);
    List<String> seen = new CopyOnWriteArrayList<>();
    cache.onChange(c -> seen.add(c.getMetadata().getNamespace() + "/" + c.getMetadata().getName()));
    informers.start().await(10, TimeUnit.SECONDS);
    assertThat(informers.synced()).as("nothing to load before anyone asks").isTrue();
    assertThat(cache.get("shop", "a")).isEmpty();

    await().atMost(Duration.ofSeconds(10)).until(() -> cache.watchNamespaces(Set.of("shop")));
    assertThat(cache.get("shop", "a")).isPresent();
    assertThat(cache.list(null)).extracting(c -> c.getMetadata().getName()).containsExactlyInAnyOrder("a", "b");
    assertThat(cache.get("elsewhere", "c")).as("not asked for: not held").isEmpty();
    // change handlers run after the cache holds the object, on another thread
    await().atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(seen).containsExactlyInAnyOrder("shop/a", "shop/b"));

    configMap("shop", "d", Map.of());
    await().atMost(Duration.ofSeconds(10)).until(() -> cache.get("shop", "d").isPresent());

    cache.retainNamespaces(Set.of());
    assertThat(cache.watchedNamespaces()).isEmpty();
    assertThat(cache.get("shop", "a")).isEmpty();
  }

  @Test
  void aLabelledKindIsStartedOnceForAllWhoAskAndHoldsOnlyLabelledObjects() throws Exception {
    configMap("shop", "managed", Map.of("owner", "x"));
    configMap("shop", "other", Map.of());
    informers = new Informers(client, pool, null, Duration.ofMinutes(10));
    ResourceDefinitionContext configMaps = new ResourceDefinitionContext.Builder().withGroup("").withVersion("v1")
        .withKind("ConfigMap").withPlural("configmaps").withNamespaced(true).build();
    List<GenericKubernetesResource> changes = new CopyOnWriteArrayList<>();
    Future<ResourceCache<GenericKubernetesResource>> first = informers.watchLabelled(configMaps, "owner", changes::add);
    Future<ResourceCache<GenericKubernetesResource>> second = informers.watchLabelled(configMaps, "owner", c -> { });
    assertThat(second).as("a start in progress is shared").isSameAs(first);
    ResourceCache<GenericKubernetesResource> cache = first.toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    assertThat(informers.labelled(configMaps, "owner")).containsSame(cache);
    assertThat(cache.get("shop", "managed")).isPresent();
    assertThat(cache.get("shop", "other")).isEmpty();
    assertThat(changes).extracting(c -> c.getMetadata().getName()).containsExactly("managed");
  }

  @Test
  void cachedObjectsHoldTheirManagedFieldsInCompactForm() throws Exception {
    FieldsV1 fields = new FieldsV1();
    fields.setAdditionalProperty("f:data", new HashMap<>(Map.of("f:k", new HashMap<>())));
    client.configMaps().inNamespace("shop").resource(new ConfigMapBuilder().withNewMetadata().withName("a")
        .withNamespace("shop").addNewManagedField().withManager("bunting").withOperation("Apply")
        .withFieldsType("FieldsV1").withFieldsV1(fields).endManagedField().endMetadata().addToData("k", "v").build())
        .create();
    informers = new Informers(client, pool, "shop", Duration.ofMinutes(10));
    ResourceCache<ConfigMap> cache = informers.watch(ConfigMap.class, Map.of());
    List<ConfigMap> seen = new CopyOnWriteArrayList<>();
    cache.onChange(seen::add);
    informers.start().await(10, TimeUnit.SECONDS);

    ConfigMap cached = cache.get("shop", "a").orElseThrow();
    @SuppressWarnings("unchecked")
    Map<String, Object> data = (Map<String, Object>) cached.getMetadata().getManagedFields().get(0).getFieldsV1().getAdditionalProperties()
        .get("f:data");
    assertThat(data).containsOnlyKeys("f:k");
    assertThat(data.get("f:k")).as("the leaf is the shared empty map").isSameAs(Map.of());
    await().atMost(Duration.ofSeconds(5)).until(() -> !seen.isEmpty());
    @SuppressWarnings("unchecked")
    Map<String, Object> heard = (Map<String, Object>) seen.get(0).getMetadata().getManagedFields().get(0).getFieldsV1()
        .getAdditionalProperties().get("f:data");
    assertThat(heard.get("f:k")).as("listeners get compact objects too").isSameAs(Map.of());
  }
}
