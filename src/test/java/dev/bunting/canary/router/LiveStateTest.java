package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.canary.router.ServiceBuilder.Selector;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LiveStateTest {
  private static final Canary CANARY = Manifests.canary("gatewayapi:v1", """
      port: 9898
      gatewayRefs: [{name: public, namespace: gateway}]
      """, "{stepWeight: 10}");
  private static final Deployment TARGET = new Deployment();

  private final Service desiredService =
      new DefaultServiceBuilder().primaryService(CANARY, TARGET, new Selector("app", "podinfo"));

  /** The Service as the API server stores it: defaults filled in, a foreign annotation added. */
  private Service live() {
    Service live = Manifests.parse(Serialization.asYaml(desiredService), Service.class);
    live.getMetadata().setUid("0f3e");
    live.getMetadata().setResourceVersion("42");
    live.getMetadata().getAnnotations().put("cloud.example.com/lb-id", "7");
    live.getSpec().setClusterIP("10.96.12.7");
    live.getSpec().setSessionAffinity("None");
    live.getSpec().setInternalTrafficPolicy("Cluster");
    return live;
  }

  @Test
  void aLiveObjectWithDefaultsAndForeignMetadataIncludesTheDesiredOne() {
    assertThat(LiveState.includes(live(), desiredService)).isTrue();
  }

  @Test
  void aChangedSelectorOrLabelOrPortIsNotIncluded() {
    Service selector = live();
    selector.getSpec().setSelector(Map.of("app", "podinfo"));
    Service label = live();
    label.getMetadata().getLabels().remove("app");
    Service extraPort = live();
    extraPort.getSpec().getPorts().add(new io.fabric8.kubernetes.api.model.ServicePortBuilder().withPort(80).build());

    assertThat(LiveState.includes(selector, desiredService)).isFalse();
    assertThat(LiveState.includes(label, desiredService)).isFalse();
    assertThat(LiveState.includes(extraPort, desiredService)).isFalse();
  }

  @Test
  void aRouteWithOtherWeightsIsNotIncluded() {
    GatewayApiRouter router = GatewayApiRouter.v1();
    HasMetadata at10 = router.desiredObjects(CANARY, Weights.canary(10), Optional.empty()).get(0);
    HasMetadata at20 = router.desiredObjects(CANARY, Weights.canary(20), Optional.empty()).get(0);
    GenericKubernetesResource cached = Manifests.resource(Serialization.asYaml(at10));
    cached.getMetadata().setGeneration(4L);
    cached.setAdditionalProperty("status", Map.of("parents", java.util.List.of()));

    assertThat(LiveState.includes(cached, at10)).isTrue();
    assertThat(LiveState.includes(cached, at20)).isFalse();
  }
}
