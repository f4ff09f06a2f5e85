package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

/**
 * The istio router against Flagger 1.44's own {@code istio.go} ({@code flagger/istio.cases.json}, recorded by the
 * flagger-oracle): for every step of every case (initialisation, each weight step, A/B, mirroring, sticky sessions,
 * promotion, rollback, take-over and revert) Bunting builds the VirtualService and DestinationRules from the same
 * Canary and the objects Flagger left before that step, and they must have Flagger's fields. Each ignored pointer is a
 * deliberate difference, listed in {@code docs/routing/istio.md}.
 */
class IstioRouterOracleTest {
  static final FlaggerOracle ORACLE = FlaggerOracle.load("istio");
  private static final String ORIGINAL = "/metadata/annotations/"
      + IstioRouter.ORIGINAL_CONFIGURATION.replace("/", "~1");

  private final IstioRouter router = new IstioRouter();

  private void replay(String name, String... ignored) {
    SpecOracleReplay.replay(ORACLE, router, IstioRouter.GROUP, name, ignored);
  }

  @Test
  void progressiveDeliveryTutorialInitialisationStepsPromotionAndRollback() {
    replay("canary");
  }

  @Test
  void abTestingTutorialRoutesMatchedRequestsToTheCanary() {
    replay("ab-testing");
  }

  @Test
  void abTestingMergesTheAnalysisHeadersAndSourceLabelsIntoEachServiceMatch() {
    replay("ab-testing-service-match");
  }

  @Test
  void blueGreenMirroringCopiesRequestsThenSwitchesAndReturns() {
    replay("blue-green-mirroring");
  }

  @Test
  void canaryWithPartialMirroringMirrorsFirstThenShiftsWeight() {
    replay("canary-mirroring-partial");
  }

  @Test
  void everyRouteSettingIsCarriedOver() {
    // Flagger's VirtualService also carries the label app: podinfo when service.apex is set: its Kubernetes router
    // adds the selector label to the apex metadata map that the Istio router then reuses (shared Go map).
    replay("route-settings", "/metadata/labels/app");
  }

  @Test
  void aWildcardHostAddsNoApexHostAndTheMeshGatewayGetsNoPort() {
    replay("wildcard-host");
  }

  @Test
  void aDelegateVirtualServiceHasNoHostsOrGateways() {
    replay("delegation");
  }

  @Test
  void tcpServicesGetATcpRoute() {
    replay("tcp");
  }

  @Test
  void sessionAffinityTutorialSetsExpiresAndRenewsTheCanaryCookie() {
    replay("session-affinity");
  }

  @Test
  void sessionAffinityWithAPrimaryCookieAndEveryCookieAttribute() {
    replay("session-affinity-primary-cookie");
  }

  @Test
  void sessionAffinityWithoutAnyCookieYetAddsNoStickyRoute() {
    // Flagger writes its weighted route twice here (a copy meant to expire a previous cookie that does not exist)
    replay("session-affinity-rollback-at-zero", "/spec/http/1");
  }

  @Test
  void aVirtualServiceTheUserHadIsTakenOverAndGivenBack() {
    // metadata others set stays under server-side apply (Flagger's PUT drops it); the original spec is recorded as
    // written (Flagger records its typed copy, with weight: 0 added), checked below
    replay("take-over", ORIGINAL, "/metadata/labels/owner", "/metadata/annotations/team");

    GenericKubernetesResource user = ORACLE.seeded("take-over").stream()
        .filter(o -> o.getKind().equals("VirtualService")).findFirst().orElseThrow();
    HasMetadata vs = router.desiredObjects(ORACLE.canary("take-over"), Weights.ALL_PRIMARY, Cached.of(user)).get(2);
    JsonNode recorded = readTree(vs.getMetadata().getAnnotations().get(IstioRouter.ORIGINAL_CONFIGURATION));
    assertThat(recorded).isEqualTo(Serialization.jsonMapper().valueToTree(user.getAdditionalProperties().get("spec")));
    assertThat(vs.getMetadata().getOwnerReferences()).as("a taken-over VirtualService outlives the Canary").isEmpty();
  }

  @Test
  void aVirtualServiceAppliedWithKubectlIsRevertedToItsLastAppliedSpec() {
    // Flagger reads the spec through its Go types, which add weight: 0 to a destination that had none
    replay("take-over-kubectl", "/metadata/labels/owner", "/metadata/annotations/team", "/spec/http/0/route/0/weight");
  }

  private static JsonNode readTree(String json) {
    try {
      return Serialization.jsonMapper().readTree(json);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
