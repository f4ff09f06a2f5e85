package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gloo router against Flagger 1.44's {@code gloo.go} ({@code flagger/gloo.cases.json}). Gloo's CRDs cannot be had
 * here (the Go module proxy refuses github.com/solo-io/gloo), so this oracle comparison is its only test.
 */
class GlooRouterTest {
  private static final GlooRouter ROUTER = new GlooRouter();

  /**
   * Flagger's Service builder adds {@code app: <apex>} to the Canary's {@code service.apex.labels} map in memory, and
   * its router then copies that map: routing objects of a canary with apex labels get {@code app: <apex>} too. Bunting
   * writes the apex labels as the user wrote them.
   */
  private static OracleReplay replay() {
    return OracleReplay.of("gloo", ROUTER).ignoring("/metadata/labels/app");
  }

  @Test
  void theRouteTableAndUpstreamsAreFlaggersAtEveryStep() {
    assertThat(replay().replay("canary")).isEqualTo(9);
    // A/B: Bunting adds a second route for the requests that do not match (to the primary); with Flagger's one route
    // they match no route of the table and Gloo answers 404
    assertThat(replay().ignoring("/spec/routes/1").replay("ab-single")).isEqualTo(3 * 3);
  }

  @Test
  void theUpstreamsCopyTheUpstreamRefsSettings() {
    // Step 4: the user changed the referenced Upstream. Flagger merge-patches loadBalancerConfig into the generated
    // Upstreams (so both roundRobin and leastRequest end up set) and ignores every other field; Bunting applies the
    // copied fields as they are now.
    OracleReplay replay = replay()
        .ignoringAt(4, "/spec/loadBalancerConfig/roundRobin", "/spec/circuitBreakers/maxRequests",
            "/spec/circuitBreakers/maxConnections");
    assertThat(replay.replay("upstream-ref")).isEqualTo(9);
    FlaggerOracle oracle = replay.oracle();
    List<HasMetadata> objects = ROUTER.desiredObjects(oracle.canary("upstream-ref"), Weights.ALL_PRIMARY,
        oracle.step("upstream-ref", 4).cached());
    assertThat(((GenericKubernetesResource) objects.get(0)).getAdditionalProperties().get("spec"))
        .extracting("loadBalancerConfig", "circuitBreakers")
        .containsExactly(Map.of("leastRequest", Map.of("choiceCount", 3)), Map.of("maxConnections", 5));
  }

  @Test
  void abTestingHasOneMatcherPerEntryAndARouteForTheRest() {
    FlaggerOracle oracle = FlaggerOracle.load("gloo");
    Canary canary = oracle.canary("ab");
    List<HasMetadata> objects = ROUTER.desiredObjects(canary, Weights.ALL_CANARY, oracle.step("ab", 1).cached());
    Manifests.assertYaml(((GenericKubernetesResource) objects.get(2)).getAdditionalProperties().get("spec"), """
        routes:
        - matchers:
          - headers:
            - {name: x-canary, value: insider}
            methods: [GET]
          - headers: [{name: x-beta, value: "yes"}]
          inheritablePathMatchers: true
          routeAction:
            multi:
              destinations:
              - destination: {upstream: {name: test-podinfo-primaryupstream-9898, namespace: test}}
              - destination: {upstream: {name: test-podinfo-canaryupstream-9898, namespace: test}}
                weight: 100
        - inheritablePathMatchers: true
          routeAction:
            multi:
              destinations:
              - destination: {upstream: {name: test-podinfo-primaryupstream-9898, namespace: test}}
                weight: 100
              - destination: {upstream: {name: test-podinfo-canaryupstream-9898, namespace: test}}
        """);
    assertThat(ROUTER.state(canary, oracle.step("ab", 1).cached()).weights()).contains(Weights.ALL_CANARY);
  }

  @Test
  void nothingIsWrittenBeforeTheServicesAreCachedAndUpstreamsAreAwaited() {
    FlaggerOracle oracle = FlaggerOracle.load("gloo");
    Canary canary = oracle.canary("canary");
    assertThat(ROUTER.desiredObjects(canary, Weights.ALL_PRIMARY, CachedObjects.none())).isEmpty();
    GenericKubernetesResource table = oracle.step("canary", 0).object("RouteTable", "podinfo");
    RouterState withoutUpstreams = ROUTER.state(canary, Cached.of(table));
    assertThat(withoutUpstreams.accepted()).isFalse();
    assertThat(withoutUpstreams.message()).isEqualTo("Upstream test/test-podinfo-primaryupstream-9898 not created yet");
  }

  @Test
  void theUpstreamRefMustExist() {
    Canary canary = FlaggerOracle.load("gloo").canary("upstream-ref");
    assertThat(ROUTER.problems(canary, CachedObjects.none()))
        .containsExactly("spec.upstreamRef: Upstream gloo-system/podinfo-config not found");
    assertThat(ROUTER.objects(canary)).extracting(RoutedObject::key).containsExactly(
        "gateway.solo.io/v1/routetables/test/podinfo", "gloo.solo.io/v1/upstreams/test/test-podinfo-primaryupstream-9898",
        "gloo.solo.io/v1/upstreams/test/test-podinfo-canaryupstream-9898",
        "gloo.solo.io/v1/upstreams/gloo-system/podinfo-config");
  }

  @Test
  void validation() {
    assertThat(ROUTER.validate(Manifests.canary("gloo", "{port: 80}", """
        {iterations: 2, match: [{headers: {x: {prefix: a}}}, {uri: {prefix: /a}}]}"""))).containsExactly(
        "spec.analysis.match[0].headers.x: Gloo matches a header by one exact value or one regex",
        "spec.analysis.match[1].uri: Gloo A/B testing routes on headers and the method only",
        "spec.analysis.match[1] has neither headers nor a method: Gloo A/B testing routes on those");
  }
}
