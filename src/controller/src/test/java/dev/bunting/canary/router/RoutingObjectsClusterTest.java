package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.canary.router.ServiceBuilder.Selector;
import dev.bunting.kube.Subset;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.TestNamespace;
import dev.bunting.testing.ThirdPartyCrds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The objects the routers build, server-side applied (field manager {@code bunting}, strict field validation) to a
 * real API server with the Gateway API standard-channel CRDs: the server accepts them, stores them so that a second
 * apply would change nothing, and the router reads weights and acceptance back from what it stored.
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.GATEWAY_API)
class RoutingObjectsClusterTest {
  private static final String STEP_WEIGHT = "{interval: 1m, threshold: 5, stepWeight: 10}";
  private static final Selector APP_PODINFO = new Selector("app", "podinfo");
  private static final Deployment PODINFO = Manifests.deployment("""
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: podinfo}
      spec:
        selector: {matchLabels: {app: podinfo}}
        template:
          metadata: {labels: {app: podinfo}}
          spec:
            containers:
            - name: podinfod
              image: ghcr.io/stefanprodan/podinfo:6.0.0
              ports:
              - {name: http, containerPort: 9898}
              - {name: http-metrics, containerPort: 9797}
              - {containerPort: 9999}
      """);

  TestCluster cluster;
  KubernetesClient client;
  @TestNamespace String namespace;

  private final DefaultServiceBuilder services = new DefaultServiceBuilder();
  private final GatewayApiRouter router = GatewayApiRouter.v1();

  /** A Canary stored in the cluster, so the generated objects have a real owner (and are not garbage collected). */
  private Canary stored(String name, String service, String analysis) {
    Canary canary = Manifests.canary("gatewayapi:v1", service, analysis);
    canary.getMetadata().setName(name);
    canary.getMetadata().setNamespace(namespace);
    canary.getMetadata().setUid(null);
    return client.resource(canary).fieldManager("bunting-tests").forceConflicts().serverSideApply();
  }

  private <T extends HasMetadata> T apply(T desired) {
    T applied = client.resource(desired).fieldValidation(Validation.STRICT).fieldManager("bunting").forceConflicts()
        .serverSideApply();
    assertThat(Subset.contains(applied, desired))
        .as("%s %s as stored contains everything applied (a second apply changes nothing)", desired.getKind(),
            desired.getMetadata().getName())
        .isTrue();
    return applied;
  }

  private GenericKubernetesResource route(Canary canary, Weights weights) {
    return (GenericKubernetesResource) router.desiredObjects(canary, weights, CachedObjects.none()).get(0);
  }

  @Test
  void theThreeServicesAreAccepted() {
    Canary canary = stored("podinfo", """
        port: 80
        targetPort: http
        portDiscovery: true
        appProtocol: http
        gatewayRefs: [{name: public}]
        canary: {labels: {team: web}, annotations: {owner: web}}
        """, STEP_WEIGHT);

    List<Service> applied = new ArrayList<>();
    applied.add(apply(services.canaryService(canary, PODINFO, APP_PODINFO)));
    applied.add(apply(services.primaryService(canary, PODINFO, APP_PODINFO)));
    applied.add(apply(services.apexService(canary, PODINFO, APP_PODINFO, Optional.empty())));

    assertThat(applied).extracting(s -> s.getMetadata().getName())
        .containsExactly("podinfo-canary", "podinfo-primary", "podinfo");
    assertThat(applied).allSatisfy(s -> {
      assertThat(s.getSpec().getClusterIP()).isNotBlank().isNotEqualTo("None");
      assertThat(s.getMetadata().getOwnerReferences()).singleElement()
          .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(canary.getMetadata().getUid()));
      assertThat(s.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort())
          .containsExactly("http:80", "http-metrics:9797", "tcp-podinfod-2:9999");
    });
  }

  @Test
  void aHeadlessServiceIsAccepted() {
    Canary canary = stored("headless", """
        name: headless
        port: 9898
        headless: true
        trafficDistribution: PreferSameZone
        gatewayRefs: [{name: public}]
        """, STEP_WEIGHT);

    Service primary = apply(services.primaryService(canary, PODINFO, APP_PODINFO));

    assertThat(primary.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(primary.getSpec().getTrafficDistribution()).isEqualTo("PreferSameZone");
  }

  @Test
  void anApexServiceTheUserOwnsKeepsItsTypeNodePortAndLabels() {
    Canary canary = stored("adopted", "{name: storefront, port: 9898, gatewayRefs: [{name: public}]}", STEP_WEIGHT);
    Service own = cluster.apply("""
        apiVersion: v1
        kind: Service
        metadata:
          name: storefront
          labels: {team: shop}
        spec:
          type: NodePort
          selector: {app: podinfo}
          ports:
          - {name: http, port: 9898, targetPort: 9898}
        """).stream().map(o -> Serialization.unmarshal(Serialization.asJson(o), Service.class)).findFirst().orElseThrow();

    Service applied = apply(services.apexService(canary, PODINFO, APP_PODINFO, Optional.of(own)));

    assertThat(applied.getSpec().getType()).isEqualTo("NodePort");
    assertThat(applied.getSpec().getPorts()).singleElement()
        .satisfies(p -> assertThat(p.getNodePort()).isEqualTo(own.getSpec().getPorts().get(0).getNodePort()));
    assertThat(applied.getMetadata().getLabels()).containsEntry("team", "shop");
    assertThat(applied.getMetadata().getOwnerReferences()).isEmpty();
    assertThat(applied.getSpec().getSelector()).containsExactlyEntriesOf(Map.of("app", "podinfo-primary"));
  }

  @Test
  void httpRoutesForEveryStrategyAreAccepted() {
    Canary canary = stored("shop", """
        name: shop
        port: 80
        targetPort: 9898
        hosts: [shop.example.com]
        gatewayRefs: [{name: public, sectionName: https}]
        match:
        - uri: {prefix: /api}
          method: {exact: GET}
        - uri: {regex: "^/v[0-9]+/.*"}
          headers: {x-tenant: {exact: acme}}
          queryParams: {debug: {regex: "^(1|true)$"}}
        rewrite: {uri: /shop, authority: shop.internal}
        headers:
          request: {set: {X-Forwarded-Proto: https}, add: {x-a: a}, remove: [x-debug]}
          response: {remove: [server]}
        mirror: [{backendRef: {name: shop-shadow, port: 80}}]
        timeout: 30s
        backendTimeout: 10s
        apex: {labels: {team: shop}, annotations: {owner: shop}}
        """, "{interval: 1m, threshold: 5, stepWeights: [5, 10, 80]}");
    Canary abTesting = stored("ab", """
        name: ab
        port: 9898
        gatewayRefs: [{name: public}]
        timeout: 15s
        """, """
        interval: 1m
        threshold: 5
        iterations: 10
        match:
        - headers: {x-canary: {regex: ".*insider.*"}}
        - headers: {cookie: {regex: "^(.*?;)?(canary=always)(;.*)?$"}}
        """);
    Canary blueGreen = stored("bg", "{name: bg, port: 9898, gatewayRefs: [{name: public}]}",
        "{interval: 1m, threshold: 5, iterations: 10, mirror: true}");
    Canary linkerd = stored("mesh",
        "{name: mesh, port: 9898, gatewayRefs: [{name: mesh, group: core, kind: Service, port: 9898}]}", STEP_WEIGHT);

    GenericKubernetesResource v1beta1 = (GenericKubernetesResource) GatewayApiRouter.v1beta1()
        .desiredObjects(linkerd, Weights.canary(20), CachedObjects.none()).get(0);

    assertThat(router.state(canary, Cached.of(apply(route(canary, Weights.canary(5))))).weights())
        .contains(Weights.canary(5));
    assertThat(router.state(abTesting, Cached.of(apply(route(abTesting, Weights.ALL_CANARY)))).weights())
        .contains(Weights.ALL_CANARY);
    assertThat(router.state(blueGreen, Cached.of(apply(route(blueGreen, new Weights(100, 0, true))))).weights())
        .contains(new Weights(100, 0, true));
    GenericKubernetesResource linkerdRoute = apply(v1beta1);
    assertThat(linkerdRoute.getApiVersion()).isEqualTo("gateway.networking.k8s.io/v1beta1");
    assertThat(GatewayApiRouter.v1beta1().state(linkerd, Cached.of(linkerdRoute)).weights()).contains(Weights.canary(20));
  }

  @Test
  void weightsAndAcceptanceAreReadBackFromTheStoredRoute() {
    Canary canary = stored("weights", "{name: weights, port: 9898, gatewayRefs: [{name: public}]}", STEP_WEIGHT);

    GenericKubernetesResource stored = apply(route(canary, Weights.canary(30)));
    RouterState beforeGateway = router.state(canary, Cached.of(stored));

    assertThat(beforeGateway.weights()).contains(Weights.canary(30));
    assertThat(beforeGateway.accepted()).isFalse();
    assertThat(beforeGateway.message()).isEqualTo("HTTPRoute weights." + namespace + " parent " + namespace
        + "/public is not ready (no Accepted condition reported for it yet)");

    GenericKubernetesResource accepted = acceptAsGateway(stored);
    assertThat(router.state(canary, Cached.of(accepted))).isEqualTo(RouterState.accepted(Weights.canary(30)));

    GenericKubernetesResource moved = apply(route(canary, Weights.canary(40)));
    RouterState afterMove = router.state(canary, Cached.of(moved));
    assertThat(moved.getMetadata().getGeneration()).isGreaterThan(accepted.getMetadata().getGeneration());
    assertThat(afterMove.weights()).contains(Weights.canary(40));
    assertThat(afterMove.accepted()).isFalse();
    assertThat(afterMove.message()).contains("observed generation: " + accepted.getMetadata().getGeneration());
  }

  /** Plays the Gateway API implementation: reports every parent Accepted for the route's current generation. */
  private GenericKubernetesResource acceptAsGateway(GenericKubernetesResource route) {
    long generation = route.getMetadata().getGeneration();
    List<Object> parents = new ArrayList<>();
    for (Object parentRef : (List<?>) route.get("spec", "parentRefs")) {
      parents.add(Map.of(
          "parentRef", parentRef,
          "controllerName", "bunting.dev/test-gateway",
          "conditions", List.of(Map.of("type", "Accepted", "status", "True", "reason", "Accepted", "message", "test",
              "observedGeneration", generation, "lastTransitionTime", "2026-01-01T00:00:00Z"))));
    }
    route.setAdditionalProperty("status", Map.of("parents", parents));
    return client.genericKubernetesResources(GatewayApiRouter.GROUP + "/v1", GatewayApiRouter.KIND)
        .inNamespace(namespace).resource(route).updateStatus();
  }
}
