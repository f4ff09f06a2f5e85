package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The oracle's own checks: its recorded Flagger output loads, and the Services Flagger's default router writes for a
 * Deployment target are the ones Bunting's {@link DefaultServiceBuilder} builds.
 */
class FlaggerOracleSmokeTest {
  private final FlaggerOracle oracle = FlaggerOracle.load("smoke");

  @Test
  void recordsEachStepAndTheRoutesFlaggerReadBack() {
    assertThat(oracle.step("istio-weights", 0).op()).isEqualTo("reconcile");
    assertThat(oracle.step("istio-weights", 0).error()).isEmpty();
    assertThat(oracle.step("istio-weights", 2).routes()).contains(Weights.canary(10));
    Canary canary = oracle.canary("istio-weights");
    assertThat(canary.getSpec().service.port).isEqualTo(9898);
    assertThat(oracle.seeded("istio-weights")).extracting(o -> o.getKind()).containsExactly("Deployment");
  }

  @Test
  void theThreeServicesAreFlaggersFieldForField() {
    Canary canary = oracle.canary("istio-weights");
    Deployment target = Serialization.jsonMapper().convertValue(oracle.seeded("istio-weights").get(0), Deployment.class);
    ServiceBuilder.Selector selector = new ServiceBuilder.Selector("app", "podinfo");
    DefaultServiceBuilder services = new DefaultServiceBuilder();
    FlaggerOracle.Step flagger = oracle.step("istio-weights", 0);

    FlaggerOracle.assertSameFields(services.apexService(canary, target, selector, Optional.empty()),
        flagger.object("Service", "podinfo"));
    FlaggerOracle.assertSameFields(services.primaryService(canary, target, selector),
        flagger.object("Service", "podinfo-primary"));
    FlaggerOracle.assertSameFields(services.canaryService(canary, target, selector),
        flagger.object("Service", "podinfo-canary"));
  }
}
