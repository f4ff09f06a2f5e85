package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sticky sessions and mirroring of the {@code gatewayapi:v1} router against Flagger 1.44's own {@code gateway_api.go}
 * ({@code flagger/gatewayapi.cases.json}, recorded by the flagger-oracle). Bunting spells out the {@code parentRefs}
 * defaults ({@code group}, {@code kind}) that Flagger leaves to the API server; every other difference is named where it
 * is ignored and listed in {@code docs/routing.md}.
 */
class GatewayApiRouterOracleTest {
  static final FlaggerOracle ORACLE = FlaggerOracle.load("gatewayapi");
  private static final String[] PARENT_DEFAULTS = {"/spec/parentRefs/0/group", "/spec/parentRefs/0/kind"};

  private final GatewayApiRouter router = GatewayApiRouter.v1();

  private void replay(String name, String... ignored) {
    String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(PARENT_DEFAULTS),
        java.util.Arrays.stream(ignored)).toArray(String[]::new);
    SpecOracleReplay.replay(ORACLE, router, GatewayApiRouter.GROUP, name, all);
  }

  @Test
  void sessionAffinityTutorialSetsExpiresAndRenewsTheCanaryCookie() {
    replay("session-affinity");
  }

  @Test
  void sessionAffinityWithAPrimaryCookieServiceMatchesAndTimeouts() {
    replay("session-affinity-primary-cookie");
  }

  @Test
  void theExpiringCookieJoinsTheRulesFiltersWithoutARepeatedFilterType() {
    replay("session-affinity-request-headers");
  }

  @Test
  void blueGreenMirroringAddsTheRequestMirrorWhileMirrored() {
    replay("blue-green-mirroring");
  }

  @Test
  void aRollbackDuringMirroringDropsTheRequestMirror() {
    replay("blue-green-mirroring-rollback");
  }

  /**
   * Stopping a mirror without any other change (a rollback while mirrored) must still be written: the reconciler skips
   * an apply whose fields the cached route already has, so the rule spells out that it has no filters.
   */
  @Test
  void stoppingTheMirrorAloneIsAChangeTheReconcilerWrites() {
    List<GenericKubernetesResource> mirrored = ORACLE.step("blue-green-mirroring", 1).objects();
    HasMetadata rollback = router.desiredObjects(ORACLE.canary("blue-green-mirroring"), Weights.ALL_PRIMARY,
        Cached.of(mirrored)).get(0);

    assertThat(Serialization.jsonMapper().valueToTree(rollback).at("/spec/rules/0/filters").isEmpty()).isTrue();
    assertThat(Serialization.jsonMapper().valueToTree(rollback).at("/spec/rules/0/filters").isArray()).isTrue();
    assertThat(dev.bunting.kube.Subset.contains(mirrored.get(0), rollback)).as("the cached route differs").isFalse();
    FlaggerOracle.assertSameFields(rollback, ORACLE.step("blue-green-mirroring", 5).objects().get(0),
        "/spec/parentRefs/0/group", "/spec/parentRefs/0/kind", "/spec/rules/0/filters");
    HasMetadata steady = router.desiredObjects(ORACLE.canary("blue-green-mirroring"), Weights.ALL_PRIMARY,
        Cached.of(ORACLE.step("blue-green-mirroring", 5).objects())).get(0);
    assertThat(Serialization.jsonMapper().valueToTree(steady).at("/spec/rules/0/filters").isMissingNode()).isTrue();
  }

  /**
   * Flagger adds the {@code RequestMirror} only when {@code analysis.iterations > 0}, so a canary release with
   * {@code mirror: true} never reads back as mirrored and repeats its mirrored step forever; Bunting mirrors whenever
   * the engine asks for it. Apart from that filter the route is Flagger's.
   */
  @Test
  void canaryWithMirroringMirrorsTheFirstStepUnlikeFlagger() {
    Canary canary = ORACLE.canary("canary-mirroring");
    List<GenericKubernetesResource> flaggerStep1 = ORACLE.step("canary-mirroring", 1).objects();
    HasMetadata route = router.desiredObjects(canary, ORACLE.requestedWeights("canary-mirroring", 1),
        Cached.of(ORACLE.step("canary-mirroring", 0).objects())).get(0);

    FlaggerOracle.assertSameFields(route, flaggerStep1.get(0), "/spec/parentRefs/0/group", "/spec/parentRefs/0/kind",
        "/spec/rules/0/filters");
    assertThat(Serialization.jsonMapper().valueToTree(route).at("/spec/rules/0/filters")).isEqualTo(
        Serialization.jsonMapper().valueToTree(List.of(Map.of("type", "RequestMirror", "requestMirror", Map.of(
            "backendRef", Map.of("group", "", "kind", "Service", "name", "podinfo-canary", "port", 9898))))));
    assertThat(ORACLE.step("canary-mirroring", 2).routes()).as("Flagger reads its route back unmirrored")
        .contains(Weights.ALL_PRIMARY);
    assertThat(router.state(canary, Cached.of((GenericKubernetesResource) Serialization.jsonMapper()
        .convertValue(route, GenericKubernetesResource.class))).weights()).contains(new Weights(100, 0, true));

    HasMetadata shifted = router.desiredObjects(canary, ORACLE.requestedWeights("canary-mirroring", 3),
        Cached.of(ORACLE.step("canary-mirroring", 2).objects())).get(0);
    FlaggerOracle.assertSameFields(shifted, ORACLE.step("canary-mirroring", 3).objects().get(0), PARENT_DEFAULTS);
  }
}
