package dev.bunting.canary.router;

import static dev.bunting.canary.router.Manifests.assertYaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The istio router beyond what Flagger's own output pins down ({@link IstioRouterOracleTest}): reading weights back
 * from VirtualServices that others edited, validation messages, the recorded original of a taken-over VirtualService,
 * and what is given back on deletion.
 */
class IstioRouterTest {
  private final IstioRouter router = new IstioRouter();

  private static Canary canary(String service, String analysis) {
    return Manifests.canary("istio", service, analysis);
  }

  private static GenericKubernetesResource virtualService(String yaml) {
    return Manifests.resource("""
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        """ + yaml);
  }

  private GenericKubernetesResource built(Canary canary, Weights weights, CachedObjects cached) {
    List<HasMetadata> objects = router.desiredObjects(canary, weights, cached);
    return Serialization.jsonMapper().convertValue(objects.get(2), GenericKubernetesResource.class);
  }

  @Test
  void theWeightedRouteIsReadBackFromTheLastRouteWithTheCanary() {
    Canary canary = canary("port: 9898", "{stepWeight: 10}");
    GenericKubernetesResource vs = virtualService("""
        metadata: {name: podinfo, namespace: test}
        spec:
          hosts: [podinfo]
          http:
          - match: [{headers: {Cookie: {regex: ".*c.*v.*"}}}]
            route:
            - {destination: {host: podinfo-primary}, weight: 0}
            - {destination: {host: podinfo-canary}, weight: 100}
          - mirror: {host: podinfo-canary}
            route:
            - {destination: {host: podinfo-primary}, weight: 70}
            - {destination: {host: podinfo-canary}, weight: 30}
        """);

    RouterState state = router.state(canary, Cached.of(vs));

    assertThat(state.weights()).contains(new Weights(70, 30, true));
    assertThat(state.accepted()).as("Istio reports no acceptance; Flagger does not wait for one either").isTrue();
  }

  @Test
  void aVirtualServiceWithoutTheCanaryOrWithBadWeightsIsReported() {
    Canary canary = canary("port: 9898", "{stepWeight: 10}");

    assertThat(router.state(canary, CachedObjects.none())).isEqualTo(RouterState.absent());
    assertThat(router.state(canary, Cached.of(virtualService("""
        metadata: {name: podinfo, namespace: test}
        spec: {hosts: [podinfo], http: [{route: [{destination: {host: podinfo}}]}]}
        """)))).isEqualTo(new RouterState(java.util.Optional.empty(), false,
        "VirtualService podinfo.test does not contain routes for podinfo-primary and podinfo-canary"));
    assertThat(router.state(canary, Cached.of(virtualService("""
        metadata: {name: podinfo, namespace: test}
        spec:
          hosts: [podinfo]
          http:
          - route:
            - {destination: {host: podinfo-primary}, weight: 80}
            - {destination: {host: podinfo-canary}, weight: 30}
        """))).message()).isEqualTo("VirtualService podinfo.test has destination weights 80/30 for podinfo-primary/"
        + "podinfo-canary, which do not add up to 100");
  }

  @Test
  void invalidSettingsAreNamedAndBuildNothing() {
    Canary canary = canary("{port: 9898, delegation: true, hosts: [app.example.com], timeout: soon}", """
        stepWeight: 10
        mirrorWeight: 150
        sessionAffinity: {cookieName: session, primaryCookieName: session}
        """);

    assertThat(router.validate(canary)).containsExactly(
        "spec.service.delegation: a delegate VirtualService has no hosts and no gateways; remove spec.service.hosts"
            + " and spec.service.gateways",
        "spec.service.timeout must be a duration such as 30s or 500ms, got soon",
        "spec.analysis.mirrorWeight must be between 0 and 100, got 150",
        "spec.analysis.sessionAffinity: cookieName and primaryCookieName must differ, both are session");
    assertThatThrownBy(() -> router.desiredObjects(canary, Weights.ALL_PRIMARY, CachedObjects.none()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid for provider istio");
  }

  @Test
  void theOriginalOfATakenOverVirtualServiceIsRecordedOnceAndNeverOverwritten() {
    Canary canary = canary("port: 9898", "{stepWeight: 10}");
    GenericKubernetesResource user = virtualService("""
        metadata: {name: podinfo, namespace: test}
        spec:
          hosts: [podinfo]
          exportTo: ["."]
          http: [{route: [{destination: {host: podinfo}}]}]
        """);

    GenericKubernetesResource first = built(canary, Weights.ALL_PRIMARY, Cached.of(user));
    String original = first.getMetadata().getAnnotations().get(IstioRouter.ORIGINAL_CONFIGURATION);
    assertThat(original).isEqualTo("{\"hosts\":[\"podinfo\"],\"exportTo\":[\".\"],\"http\":[{\"route\":"
        + "[{\"destination\":{\"host\":\"podinfo\"}}]}]}");
    assertThat(first.getMetadata().getOwnerReferences()).isEmpty();
    assertThat(first.getAdditionalProperties().get("spec")).as("the whole spec is Bunting's: no exportTo")
        .isEqualTo(Map.of("hosts", List.of("podinfo"), "gateways", List.of("mesh"), "http", List.of(Map.of("route",
            List.of(Map.of("destination", Map.of("host", "podinfo-primary"), "weight", 100),
                Map.of("destination", Map.of("host", "podinfo-canary"), "weight", 0))))));

    GenericKubernetesResource later = built(canary, Weights.canary(10), Cached.of(first));
    assertThat(later.getMetadata().getAnnotations()).containsEntry(IstioRouter.ORIGINAL_CONFIGURATION, original);

    HasMetadata reverted = router.revertedObjects(canary, Cached.of(later)).get(0);
    assertYaml(reverted, """
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata: {name: podinfo, namespace: test}
        spec:
          hosts: [podinfo]
          exportTo: ["."]
          http: [{route: [{destination: {host: podinfo}}]}]
        """);
  }

  @Test
  void nothingIsGivenBackForAVirtualServiceTheCanaryCreatedOrOneWithoutARecordedOriginal() {
    Canary canary = canary("port: 9898", "{stepWeight: 10}");
    GenericKubernetesResource created = built(canary, Weights.ALL_PRIMARY, CachedObjects.none());
    assertThat(created.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(canary.getMetadata().getUid()));
    assertThat(created.getMetadata().getAnnotations()).doesNotContainKey(IstioRouter.ORIGINAL_CONFIGURATION);

    assertThat(router.revertedObjects(canary, Cached.of(created))).as("garbage-collected with the Canary").isEmpty();
    assertThat(router.revertedObjects(canary, Cached.of(virtualService("""
        metadata: {name: podinfo, namespace: test}
        spec: {hosts: [podinfo]}
        """)))).isEmpty();
    assertThat(router.revertedObjects(canary, CachedObjects.none())).isEmpty();
  }

  @Test
  void expiringACookieLeavesTheCanarysOwnHeadersAlone() {
    Canary canary = canary("{port: 9898, headers: {response: {add: {x-served-by: podinfo}}}}",
        "{stepWeight: 10, sessionAffinity: {cookieName: session}}");
    canary.setStatus(new dev.bunting.api.CanaryStatus());
    canary.getStatus().previousSessionAffinityCookie = "session=abc";
    String before = Serialization.asJson(canary.getSpec());

    GenericKubernetesResource vs = built(canary, Weights.ALL_PRIMARY, CachedObjects.none());

    assertYaml(vs.getAdditionalProperties().get("spec"), """
        hosts: [podinfo]
        gateways: [mesh]
        http:
        - match: [{headers: {Cookie: {regex: ".*session.*abc.*"}}}]
          headers: {response: {add: {x-served-by: podinfo, Set-Cookie: "session=abc; Max-Age=-1"}}}
          route:
          - {destination: {host: podinfo-primary}, weight: 100}
          - {destination: {host: podinfo-canary}, weight: 0}
        - headers: {response: {add: {x-served-by: podinfo}}}
          route:
          - {destination: {host: podinfo-primary}, weight: 100}
          - {destination: {host: podinfo-canary}, weight: 0}
        """);
    assertThat(Serialization.asJson(canary.getSpec())).isEqualTo(before);
  }

  @Test
  void mirroringWithStickySessionsStaysOnTheWeightedRoute() {
    Canary canary = canary("port: 9898", "{stepWeight: 10, mirror: true, sessionAffinity: {cookieName: session}}");
    canary.setStatus(new dev.bunting.api.CanaryStatus());
    canary.getStatus().previousSessionAffinityCookie = "session=abc";

    GenericKubernetesResource vs = built(canary, new Weights(100, 0, true), CachedObjects.none());

    assertThat(Serialization.jsonMapper().valueToTree(vs).at("/spec/http/0/mirror").isMissingNode()).isTrue();
    assertThat(Serialization.jsonMapper().valueToTree(vs).at("/spec/http/1/mirror/host").asText())
        .isEqualTo("podinfo-canary");
    assertThat(router.state(canary, Cached.of(vs)).weights()).contains(new Weights(100, 0, true));
  }
}
