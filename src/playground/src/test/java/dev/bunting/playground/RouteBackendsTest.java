package dev.bunting.playground;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RouteBackendsTest {
  /** An HTTPRoute as Bunting's Gateway API router writes it for a canary at weight 10. */
  private static GenericKubernetesResource route(String parentNamespace, String hostnames) {
    return Serialization.unmarshal("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: podinfo, namespace: demo}
        spec:
          parentRefs:
          - name: playground-gateway%s
          hostnames: %s
          rules:
          - matches:
            - path: {type: PathPrefix, value: /}
            backendRefs:
            - {group: "", kind: Service, name: podinfo-primary, port: 9898, weight: 90}
            - {group: "", kind: Service, name: podinfo-canary, port: 9898, weight: 10}
        """.formatted(parentNamespace == null ? "" : "\n    namespace: " + parentNamespace, hostnames),
        GenericKubernetesResource.class);
  }

  @Test
  void readsTheWeightsOfTheFirstRule() {
    RouteBackends r = RouteBackends.of(route(null, "[podinfo.local]"), "playground-gateway", "podinfo.local:18080")
        .orElseThrow();
    assertThat(r.backends()).containsExactly(new RouteBackends.Backend("podinfo-primary", 9898, 90),
        new RouteBackends.Backend("podinfo-canary", 9898, 10));
    assertThat(r.totalWeight()).isEqualTo(100);
    assertThat(r.weight("podinfo-canary")).isEqualTo(10);
    assertThat(r.weight("other")).isZero();
  }

  @Test
  void picksEachBackendInProportionToItsWeight() {
    RouteBackends r = RouteBackends.of(route(null, "[]"), "playground-gateway", "x").orElseThrow();
    Map<String, Integer> counts = new HashMap<>();
    IntStream.range(0, 100).forEach(draw -> counts.merge(r.pick(draw).orElseThrow().service(), 1, Integer::sum));
    assertThat(counts).containsEntry("podinfo-primary", 90).containsEntry("podinfo-canary", 10);
    assertThat(r.pick(100)).isEmpty();
  }

  @Test
  void aRouteOfAnotherGatewayOrHostIsNotServed() {
    assertThat(RouteBackends.of(route(null, "[podinfo.local]"), "other-gateway", "podinfo.local")).isEmpty();
    assertThat(RouteBackends.of(route(null, "[podinfo.local]"), "playground-gateway", "example.com")).isEmpty();
    assertThat(RouteBackends.of(route("elsewhere", "[]"), "playground-gateway", "podinfo.local")).isEmpty();
    assertThat(RouteBackends.of(route("demo", "[]"), "playground-gateway", "podinfo.local")).isPresent();
    assertThat(RouteBackends.of(route(null, "['*.local']"), "playground-gateway", "podinfo.local")).isPresent();
  }

  @Test
  void aMissingWeightCountsAsOne() {
    GenericKubernetesResource r = Serialization.unmarshal("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: podinfo, namespace: demo}
        spec:
          parentRefs: [{name: gw}]
          rules:
          - backendRefs: [{name: a, port: 80}, {name: b, port: 80, weight: 0}]
        """, GenericKubernetesResource.class);
    RouteBackends backends = RouteBackends.of(r, "gw", "any").orElseThrow();
    assertThat(backends.totalWeight()).isEqualTo(1);
    assertThat(backends.pick(0).orElseThrow().service()).isEqualTo("a");
  }
}
