package dev.bunting.canary;

import static dev.bunting.canary.CanaryScenarios.BUILTIN_METRICS;
import static dev.bunting.canary.CanaryScenarios.deployment;
import static dev.bunting.canary.CanaryScenarios.gatewayCanary;
import static dev.bunting.canary.Timeline.phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.CanaryPhase;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.FaultyPrometheus.Fault;
import dev.bunting.testing.FaultyPrometheus;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.ThirdPartyCrds;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A metric provider that fails in the middle of a real canary's analysis: the controller's Prometheus is a stand-in in
 * front of the real one, switched to answering 500 after the first step. The canary never takes another step nor
 * promotes, fails once {@code threshold} checks have failed, and its Events name the fault; once Prometheus answers
 * again the next release is analysed and promoted. Every fault one tick at a time: {@link MetricProviderFaultsTest}.
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.GATEWAY_API)
class MetricProviderFaultsClusterTest {
  private static final Duration RELEASE = Duration.ofMinutes(3);

  static TestCluster cluster;
  static FaultyPrometheus prometheus;
  static BuntingUnderTest bunting;

  @BeforeAll
  static void start(TestCluster testCluster) throws Exception {
    cluster = testCluster;
    prometheus = FaultyPrometheus.start(cluster.vertx(), null);
    bunting = BuntingUnderTest.start(cluster, "gatewayapi:v1", o -> o.metricsServer = prometheus.url());
    prometheus.forwardTo(bunting.prometheus().url());
  }

  @AfterAll
  static void stop() throws Exception {
    if (bunting != null) {
      bunting.close();
    }
    if (prometheus != null) {
      prometheus.close();
    }
  }

  @Test
  void prometheusFailingMidAnalysisFailsTheCanaryAfterTheThresholdNeverPromotesAndRecovers() throws Exception {
    String name = "faulty";
    String id = name + "." + cluster.namespace();
    cluster.apply(deployment(name, "7.0.0"));
    cluster.apply(gatewayCanary(name, """
        interval: 10s
        threshold: 2
        stepWeight: 25
        maxWeight: 50
        """ + BUILTIN_METRICS));
    Timeline.record(bunting, name, name, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));

    CanaryScenarios.setImage(cluster, name, "7.0.1");
    Timeline.record(bunting, name, name, c -> c.getStatus().canaryWeightOrZero() == 25, RELEASE);
    long healthyQueries = prometheus.requests();
    prometheus.inject(Fault.ERROR_500);
    Timeline failing = Timeline.record(bunting, name, name, phase(CanaryPhase.FAILED), RELEASE);
    System.out.printf("Prometheus answering 500: %s; %d queries before the fault, %d in all%n", failing,
        healthyQueries, prometheus.requests());

    assertThat(failing.routeWeights).as("no step after the fault, back to the primary: " + failing)
        .isSubsetOf(25, 0).endsWith(0);
    assertThat(failing.phases).doesNotContain(CanaryPhase.PROMOTING, CanaryPhase.FINALISING,
        CanaryPhase.SUCCEEDED);
    List<String> events = bunting.eventsOnce(name, m -> m.startsWith("Canary failed! Scaling down " + id));
    assertThat(events).as("the failed checks name the fault")
        .anyMatch(m -> m.contains("Prometheus query failed: error response: HTTP 500: internal: injected fault"));
    assertThat(failing.last.getStatus().conditions).as("the status says why")
        .anyMatch(c -> c.message != null && c.message.contains("failed checks threshold reached 2")
            && c.message.contains("HTTP 500"));
    assertThat(events).noneMatch(m -> m.startsWith("Copying ") || m.startsWith("Promotion completed"))
        .noneMatch(m -> m.startsWith("Advance " + id + " canary weight 50"));
    assertThat(cluster.client().apps().deployments().inNamespace(cluster.namespace()).withName(name + "-primary")
        .get().getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .as("the primary still runs the last good version").endsWith(":7.0.0");

    prometheus.inject(Fault.NONE);
    CanaryScenarios.setImage(cluster, name, "7.0.2");
    Timeline recovered = Timeline.record(bunting, name, name, phase(CanaryPhase.SUCCEEDED), RELEASE);
    System.out.println("Prometheus back: " + recovered);
    assertThat(recovered.routeWeights).contains(25, 50);
  }
}
