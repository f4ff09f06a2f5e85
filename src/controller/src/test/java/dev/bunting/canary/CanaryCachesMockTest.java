package dev.bunting.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bunting.kube.ResourceCache;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fast tier: read-your-writes for routes watched in two API versions (HTTPRoute v1 and v1beta1, one cache each). The
 * CRUD mock keeps the two versions apart, which is exactly a cluster where one watch lags the other.
 */
@EnableKubernetesMockClient(crud = true)
class CanaryCachesMockTest {
  KubernetesMockServer server;
  KubernetesClient client;
  private final List<ResourceCache<GenericKubernetesResource>> started = new java.util.ArrayList<>();

  private static ResourceDefinitionContext httpRoute(String version) {
    return new ResourceDefinitionContext.Builder().withGroup("gateway.networking.k8s.io").withVersion(version)
        .withKind("HTTPRoute").withPlural("httproutes").withNamespaced(true).build();
  }

  private ResourceCache<GenericKubernetesResource> cache(ResourceDefinitionContext rdc) throws Exception {
    ResourceCache<GenericKubernetesResource> c = new ResourceCache<>(rdc.getKind(),
        client.genericKubernetesResources(rdc).inNamespace("test").runnableInformer(0), Map.of());
    c.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
    started.add(c);
    return c;
  }

  private GenericKubernetesResource route(ResourceDefinitionContext rdc, String weight) {
    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setApiVersion(rdc.getGroup() + "/" + rdc.getVersion());
    r.setKind("HTTPRoute");
    r.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("web").withNamespace("test")
        .build());
    r.setAdditionalProperty("spec", Map.of("weight", weight));
    return r;
  }

  @AfterEach
  void stop() {
    started.forEach(ResourceCache::stop);
  }

  @Test
  void aRouteWrittenIsSeenOnlyWhenEveryRouteCacheOfItsKindShowsIt() throws Exception {
    ResourceDefinitionContext v1 = httpRoute("v1");
    ResourceDefinitionContext v1beta1 = httpRoute("v1beta1");
    Map<String, ResourceCache<GenericKubernetesResource>> routes = new LinkedHashMap<>();
    routes.put(CanaryCaches.routeKey(v1beta1), cache(v1beta1));
    routes.put(CanaryCaches.routeKey(v1), cache(v1));
    CanaryCaches caches = new CanaryCaches(null, null, null, null, null, null, null, null, null, null, routes);

    // only one version's cache has the route yet: not seen
    GenericKubernetesResource inV1 = client.genericKubernetesResources(v1).inNamespace("test")
        .resource(route(v1, "0")).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> routes.get(CanaryCaches.routeKey(v1)).get("test", "web")
        .isPresent());
    assertThat(caches.resourceVersion("HTTPRoute", "test", "web")).as("v1beta1 cache lacks it").isEmpty();

    // both have it, but the v1beta1 one is behind our latest write through v1: the stalest version is the answer
    GenericKubernetesResource inV1beta1 = client.genericKubernetesResources(v1beta1).inNamespace("test")
        .resource(route(v1beta1, "0")).create();
    inV1.setAdditionalProperty("spec", Map.of("weight", "40"));
    GenericKubernetesResource written = client.genericKubernetesResources(v1).inNamespace("test").resource(inV1)
        .update();
    String stale = inV1beta1.getMetadata().getResourceVersion();
    String latest = written.getMetadata().getResourceVersion();
    assertThat(CanaryReconciler.atLeast(latest, stale)).isTrue();
    await().atMost(Duration.ofSeconds(20)).until(() -> routes.get(CanaryCaches.routeKey(v1)).get("test", "web")
        .map(r -> latest.equals(r.getMetadata().getResourceVersion())).orElse(false)
        && routes.get(CanaryCaches.routeKey(v1beta1)).get("test", "web").isPresent());
    assertThat(caches.resourceVersion("HTTPRoute", "test", "web")).contains(stale);
    assertThat(CanaryReconciler.atLeast(caches.resourceVersion("HTTPRoute", "test", "web").orElseThrow(), latest))
        .as("the write through v1 does not count as seen while the v1beta1 cache is behind").isFalse();

    // other kinds are not routes
    assertThat(caches.resourceVersion("GRPCRoute", "test", "web")).isEmpty();
  }
}
