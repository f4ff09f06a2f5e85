package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.kube.Subset;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.TestNamespace;
import dev.bunting.testing.ThirdPartyCrds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The linkerd and traefik routers' objects, server-side applied (field manager {@code bunting}, strict field validation)
 * to a real API server with the Gateway API and Traefik v3 CRDs, at the weights of every strategy: the server accepts
 * them, stores them as written, and the routers read the weights back from what it stored. (The SMI and Kuma objects
 * cannot be checked this way: no CRD serving their versions is available here; see docs/routing/smi.md and kuma.md.)
 */
@LocalCluster(thirdPartyCrds = {ThirdPartyCrds.GATEWAY_API, ThirdPartyCrds.TRAEFIK})
class MeshRoutingObjectsClusterTest {
  TestCluster cluster;
  KubernetesClient client;
  @TestNamespace String namespace;

  private Canary stored(String provider, String name, String service, String analysis) {
    Canary canary = Manifests.canary(provider, service, analysis);
    canary.getMetadata().setName(name);
    canary.getMetadata().setNamespace(namespace);
    canary.getMetadata().setUid(null);
    return client.resource(canary).fieldManager("bunting-tests").forceConflicts().serverSideApply();
  }

  private GenericKubernetesResource apply(TrafficRouter router, Canary canary, Weights weights) {
    GenericKubernetesResource desired = (GenericKubernetesResource) router.desiredObjects(canary, weights,
        CachedObjects.none()).get(0);
    GenericKubernetesResource applied = client.resource(desired).fieldValidation(Validation.STRICT)
        .fieldManager("bunting").forceConflicts().serverSideApply();
    assertThat(Subset.contains(applied, desired)).as("%s stored as applied at %s", desired.getKind(), weights).isTrue();
    assertThat(router.state(canary, Cached.of(applied)).weights()).as("read back at %s", weights).contains(weights);
    return applied;
  }

  @Test
  void traefikServicesForEveryStepAreAccepted() {
    TraefikRouter router = new TraefikRouter();
    Canary canary = stored("traefik", "shop", "{name: shop, port: 80, targetPort: 9898, apex: {labels: {team: shop}}}",
        "{interval: 1m, threshold: 5, stepWeight: 10}");

    apply(router, canary, Weights.ALL_PRIMARY);
    apply(router, canary, Weights.canary(10));
    GenericKubernetesResource allOnCanary = apply(router, canary, Weights.ALL_CANARY);
    GenericKubernetesResource back = apply(router, canary, Weights.ALL_PRIMARY);

    assertThat((Object) allOnCanary.get("spec", "weighted", "services", 0)).isEqualTo(
        Map.of("name", "shop-primary", "namespace", namespace, "port", 80, "weight", 0));
    assertThat((List<?>) back.get("spec", "weighted", "services")).as("the canary entry is removed at 0").hasSize(1);
    assertThat(back.getMetadata().getLabels()).containsEntry("team", "shop");
  }

  @Test
  void linkerdRoutesOnTheApexServiceAreAccepted() {
    LinkerdRouter router = new LinkerdRouter();
    Canary canary = stored("linkerd", "mesh", """
        {name: mesh, port: 9898, match: [{uri: {prefix: /api}}], timeout: 15s,
         headers: {request: {set: {x-release: canary}}, response: {remove: [server]}}}
        """, "{interval: 1m, threshold: 5, stepWeight: 10}");
    Canary abTesting = stored("linkerd", "ab", "{name: ab, port: 9898}", """
        {interval: 1m, threshold: 5, iterations: 10, match: [{headers: {x-canary: {exact: insider}}}]}
        """);

    GenericKubernetesResource route = apply(router, canary, Weights.canary(20));
    apply(router, abTesting, Weights.ALL_CANARY);

    assertThat(route.getApiVersion()).isEqualTo("gateway.networking.k8s.io/v1beta1");
    assertThat((Object) route.get("spec", "parentRefs")).isEqualTo(List.of(
        Map.of("group", "core", "kind", "Service", "name", "mesh", "namespace", namespace, "port", 9898)));
  }
}
