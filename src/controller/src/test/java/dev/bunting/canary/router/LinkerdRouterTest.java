package dev.bunting.canary.router;

import static dev.bunting.canary.router.Manifests.assertYaml;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The {@code linkerd} provider's HTTPRoute, compared field by field with what Flagger 1.44 writes for
 * {@code gatewayapi:v1beta1} with the apex Service as parentRef (the setup of Flagger's and Linkerd's Linkerd guides,
 * {@code flagger/linkerd.cases.json}): Bunting's Canary says only {@code provider: linkerd}.
 */
class LinkerdRouterTest {
  private final FlaggerOracle oracle = FlaggerOracle.load("linkerd");
  private final LinkerdRouter router = new LinkerdRouter();

  /** The oracle's Canary as a Flagger SMI user would have written it: provider linkerd, no gatewayRefs. */
  private static final UnaryOperator<Canary> AS_LINKERD = c -> {
    Canary copy = Serialization.clone(c);
    copy.getSpec().provider = "linkerd";
    copy.getSpec().service.gatewayRefs = null;
    return copy;
  };

  private static List<String> differences(FlaggerOracle.Moment m) {
    List<String> ignored = new ArrayList<>();
    if (m.canary().getSpec().service.apex != null) {
      ignored.add(TraefikRouterTest.APEX_SELECTOR_LABEL);
    }
    if (m.canary().getSpec().service.timeout != null) {
      // Flagger's v1beta1 router writes no timeouts; Bunting writes them as for v1 (Linkerd implements them)
      ignored.add("/spec/rules/0/timeouts");
    }
    return ignored;
  }

  private RouterReplay replay() {
    return RouterReplay.of(router, "HTTPRoute").withCanary(AS_LINKERD).ignoring(LinkerdRouterTest::differences);
  }

  @Test
  void theHttpRouteIsFlaggersGatewayApiRouteOnTheApexService() {
    replay().run(oracle, "linkerd-canary");
  }

  @Test
  void abTestingRoutesMatchingRequestsToTheCanary() {
    replay().run(oracle, "linkerd-ab-testing");
  }

  @Test
  void serviceMatchesHeadersAndApexMetadataAreFlaggers() {
    replay().run(oracle, "linkerd-service-options");
  }

  @Test
  void explicitGatewayRefsAreUsedAsGiven() {
    RouterReplay.of(router, "HTTPRoute").withCanary(c -> {
      Canary copy = Serialization.clone(c);
      copy.getSpec().provider = "linkerd";
      return copy;
    }).run(oracle, "linkerd-canary");
  }

  @Test
  void theRouteIsAGatewayApiV1beta1RouteOnTheApexServicePort() {
    Canary canary = Manifests.canary("linkerd", "{port: 9898, targetPort: 9898}", "{stepWeight: 10}");

    assertYaml(GatewayApiRouterTest.only(router.desiredObjects(canary, Weights.canary(10), CachedObjects.none())), """
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: HTTPRoute
        """ + GatewayApiRouterTest.ROUTE_METADATA + """
        spec:
          parentRefs:
          - {group: core, kind: Service, namespace: test, name: podinfo, port: 9898}
          rules:
          - matches:
            - path: {type: PathPrefix, value: /}
            backendRefs:
            - {group: "", kind: Service, name: podinfo-primary, port: 9898, weight: 90}
            - {group: "", kind: Service, name: podinfo-canary, port: 9898, weight: 10}
        """);
    assertThat(router.kinds()).singleElement().satisfies(k -> assertThat(k.getGroup() + "/" + k.getVersion())
        .isEqualTo("gateway.networking.k8s.io/v1beta1"));
  }

  /** Linkerd's policy controller writes {@code status.parents} for the Service parent, as Gateway controllers do. */
  @Test
  void theRouteIsAcceptedOnceLinkerdReportsItForTheService() {
    Canary canary = Manifests.canary("linkerd", "{port: 9898}", "{stepWeight: 10}");
    GenericKubernetesResource route = (GenericKubernetesResource) router.desiredObjects(canary, Weights.canary(10),
        CachedObjects.none()).get(0);
    route.getMetadata().setGeneration(2L);

    RouterState pending = router.state(canary, Cached.of(route));
    assertThat(pending.weights()).contains(Weights.canary(10));
    assertThat(pending.accepted()).isFalse();
    assertThat(pending.message()).isEqualTo("HTTPRoute podinfo.test parent test/podinfo is not ready (no Accepted"
        + " condition reported for it yet)");

    route.setAdditionalProperty("status", Manifests.parse("""
        parents:
        - parentRef: {group: core, kind: Service, namespace: test, name: podinfo, port: 9898}
          controllerName: linkerd.io/policy-controller
          conditions:
          - {type: Accepted, status: "True", reason: Accepted, observedGeneration: 2}
          - {type: ResolvedRefs, status: "True", reason: ResolvedRefs, observedGeneration: 2}
        """, java.util.Map.class));
    assertThat(router.state(canary, Cached.of(route))).isEqualTo(RouterState.accepted(Weights.canary(10)));
  }

  @Test
  void filtersLinkerdDoesNotImplementAreRejected() {
    Canary canary = Manifests.canary("linkerd", """
        port: 9898
        rewrite: {uri: /v2}
        mirror: [{backendRef: {name: shadow, port: 9898}}]
        corsPolicy: {allowOrigins: [{exact: "https://example.com"}]}
        """, "{iterations: 5, mirror: true}");

    assertThat(new Routers("kubernetes").validate(canary)).containsExactly(
        "spec.analysis.mirror (traffic mirroring) is not supported by provider linkerd: Linkerd's HTTPRoutes implement"
            + " only the RequestHeaderModifier, ResponseHeaderModifier and RequestRedirect filters; remove it",
        "spec.service.mirror is not supported by provider linkerd: Linkerd's HTTPRoutes implement only the"
            + " RequestHeaderModifier, ResponseHeaderModifier and RequestRedirect filters; remove it",
        "spec.service.rewrite is not supported by provider linkerd: Linkerd's HTTPRoutes implement only the"
            + " RequestHeaderModifier, ResponseHeaderModifier and RequestRedirect filters; remove it",
        "spec.service.corsPolicy is not supported by provider linkerd: Linkerd's HTTPRoutes implement only the"
            + " RequestHeaderModifier, ResponseHeaderModifier and RequestRedirect filters; remove it");
    // sticky sessions use only header matches and ResponseHeaderModifier filters, which Linkerd implements
    assertThat(router.validate(Manifests.canary("linkerd", "{port: 9898}",
        "{stepWeight: 10, sessionAffinity: {cookieName: flagger-cookie}}"))).isEmpty();
    assertThat(router.validate(Manifests.canary("linkerd", "{port: 9898}", "{stepWeight: 10}"))).isEmpty();
  }
}
