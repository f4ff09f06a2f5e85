package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reading weights and acceptance back from the HTTPRoute in the cache. */
class GatewayApiRouterStateTest {
  private static final Canary CANARY = Manifests.canary("gatewayapi:v1", """
      port: 9898
      gatewayRefs: [{name: public, namespace: gateway}]
      """, "{stepWeight: 10}");

  private final GatewayApiRouter router = GatewayApiRouter.v1();

  /** The caches holding {@link #route}. */
  private static CachedObjects cached(String rules, String parents) {
    return Cached.from(route(rules, parents));
  }

  /** An HTTPRoute as the API server would return it: generation 3, the given rules and parent statuses. */
  private static Optional<GenericKubernetesResource> route(String rules, String parents) {
    String status = parents == null ? "" : "status:\n  parents:\n" + parents.indent(2).stripTrailing();
    return Optional.of(Manifests.resource("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: podinfo, namespace: test, generation: 3}
        spec:
          parentRefs:
          - {group: gateway.networking.k8s.io, kind: Gateway, namespace: gateway, name: public}
          rules:
        %s
        %s
        """.formatted(rules.indent(2).stripTrailing(), status)));
  }

  private static final String SPLIT_70_30 = """
      - matches: [{path: {type: PathPrefix, value: /}}]
        backendRefs:
        - {group: "", kind: Service, name: podinfo-primary, port: 9898, weight: 70}
        - {group: "", kind: Service, name: podinfo-canary, port: 9898, weight: 30}
      """;

  private static final String ACCEPTED = """
      - parentRef: {group: gateway.networking.k8s.io, kind: Gateway, namespace: gateway, name: public}
        controllerName: example.com/gateway-controller
        conditions:
        - {type: Accepted, status: "True", reason: Accepted, observedGeneration: 3}
        - {type: ResolvedRefs, status: "True", reason: ResolvedRefs, observedGeneration: 3}
      """;

  @Test
  void noRouteYetMeansAbsent() {
    RouterState state = router.state(CANARY, CachedObjects.none());

    assertThat(state).isEqualTo(RouterState.absent());
    assertThat(state.weights()).isEmpty();
    assertThat(state.accepted()).isFalse();
  }

  @Test
  void weightsAreReadFromTheRuleWithBothBackends() {
    RouterState state = router.state(CANARY, cached(SPLIT_70_30, ACCEPTED));

    assertThat(state).isEqualTo(new RouterState(Optional.of(new Weights(70, 30, false)), true, ""));
  }

  @Test
  void aBuiltRouteReadsBackAsTheWeightsItWasBuiltWith() {
    for (Weights weights : new Weights[] {Weights.ALL_PRIMARY, Weights.canary(35), Weights.ALL_CANARY, new Weights(100, 0, true)}) {
      GenericKubernetesResource built = (GenericKubernetesResource) router.desiredObjects(CANARY, weights, CachedObjects.none()).get(0);
      GenericKubernetesResource cached = Manifests.resource(Serialization.asYaml(built));
      cached.getMetadata().setGeneration(1L);
      cached.setAdditionalProperty("status", Manifests.resource("""
          apiVersion: v1
          kind: Status
          parents:
          - parentRef: {name: public, namespace: gateway}
            conditions: [{type: Accepted, status: "True", observedGeneration: 1}]
          """).getAdditionalProperties());

      assertThat(router.state(CANARY, Cached.of(cached))).isEqualTo(RouterState.accepted(weights));
    }
  }

  @Test
  void abTestingWeightsComeFromRuleZeroNotThePrimaryOnlyRule() {
    RouterState state = router.state(CANARY, cached("""
        - matches: [{path: {type: PathPrefix, value: /}, headers: [{name: x-canary, type: Exact, value: insider}]}]
          backendRefs:
          - {group: "", kind: Service, name: podinfo-primary, port: 9898, weight: 0}
          - {group: "", kind: Service, name: podinfo-canary, port: 9898, weight: 100}
        - matches: [{path: {type: PathPrefix, value: /}}]
          backendRefs:
          - {group: "", kind: Service, name: podinfo-primary, port: 9898, weight: 100}
        """, ACCEPTED));

    assertThat(state.weights()).contains(Weights.ALL_CANARY);
    assertThat(state.accepted()).isTrue();
  }

  @Test
  void aRequestMirrorToTheCanaryReadsAsMirrored() {
    RouterState state = router.state(CANARY, cached("""
        - matches: [{path: {type: PathPrefix, value: /}}]
          filters:
          - type: RequestMirror
            requestMirror: {backendRef: {group: "", kind: Service, name: podinfo-canary, port: 9898}}
          backendRefs:
          - {group: "", kind: Service, name: podinfo-primary, port: 9898, weight: 100}
          - {group: "", kind: Service, name: podinfo-canary, port: 9898, weight: 0}
        """, ACCEPTED));

    assertThat(state.weights()).contains(new Weights(100, 0, true));
  }

  @Test
  void aParentWithoutAnAcceptedConditionIsNotReady() {
    RouterState state = router.state(CANARY, cached(SPLIT_70_30, """
        - parentRef: {group: gateway.networking.k8s.io, kind: Gateway, namespace: gateway, name: public}
          conditions:
          - {type: ResolvedRefs, status: "True", observedGeneration: 3}
        """));

    assertThat(state.weights()).contains(new Weights(70, 30, false));
    assertThat(state.accepted()).isFalse();
    assertThat(state.message())
        .isEqualTo("HTTPRoute podinfo.test parent gateway/public is not ready (no Accepted condition reported for it yet)");
  }

  @Test
  void aParentWithNoStatusAtAllIsNotReady() {
    RouterState state = router.state(CANARY, cached(SPLIT_70_30, null));

    assertThat(state.accepted()).isFalse();
    assertThat(state.message()).contains("parent gateway/public is not ready");
  }

  @Test
  void aStaleObservedGenerationIsNotReady() {
    RouterState state = router.state(CANARY, cached(SPLIT_70_30, ACCEPTED.replace("observedGeneration: 3}\n  - {type: Resolved",
        "observedGeneration: 2}\n  - {type: Resolved")));

    assertThat(state.accepted()).isFalse();
    assertThat(state.message()).isEqualTo(
        "HTTPRoute podinfo.test parent gateway/public is not ready (status: True, observed generation: 2, current generation: 3)");
  }

  @Test
  void aRejectedRouteIsNotReady() {
    RouterState state = router.state(CANARY, cached(SPLIT_70_30, """
        - parentRef: {group: gateway.networking.k8s.io, kind: Gateway, namespace: gateway, name: public}
          conditions:
          - {type: Accepted, status: "False", reason: NotAllowedByListeners, observedGeneration: 3}
        """));

    assertThat(state.accepted()).isFalse();
    assertThat(state.message()).isEqualTo(
        "HTTPRoute podinfo.test parent gateway/public is not ready (status: False, observed generation: 3, current generation: 3)");
  }

  @Test
  void aStatusForAnotherGatewayDoesNotCount() {
    RouterState state = router.state(CANARY, cached(SPLIT_70_30, ACCEPTED.replace("name: public}", "name: internal}")));

    assertThat(state.accepted()).isFalse();
    assertThat(state.message()).contains("parent gateway/public is not ready");
  }

  @Test
  void parentRefsMatchWithTheirDefaultsFilledIn() {
    RouterState state = router.state(CANARY, cached(SPLIT_70_30, """
        - parentRef: {name: public, namespace: gateway}
          conditions: [{type: Accepted, status: "True", observedGeneration: 3}]
        """));

    assertThat(state.accepted()).isTrue();
  }

  @Test
  void everyParentMustAcceptTheRoute() {
    GenericKubernetesResource twoParents = route(SPLIT_70_30, ACCEPTED + """
        - parentRef: {name: internal, namespace: test}
          conditions: [{type: Accepted, status: "True", observedGeneration: 1}]
        """).orElseThrow();
    @SuppressWarnings("unchecked")
    java.util.List<Object> parentRefs = (java.util.List<Object>) ((java.util.Map<String, Object>)
        twoParents.getAdditionalProperties().get("spec")).get("parentRefs");
    parentRefs.add(java.util.Map.of("name", "internal"));

    RouterState state = router.state(CANARY, Cached.of(twoParents));

    assertThat(state.accepted()).isFalse();
    assertThat(state.message()).isEqualTo(
        "HTTPRoute podinfo.test parent test/internal is not ready (status: True, observed generation: 1, current generation: 3)");
  }

  @Test
  void weightsThatDoNotAddUpTo100AreReportedNotGuessed() {
    RouterState state = router.state(CANARY, cached("""
        - backendRefs:
          - {name: podinfo-primary, port: 9898}
          - {name: podinfo-canary, port: 9898}
        """, ACCEPTED));

    assertThat(state.weights()).isEmpty();
    assertThat(state.accepted()).isFalse();
    assertThat(state.message()).isEqualTo("HTTPRoute podinfo.test has backend weights 1/1 for podinfo-primary/podinfo-canary,"
        + " which do not add up to 100");
  }

  @Test
  void aRouteWithoutTheTwoBackendsHasNoWeights() {
    RouterState state = router.state(CANARY, cached("""
        - backendRefs:
          - {name: podinfo, port: 9898}
        """, ACCEPTED));

    assertThat(state.weights()).isEmpty();
    assertThat(state.message())
        .isEqualTo("HTTPRoute podinfo.test has no rule that splits traffic between podinfo-primary and podinfo-canary");
  }
}
