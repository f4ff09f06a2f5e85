package dev.bunting.canary.router;

import static dev.bunting.canary.router.Manifests.assertYaml;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Kuma's TrafficRoute, compared field by field with what Flagger 1.44's {@code kuma.go} writes for the same Canary at
 * every step ({@code flagger/kuma.cases.json}), and read back as Flagger reads it. Kuma's CRDs are not available to the
 * tests (its Go module is not served here), so this router is checked against Flagger only, not against an API server.
 */
class KumaRouterTest {
  private final FlaggerOracle oracle = FlaggerOracle.load("kuma");
  private final KumaRouter router = new KumaRouter();

  @Test
  void theTrafficRouteIsFlaggersThroughARelease() {
    List<FlaggerOracle.Moment> moments = oracle.moments("kuma");
    RouterReplay.of(router, "TrafficRoute").ignoring(m -> List.of(TraefikRouterTest.APEX_SELECTOR_LABEL))
        .run(moments.subList(0, 11));
  }

  /**
   * A change of {@code service.apex} during the analysis: Flagger's reconcile rewrites the whole spec, weights included,
   * so traffic jumps back to 100/0 mid-analysis; Bunting keeps the weights.
   */
  @Test
  void aMetadataChangeKeepsTheWeights() {
    FlaggerOracle.Moment changed = oracle.moments("kuma").get(12);
    RouterReplay.of(router, "TrafficRoute").ignoring(m -> List.of(TraefikRouterTest.APEX_SELECTOR_LABEL,
        "/spec/conf/split/0/weight", "/spec/conf/split/1/weight")).run(List.of(changed));
    assertYaml(GatewayApiRouterTest.field(changed.flagger().object("TrafficRoute", "podinfo"), "spec", "conf",
        "split"), """
        - {weight: 100, destination: {kuma.io/service: podinfo-primary_test_svc_9898}}
        - {weight: 0, destination: {kuma.io/service: podinfo-canary_test_svc_9898}}
        """);
    assertThat(router.desiredObjects(changed.canary(), changed.weights(), CachedObjects.none())).singleElement()
        .satisfies(route -> assertYaml(GatewayApiRouterTest.field(route, "spec", "conf", "split"), """
            - {weight: 90, destination: {kuma.io/service: podinfo-primary_test_svc_9898}}
            - {weight: 10, destination: {kuma.io/service: podinfo-canary_test_svc_9898}}
            """));
  }

  @Test
  void theMeshDefaultsToDefault() {
    RouterReplay.of(router, "TrafficRoute").run(oracle, "kuma-default-mesh");
  }

  /** Flagger's Kuma tutorial: the mesh named on the Canary, Kuma's protocol annotation on the apex. */
  @Test
  void theTutorialCanaryGetsAClusterScopedTrafficRoute() {
    Canary canary = Manifests.canary("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: podinfo
          namespace: test
          annotations: {kuma.io/mesh: default}
        spec:
          provider: kuma
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
          service:
            port: 9898
            targetPort: 9898
            apex:
              annotations: {9898.service.kuma.io/protocol: "http"}
          analysis: {interval: 30s, threshold: 5, maxWeight: 50, stepWeight: 5}
        """);

    assertYaml(GatewayApiRouterTest.only(router.desiredObjects(canary, Weights.canary(5), CachedObjects.none())), """
        apiVersion: kuma.io/v1alpha1
        kind: TrafficRoute
        metadata:
          name: podinfo
          annotations:
            9898.service.kuma.io/protocol: http
            helm.toolkit.fluxcd.io/driftDetection: disabled
            kustomize.toolkit.fluxcd.io/reconcile: disabled
        mesh: default
        spec:
          sources:
          - match: {kuma.io/service: "*"}
          destinations:
          - match: {kuma.io/service: podinfo_test_svc_9898}
          conf:
            split:
            - {weight: 95, destination: {kuma.io/service: podinfo-primary_test_svc_9898}}
            - {weight: 5, destination: {kuma.io/service: podinfo-canary_test_svc_9898}}
        """);
    assertThat(router.objects(canary)).singleElement().satisfies(o -> {
      assertThat(o.namespace()).as("cluster-scoped").isNull();
      assertThat(o.kind().isNamespaceScoped()).isFalse();
    });
  }

  @Test
  void routesOfOtherServicesAreNotReadAsWeights() {
    Canary canary = Manifests.canary("kuma", "{port: 9898}", "{stepWeight: 5}");

    assertThat(router.state(canary, CachedObjects.none())).isEqualTo(RouterState.absent());
    assertThat(router.state(canary, Cached.of(Manifests.resource("""
        apiVersion: kuma.io/v1alpha1
        kind: TrafficRoute
        metadata: {name: podinfo}
        mesh: default
        spec:
          conf:
            split: [{weight: 100, destination: {kuma.io/service: other_test_svc_9898}}]
        """))).message()).isEqualTo("TrafficRoute podinfo does not contain routes for podinfo-primary and"
        + " podinfo-canary");
  }
}
