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
    assertThat(routers.supportedProviders()).startsWith("kubernetes", "gatewayapi:v1", "gatewayapi:v1beta1")
        .contains("knative");
  }

  @Test
  void anEmptyProviderUsesTheControllerDefault() {
    assertThat(new Routers("gatewayapi:v1").routerFor(canary(null))).get().extracting(TrafficRouter::provider)
        .isEqualTo("gatewayapi:v1");
    assertThat(new Routers(null).providerOf(canary(null))).isEqualTo("kubernetes");
    assertThat(new Routers(" ").routerFor(canary(null))).get().isInstanceOf(KubernetesRouter.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"istio", "linkerd", "nginx", "contour", "gloo", "appmesh", "smi:v1alpha3", "traefik", "gatewayapi",
      "gatewayapi:v2", "Kubernetes"})
  void otherProvidersAreRejectedInsteadOfFallingBackToIstio(String provider) {
    Routers routers = new Routers("kubernetes");

    assertThat(routers.routerFor(canary(provider))).isEmpty();
    assertThat(routers.validate(canary(provider))).containsExactly("provider " + provider
        + " is not supported by Bunting yet (supported: " + String.join(", ", routers.supportedProviders()) + ")");
  }

  @Test
  void anUnsupportedDefaultProviderIsNamedAsTheDefault() {
    Routers routers = new Routers("istio");
    assertThat(routers.validate(canary(null))).containsExactly("provider istio is not supported by Bunting yet"
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
  void theHttpRouteVersionsAreTheKindsToWatch() {
    assertThat(new Routers("kubernetes").kinds())
        .extracting(ResourceDefinitionContext::getGroup, ResourceDefinitionContext::getVersion, ResourceDefinitionContext::getKind)
        .contains(
            org.assertj.core.groups.Tuple.tuple("gateway.networking.k8s.io", "v1", "HTTPRoute"),
            org.assertj.core.groups.Tuple.tuple("gateway.networking.k8s.io", "v1beta1", "HTTPRoute"),
            org.assertj.core.groups.Tuple.tuple("serving.knative.dev", "v1", "Service"));
  }
}
