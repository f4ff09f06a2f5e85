package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RoutersTest {
  private static final String SERVICE = "{port: 9898, gatewayRefs: [{name: public, namespace: gateway}]}";

  private static Canary canary(String provider) {
    return Manifests.canary(provider == null ? "\"\"" : provider, SERVICE, "{stepWeight: 10}");
  }

  @Test
  void providersMatchExactly() {
    Routers routers = new Routers("kubernetes");

    assertThat(routers.routerFor(canary("kubernetes"))).get().isInstanceOf(KubernetesRouter.class);
    assertThat(routers.routerFor(canary("gatewayapi:v1"))).get().extracting(TrafficRouter::provider).isEqualTo("gatewayapi:v1");
    assertThat(routers.routerFor(canary("gatewayapi:v1beta1"))).get().extracting(TrafficRouter::provider)
        .isEqualTo("gatewayapi:v1beta1");
    assertThat(routers.routerFor(canary("istio"))).get().isInstanceOf(IstioRouter.class);
    assertThat(routers.routerFor(canary("linkerd"))).get().isInstanceOf(LinkerdRouter.class);
    assertThat(routers.routerFor(canary("traefik"))).get().isInstanceOf(TraefikRouter.class);
    assertThat(routers.routerFor(canary("kuma"))).get().isInstanceOf(KumaRouter.class);
    assertThat(routers.routerFor(canary("smi:v1alpha2"))).get().isInstanceOf(SmiRouter.class);
    assertThat(routers.supportedProviders()).startsWith("kubernetes", "gatewayapi:v1", "gatewayapi:v1beta1");
    assertThat(routers.supportedProviders()).contains("linkerd", "smi:v1alpha1", "smi:v1alpha2", "smi:v1alpha3", "osm",
        "traefik", "kuma", "nginx", "skipper", "contour", "gloo", "apisix", "istio", "knative")
        .doesNotHaveDuplicates();
    assertThat(routers.routerFor(canary("nginx"))).get().isInstanceOf(NginxRouter.class);
    assertThat(routers.routerFor(canary("gloo:v1"))).as("Flagger matches gloo by prefix").get()
        .isInstanceOf(GlooRouter.class);
  }

  @Test
  void anEmptyProviderUsesTheControllerDefault() {
    assertThat(new Routers("gatewayapi:v1").routerFor(canary(null))).get().extracting(TrafficRouter::provider)
        .isEqualTo("gatewayapi:v1");
    assertThat(new Routers(null).providerOf(canary(null))).isEqualTo("kubernetes");
    assertThat(new Routers(" ").routerFor(canary(null))).get().isInstanceOf(KubernetesRouter.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Istio", "istio:v1", "appmesh", "smi", "smi:v1alpha4", "Linkerd", "nginx-ingress", "Contour", "gatewayapi",
      "gatewayapi:v2", "Kubernetes"})
  void otherProvidersAreRejectedInsteadOfFallingBackToIstio(String provider) {
    Routers routers = new Routers("kubernetes");

    assertThat(routers.routerFor(canary(provider))).isEmpty();
    assertThat(routers.validate(canary(provider))).containsExactly("provider " + provider
        + " is not supported by Bunting yet (supported: " + String.join(", ", routers.supportedProviders()) + ")");
  }

  @Test
  void anUnsupportedDefaultProviderIsNamedAsTheDefault() {
    Routers routers = new Routers("appmesh");
    assertThat(routers.validate(canary(null))).containsExactly("provider appmesh is not supported by Bunting yet"
        + " (supported: " + String.join(", ", routers.supportedProviders()) + "); spec.provider is empty, so the"
        + " controller's default provider applies");
  }

  @Test
  void validationIsTheChosenRoutersOwn() {
    Canary withoutGatewayRefs = Manifests.canary("gatewayapi:v1", "{port: 9898}", "{stepWeight: 10}");

    assertThat(new Routers("kubernetes").validate(withoutGatewayRefs))
        .containsExactly("spec.service.gatewayRefs is required for provider gatewayapi:v1");
    assertThat(new Routers("kubernetes").validate(canary("gatewayapi:v1"))).isEmpty();
  }

  @Test
  void everyRoutingKindIsWatchedOnce() {
    assertThat(new Routers("kubernetes").kinds())
        .extracting(ResourceDefinitionContext::getGroup, ResourceDefinitionContext::getVersion, ResourceDefinitionContext::getKind)
        .contains(
            org.assertj.core.groups.Tuple.tuple("gateway.networking.k8s.io", "v1", "HTTPRoute"),
            org.assertj.core.groups.Tuple.tuple("gateway.networking.k8s.io", "v1beta1", "HTTPRoute"),
            org.assertj.core.groups.Tuple.tuple("split.smi-spec.io", "v1alpha1", "TrafficSplit"),
            org.assertj.core.groups.Tuple.tuple("split.smi-spec.io", "v1alpha2", "TrafficSplit"),
            org.assertj.core.groups.Tuple.tuple("split.smi-spec.io", "v1alpha3", "TrafficSplit"),
            org.assertj.core.groups.Tuple.tuple("traefik.io", "v1alpha1", "TraefikService"),
            org.assertj.core.groups.Tuple.tuple("kuma.io", "v1alpha1", "TrafficRoute"),
            org.assertj.core.groups.Tuple.tuple("networking.k8s.io", "v1", "Ingress"),
            org.assertj.core.groups.Tuple.tuple("networking.istio.io", "v1beta1", "VirtualService"),
            org.assertj.core.groups.Tuple.tuple("networking.istio.io", "v1beta1", "DestinationRule"),
            org.assertj.core.groups.Tuple.tuple("serving.knative.dev", "v1", "Service"))
        .doesNotHaveDuplicates();
  }

  @Test
  void aDefaultProviderWithAMeshSuffixIsItsOwnRouter() {
    Routers routers = new Routers("smi:v1alpha1:linkerd");

    assertThat(routers.routerFor(canary(null))).get().extracting(TrafficRouter::provider)
        .isEqualTo("smi:v1alpha1:linkerd");
    assertThat(routers.defaultProvider()).isEqualTo("smi:v1alpha1:linkerd");
    assertThat(new Routers("smi:v1alpha9:linkerd").validate(canary(null))).singleElement().asString()
        .startsWith("provider smi:v1alpha9:linkerd is not supported by Bunting yet");
  }
}
