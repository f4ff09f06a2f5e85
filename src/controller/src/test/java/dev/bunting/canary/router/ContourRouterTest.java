package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The contour router against Flagger 1.44's {@code contour.go} ({@code flagger/contour.cases.json}). */
class ContourRouterTest {
  private static final ContourRouter ROUTER = new ContourRouter(RouterSettings.defaults());

  @ParameterizedTest
  @ValueSource(strings = {"canary", "ab-canary-weights"})
  void theHttpProxyIsFlaggersAtEveryStep(String caseName) {
    assertThat(replay().replay(caseName)).isPositive();
  }

  /**
   * Flagger's Service builder adds {@code app: <apex>} to the Canary's {@code service.apex.labels} map in memory, and
   * its router then copies that map: routing objects of a canary with apex labels get {@code app: <apex>} too. Bunting
   * writes the apex labels as the user wrote them.
   */
  private static OracleReplay replay() {
    return OracleReplay.of("contour", ROUTER).ignoring("/metadata/labels/app");
  }

  @Test
  void abTestingRoutesTheHeaderToTheWeightsAndTheRestToThePrimary() {
    FlaggerOracle oracle = FlaggerOracle.load("contour");
    Canary canary = oracle.canary("ab");
    // Flagger's case has three headers, which Contour refuses (one prefix condition per header); Bunting allows one
    assertThat(ROUTER.validate(canary)).containsExactly("spec.analysis.match: Contour A/B testing routes on one header"
        + " (one HTTPProxy condition block), and 3 are given");
    canary.getSpec().analysis.match = canary.getSpec().analysis.match.subList(1, 2);
    var proxy = ROUTER.desiredObjects(canary, Weights.ALL_CANARY, CachedObjects.none()).get(0);
    Manifests.assertYaml(((io.fabric8.kubernetes.api.model.GenericKubernetesResource) proxy).getAdditionalProperties()
        .get("spec"), """
        routes:
        - conditions: [{prefix: /, header: {name: cookie, contains: insider}}]
          services:
          - name: podinfo-primary
            port: 9898
            requestHeadersPolicy: {set: [{name: l5d-dst-override, value: "podinfo-primary.test.svc.cluster.local:9898"}]}
          - name: podinfo-canary
            port: 9898
            weight: 100
            requestHeadersPolicy: {set: [{name: l5d-dst-override, value: "podinfo-canary.test.svc.cluster.local:9898"}]}
        - conditions: [{prefix: /}]
          services:
          - name: podinfo-primary
            port: 9898
            weight: 100
            requestHeadersPolicy: {set: [{name: l5d-dst-override, value: "podinfo-primary.test.svc.cluster.local:9898"}]}
          - name: podinfo-canary
            port: 9898
            requestHeadersPolicy: {set: [{name: l5d-dst-override, value: "podinfo-canary.test.svc.cluster.local:9898"}]}
        """);
    // the route Flagger wrote for the same weights reads back the same
    assertThat(ROUTER.state(canary, oracle.step("ab", 2).cached()).weights()).contains(Weights.ALL_CANARY);
    assertThat(ROUTER.state(canary, oracle.step("ab", 4).cached()).weights()).contains(Weights.ALL_PRIMARY);
  }

  @Test
  void theIngressClassIsTheFlags() {
    assertThat(OracleReplay.of("contour", new ContourRouter(new RouterSettings(null, "contour")))
        .replay("ingress-class")).isEqualTo(2);
  }

  @Test
  void anEmptyRetryOnIsLeftOut() {
    Canary canary = Manifests.canary("contour", "{port: 80, retries: {attempts: 2}}", "{stepWeight: 10}");
    var proxy = (io.fabric8.kubernetes.api.model.GenericKubernetesResource)
        ROUTER.desiredObjects(canary, Weights.ALL_PRIMARY, CachedObjects.none()).get(0);
    Manifests.assertYaml(((java.util.Map<?, ?>) ((java.util.List<?>) ((java.util.Map<?, ?>) proxy
        .getAdditionalProperties().get("spec")).get("routes")).get(0)).get("retryPolicy"), "{count: 2}");
  }

  @Test
  void validation() {
    assertThat(ROUTER.validate(Manifests.canary("contour", "{port: 80}", """
        {iterations: 2, mirror: true, match: [{headers: {x: {regex: a.*}}, method: {exact: GET}}]}""")))
        .containsExactly(
            "spec.analysis.mirror (traffic mirroring) is not supported by provider contour: its routing objects cannot"
                + " mirror requests",
            "spec.analysis.match[0].method: Contour A/B testing routes on a header only",
            "spec.analysis.match[0].headers.x: Contour matches a header by exact, prefix or suffix (both as contains)");
    assertThat(ROUTER.objects(Manifests.canary("contour", "{port: 80}", "{}"))).extracting(RoutedObject::key)
        .containsExactly("projectcontour.io/v1/httpproxies/test/podinfo");
  }
}
