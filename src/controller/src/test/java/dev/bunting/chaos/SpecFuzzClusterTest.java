package dev.bunting.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.canary.CanaryScenarios;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.ThirdPartyCrds;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input at scale against the real API server with the controller running (docs/reliability.md): 300 seeded
 * {@link SpecFuzzer} cases (Canary, MetricTemplate, AlertProvider, GitSync). Each is either rejected by the CRD schema
 * or accepted and reported on a Canary's or GitSync's conditions with a Warning Event; the controller keeps answering
 * {@code /healthz} and a healthy canary in the same namespace is promoted meanwhile; once the controller has settled,
 * no object keeps changing for 30 s. {@code bench/chaos/run fuzz} sends 10,000.
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.GATEWAY_API)
class SpecFuzzClusterTest {
  private static final long SEED = Long.getLong("bunting.fuzz.seed", 20261204L);
  private static final int CASES = Integer.getInteger("bunting.fuzz.cases", 300);

  static TestCluster cluster;
  static BuntingUnderTest bunting;

  @BeforeAll
  static void start(TestCluster testCluster) throws Exception {
    cluster = testCluster;
    bunting = BuntingUnderTest.start(cluster, "gatewayapi:v1");
  }

  @AfterAll
  static void stop() throws Exception {
    if (bunting != null) {
      bunting.close();
    }
  }

  @Test
  void badSpecsAreRejectedOrReportedNeverCrashTheControllerNorLoop() throws Exception {
    String healthy = "steady";
    cluster.apply(CanaryScenarios.deployment(healthy, "8.0.0"));
    cluster.apply("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: steady
        spec:
          provider: gatewayapi:v1
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: steady}
          service:
            port: 9898
            gatewayRefs: [{name: public-gateway}]
          analysis:
            interval: 10s
            threshold: 2
            stepWeight: 25
            maxWeight: 50
            metrics:
            - {name: request-success-rate, thresholdRange: {min: 99}, interval: 1m}
        """);
    cluster.await(Duration.ofMinutes(2)).until(() -> phase(healthy) == CanaryPhase.INITIALIZED);
    CanaryScenarios.setImage(cluster, healthy, "8.0.1");

    FuzzRun run = new FuzzRun(cluster.client(), cluster.namespace(), SEED, "fuzz-",
        URI.create("http://127.0.0.1:" + bunting.app().httpPort() + "/healthz"));
    run.send(CASES);
    cluster.await(Duration.ofMinutes(3)).until(() -> phase(healthy) == CanaryPhase.SUCCEEDED);
    FuzzRun.Figures figures = run.finish(Duration.ofSeconds(90), Duration.ofSeconds(30));
    System.out.println("spec fuzz, " + CASES + " cases:\n" + figures.table() + figures.json());

    assertThat(figures.rejected422() + figures.rejectedOther().values().stream().mapToInt(Integer::intValue).sum()
        + figures.accepted()).as("every case rejected or accepted").isEqualTo(CASES);
    assertThat(figures.rejected422()).as("the CRD schemas reject some").isPositive();
    assertThat(figures.healthFailures()).as("/healthz kept answering 200").isZero();
    assertThat(figures.healthChecks()).isPositive();
    assertThat(figures.unsettled()).as("objects whose resourceVersion still changed after settling").isEmpty();
    assertThat(figures.notReportedCases()).as("accepted but neither Stalled/Ready=False nor a Warning Event")
        .isEmpty();
    assertThat(bunting.eventsOnce(healthy, m -> m.startsWith("Promotion completed!")))
        .as("the healthy canary was promoted meanwhile").anyMatch(m -> m.startsWith("Promotion completed!"));
  }

  private static CanaryPhase phase(String name) {
    Canary c = bunting.canary(name);
    return c == null || c.getStatus() == null ? CanaryPhase.NEW : c.getStatus().phaseOrNew();
  }
}
