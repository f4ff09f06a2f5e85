package dev.bunting.canary.router;

import static dev.bunting.canary.router.Manifests.assertYaml;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The TraefikService, compared field by field with what Flagger 1.44's {@code traefik.go} writes for the same Canary at
 * every step ({@code flagger/traefik.cases.json}), and read back as Flagger reads it.
 */
class TraefikRouterTest {
  /** Flagger copies the selector label onto routing objects when {@code service.apex} is set (a side effect). */
  static final String APEX_SELECTOR_LABEL = "/metadata/labels/app";
  /** Flagger leaves a primary weight of 0 out (omitempty), which Traefik reads as 1; Bunting writes 0. */
  static final String PRIMARY_WEIGHT = "/spec/weighted/services/0/weight";

  private final FlaggerOracle oracle = FlaggerOracle.load("traefik");
  private final TraefikRouter router = new TraefikRouter();

  private static List<String> differences(FlaggerOracle.Moment m) {
    List<String> ignored = new ArrayList<>();
    if (m.canary().getSpec().service.apex != null) {
      ignored.add(APEX_SELECTOR_LABEL);
    }
    if (m.weights().primary() == 0) {
      ignored.add(PRIMARY_WEIGHT);
    }
    return ignored;
  }

  @Test
  void theTraefikServiceIsFlaggersThroughARelease() {
    List<FlaggerOracle.Moment> moments = oracle.moments("traefik");
    // 0 reconcile, 2 weight 10, 4 reconcile during the analysis, 6 all on the canary, 8 back on the primary
    RouterReplay.of(router, "TraefikService").ignoring(TraefikRouterTest::differences).run(moments.subList(0, 11));

    FlaggerOracle.Moment allOnCanary = moments.get(6);
    assertYaml(GatewayApiRouterTest.field(router.desiredObjects(allOnCanary.canary(), allOnCanary.weights(),
        CachedObjects.none()).get(0), "spec"), """
        weighted:
          services:
          - {name: podinfo-primary, namespace: test, port: 80, weight: 0}
          - {name: podinfo-canary, namespace: test, port: 80, weight: 100}
        """);
    assertThat(router.state(allOnCanary.canary(), allOnCanary.flagger().cached()).weights())
        .as("Flagger's object without the primary's weight still reads as 0/100").contains(Weights.ALL_CANARY);
  }

  /**
   * A change of {@code service.apex} during the analysis: both rewrite the metadata, but Flagger's reconcile also sets
   * both weights to 100 (it rebuilds the spec with 100 for each service), which Traefik serves as 50/50 while
   * Flagger's {@code GetRoutes} reports 100/0. Bunting keeps the weights.
   */
  @Test
  void aMetadataChangeKeepsTheWeights() {
    FlaggerOracle.Moment changed = oracle.moments("traefik").get(12);
    assertThat(changed.op()).isEqualTo("reconcile");
    RouterReplay.of(router, "TraefikService")
        .ignoring(m -> List.of(APEX_SELECTOR_LABEL, PRIMARY_WEIGHT, "/spec/weighted/services/1/weight"))
        .run(List.of(changed));
    assertYaml(GatewayApiRouterTest.field(changed.flagger().object("TraefikService", "podinfo"), "spec"), """
        weighted:
          services:
          - {name: podinfo-primary, namespace: test, port: 80, weight: 100}
          - {name: podinfo-canary, namespace: test, port: 80, weight: 100}
        """);
    assertYaml(GatewayApiRouterTest.field(router.desiredObjects(changed.canary(), changed.weights(),
        CachedObjects.none()).get(0), "spec"), """
        weighted:
          services:
          - {name: podinfo-primary, namespace: test, port: 80, weight: 90}
          - {name: podinfo-canary, namespace: test, port: 80, weight: 10}
        """);
    assertThat(router.state(changed.canary(), changed.flagger().cached()).message())
        .isEqualTo("TraefikService podinfo.test has weights 100/100 for podinfo-primary/podinfo-canary, which do not"
            + " add up to 100");
  }

  @Test
  void withoutApexMetadataTheObjectsAreIdentical() {
    RouterReplay.of(router, "TraefikService").run(oracle, "traefik-defaults");
  }

  /** Flagger's Traefik tutorial: port 80 to the pods' 9898, the IngressRoute pointing at this TraefikService. */
  @Test
  void theTutorialCanaryGetsAWeightedRoundRobin() {
    Canary canary = Manifests.canary("traefik", "{port: 80, targetPort: 9898}",
        "{interval: 10s, threshold: 10, maxWeight: 50, stepWeight: 5}");

    assertYaml(GatewayApiRouterTest.only(router.desiredObjects(canary, Weights.canary(5), CachedObjects.none())), """
        apiVersion: traefik.io/v1alpha1
        kind: TraefikService
        """ + GatewayApiRouterTest.ROUTE_METADATA + """
        spec:
          weighted:
            services:
            - {name: podinfo-primary, namespace: test, port: 80, weight: 95}
            - {name: podinfo-canary, namespace: test, port: 80, weight: 5}
        """);
    assertThat(GatewayApiRouterTest.field(router.desiredObjects(canary, Weights.ALL_PRIMARY, CachedObjects.none())
        .get(0), "spec", "weighted", "services")).asList().hasSize(1);
  }

  @Test
  void editedWeightsAndAMissingPrimaryAreReported() {
    Canary canary = Manifests.canary("traefik", "{port: 80}", "{stepWeight: 5}");

    assertThat(router.state(canary, CachedObjects.none())).isEqualTo(RouterState.absent());
    assertThat(router.state(canary, Cached.of(Manifests.resource("""
        apiVersion: traefik.io/v1alpha1
        kind: TraefikService
        metadata: {name: podinfo, namespace: test}
        spec:
          weighted:
            services: [{name: somebody-else, namespace: test, port: 80, weight: 100}]
        """))).message()).isEqualTo("TraefikService podinfo.test has no weighted service podinfo-primary");
    assertThat(router.validate(Manifests.canary("traefik", "{port: 80}", """
        {iterations: 5, match: [{headers: {x-canary: {exact: insider}}}]}
        """))).singleElement().asString().startsWith("spec.analysis.match (A/B testing) is not supported by provider"
        + " traefik");
  }
}
