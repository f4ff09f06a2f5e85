package dev.bunting.canary.router;

import static dev.bunting.canary.router.Manifests.assertYaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SMI TrafficSplits, compared field by field with what Flagger 1.44's SMI routers write for the same Canary at
 * every step ({@code flagger/smi.cases.json}: initialisation, a weight step, a reconcile during the analysis, all
 * traffic on the canary, back to the primary), and read back as Flagger's {@code GetRoutes} reads them.
 */
class SmiRouterTest {
  private final FlaggerOracle oracle = FlaggerOracle.load("smi");

  private void replay(String caseName, TrafficRouter router) {
    RouterReplay.of(router, "TrafficSplit").run(oracle, caseName);
    assertThat(router.state(oracle.canary(caseName), oracle.moments(caseName).get(0).flagger().cached()).accepted())
        .as("a TrafficSplit has no status: weights that add up are accepted").isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"v1alpha1", "v1alpha2", "v1alpha3"})
  void theTrafficSplitIsFlaggersAtEveryStep(String version) {
    TrafficRouter router = new Routers("kubernetes").routerFor("smi:" + version).orElseThrow();
    assertThat(router.kinds()).singleElement().satisfies(k -> assertThat(k.getGroup() + "/" + k.getVersion())
        .isEqualTo("split.smi-spec.io/" + version));

    replay("smi-" + version, router);
  }

  @Test
  void aMeshSuffixIsAcceptedAndTheFirstHostIsTheApex() {
    Routers routers = new Routers("kubernetes");
    TrafficRouter router = routers.routerFor(oracle.canary("smi-v1alpha1-linkerd-host")).orElseThrow();
    assertThat(router.provider()).isEqualTo("smi:v1alpha1");

    replay("smi-v1alpha1-linkerd-host", router);
  }

  @Test
  void theIstioMeshGetsItsGatewaysAnnotationWhenItIsTheDefaultProvider() {
    Routers routers = new Routers("smi:v1alpha3:istio");
    Canary withoutProvider = oracle.canary("smi-v1alpha3-istio-gateways");
    withoutProvider.getSpec().provider = null;
    TrafficRouter router = routers.routerFor(withoutProvider).orElseThrow();
    assertThat(router.provider()).isEqualTo("smi:v1alpha3:istio");

    replay("smi-v1alpha3-istio-gateways", router);
    assertThat(routers.supportedProviders()).contains("smi:v1alpha1", "smi:v1alpha2", "smi:v1alpha3",
        "smi:v1alpha3:istio");
  }

  @Test
  void otherMeshesGetNoAnnotation() {
    replay("smi-v1alpha2-osm", SmiRouter.withMesh("smi:v1alpha2:osm").orElseThrow());
  }

  @Test
  void osmIsAV1alpha2TrafficSplitForTheOsmMeshAsInFlagger() {
    TrafficRouter osm = new Routers("kubernetes").routerFor("osm").orElseThrow();

    assertThat(osm.provider()).isEqualTo("osm");
    replay("osm", osm);
  }

  @Test
  void v1alpha1WeightsAreQuantitiesAndLaterVersionsIntegers() {
    Canary canary = Manifests.canary("smi:v1alpha1", "{port: 9898}", "{stepWeight: 10}");

    assertYaml(GatewayApiRouterTest.only(SmiRouter.v1alpha1().desiredObjects(canary, Weights.canary(10),
        CachedObjects.none())), """
        apiVersion: split.smi-spec.io/v1alpha1
        kind: TrafficSplit
        metadata:
          name: podinfo
          namespace: test
          ownerReferences:
          - {apiVersion: flagger.app/v1beta1, kind: Canary, name: podinfo, uid: 6f1c3a52-2b1e-4a57-9a3e-0d6bd2b5f0a1,
             controller: true, blockOwnerDeletion: true}
        spec:
          service: podinfo
          backends:
          - {service: podinfo-canary, weight: "10"}
          - {service: podinfo-primary, weight: "90"}
        """);
    assertYaml(GatewayApiRouterTest.field(SmiRouter.v1alpha3().desiredObjects(canary, Weights.canary(10),
        CachedObjects.none()).get(0), "spec", "backends"), """
        - {service: podinfo-canary, weight: 10}
        - {service: podinfo-primary, weight: 90}
        """);
  }

  @Test
  void weightsThatDoNotAddUpOrAreMissingAreReported() {
    Canary canary = Manifests.canary("smi:v1alpha1", "{port: 9898}", "{stepWeight: 10}");
    SmiRouter router = SmiRouter.v1alpha1();

    assertThat(router.state(canary, CachedObjects.none())).isEqualTo(RouterState.absent());
    assertThat(router.state(canary, Cached.of(split("[{service: podinfo-canary, weight: '30'},"
        + " {service: podinfo-primary, weight: '30'}]"))).message())
        .isEqualTo("TrafficSplit podinfo.test has weights 30/30 for podinfo-primary/podinfo-canary, which do not add up"
            + " to 100");
    assertThat(router.state(canary, Cached.of(split("[{service: other, weight: '100'}]"))).message())
        .isEqualTo("TrafficSplit podinfo.test does not contain routes for podinfo-primary and podinfo-canary");
    assertThat(router.state(canary, Cached.of(split("[{service: podinfo-canary, weight: 500m},"
        + " {service: podinfo-primary, weight: '100'}]"))).weights()).as("a fraction is no weight").isEmpty();
    assertThat(router.state(canary, Cached.of(split("[{service: podinfo-primary, weight: 100}]"))).weights())
        .as("a missing backend has weight 0, as in Flagger").contains(Weights.ALL_PRIMARY);
  }

  private static GenericKubernetesResource split(String backends) {
    return Manifests.resource("""
        apiVersion: split.smi-spec.io/v1alpha1
        kind: TrafficSplit
        metadata: {name: podinfo, namespace: test}
        spec:
          service: podinfo
          backends: %s
        """.formatted(backends));
  }

  @Test
  void abTestingMirroringAndStickySessionsAreRejected() {
    Canary canary = Manifests.canary("smi:v1alpha2", "{port: 9898}", """
        iterations: 10
        mirror: true
        match: [{headers: {x-canary: {exact: insider}}}]
        sessionAffinity: {cookieName: flagger-cookie}
        """);

    List<String> errors = new Routers("kubernetes").validate(canary);

    assertThat(errors).containsExactly(
        "spec.analysis.match (A/B testing) is not supported by provider smi:v1alpha2, which splits traffic by weight"
            + " only (every request would reach the canary); remove it and release with stepWeight or iterations",
        "spec.analysis.mirror (traffic mirroring) is not supported by provider smi:v1alpha2, which splits traffic by"
            + " weight only; remove it",
        "spec.analysis.sessionAffinity (sticky canary sessions) is not supported by provider smi:v1alpha2, which"
            + " splits traffic by weight only; remove it");
    assertThatThrownBy(() -> SmiRouter.v1alpha2().desiredObjects(canary, Weights.ALL_PRIMARY, CachedObjects.none()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not valid for provider smi:v1alpha2");
  }

  @Test
  void providerNamesMatchFlaggers() {
    Routers routers = new Routers("kubernetes");

    assertThat(routers.routerFor("smi:v1alpha3:linkerd")).get().extracting(TrafficRouter::provider)
        .isEqualTo("smi:v1alpha3");
    assertThat(routers.routerFor("smi:v1alpha4")).isEmpty();
    assertThat(routers.routerFor("smi:v1alpha1:")).isEmpty();
    assertThat(routers.routerFor("smi")).isEmpty();
    assertThat(SmiRouter.withMesh("smi:v1alpha1")).isEmpty();
    assertThat(SmiRouter.withMesh("smi:v1beta1:istio")).isEmpty();
  }
}
