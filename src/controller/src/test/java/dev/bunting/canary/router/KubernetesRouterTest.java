package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KubernetesRouterTest {
  private final KubernetesRouter router = new KubernetesRouter();
  private final Canary canary = Manifests.canary("kubernetes", "{name: frontend, port: 9898}", "{iterations: 10}");

  @Test
  void writesNoRoutingObjectAndAlwaysReportsThePrimaryAccepted() {
    assertThat(router.desiredObjects(canary, Weights.canary(50), CachedObjects.none())).isEmpty();
    assertThat(router.state(canary, CachedObjects.none())).isEqualTo(new RouterState(Optional.of(Weights.ALL_PRIMARY), true, ""));
    assertThat(router.supportsWeights()).isFalse();
    assertThat(router.kinds()).isEmpty();
    assertThat(router.objects(canary)).isEmpty();
    assertThat(router.provider()).isEqualTo("kubernetes");
  }

  @Test
  void needsOnlyTheServicePort() {
    assertThat(router.validate(canary)).isEmpty();
    assertThat(router.validate(Manifests.canary("kubernetes", "{name: frontend}", "{iterations: 10}")))
        .containsExactly("spec.service.port is required");
    assertThat(router.validate(Manifests.canary("kubernetes", "{port: 9898, trafficDistribution: Nearby}", "{iterations: 10}")))
        .containsExactly("spec.service.trafficDistribution must be one of PreferClose, PreferSameZone, PreferSameNode, got Nearby");
  }
}
