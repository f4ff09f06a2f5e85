package dev.bunting.canary;

import static dev.bunting.canary.CanaryScenarios.deployment;
import static dev.bunting.canary.CanaryScenarios.kubernetesCanary;
import static dev.bunting.canary.Timeline.phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.AnalysisStatus;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.Condition;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.time.Duration;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Bunting's judge on the local control plane with a real Prometheus (docs/analysis.md): a canary 30 % slower than the
 * primary, far under the fixed 500 ms threshold, is rolled back by {@code compare: primary} while the threshold check
 * passes; a canary that receives no traffic waits for data ({@code noData: wait}, {@code minRequests}) and is rolled
 * back when {@code progressDeadlineSeconds} has passed, never promoted. Both read the release-scoped builtin queries
 * ({@code analysis.window: release}): only the pods of the revision's ReplicaSet, over the window since its start.
 */
@LocalCluster
@Execution(ExecutionMode.CONCURRENT)
class AnalysisJudgeClusterTest {
  private static final Duration RELEASE = Duration.ofMinutes(3);

  static TestCluster cluster;
  static BuntingUnderTest bunting;

  @BeforeAll
  static void start(TestCluster testCluster) throws Exception {
    cluster = testCluster;
    bunting = BuntingUnderTest.start(cluster, "kubernetes");
    cluster.apply("""
        apiVersion: flagger.app/v1beta1
        kind: MetricTemplate
        metadata: {name: mean-latency}
        spec:
          provider: {type: prometheus}
          query: |
            sum(rate(http_request_duration_seconds_sum{kubernetes_namespace="{{ namespace }}",kubernetes_pod_name=~"{{ pods }}"}[{{ window }}]))
            /
            sum(rate(http_request_duration_seconds_count{kubernetes_namespace="{{ namespace }}",kubernetes_pod_name=~"{{ pods }}"}[{{ window }}]))
            * 1000
        """);
  }

  @AfterAll
  static void stop() throws Exception {
    if (bunting != null) {
      bunting.close();
    }
  }

  private static void install(String name, String analysis) throws InterruptedException {
    cluster.apply(deployment(name, "6.0.0"));
    cluster.apply(kubernetesCanary(name, analysis).replace("  provider: kubernetes",
        "  provider: kubernetes\n  progressDeadlineSeconds: 60"));
    Timeline.record(bunting, name, null, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
  }

  private static AnalysisStatus.Metric metric(Canary c, String name) {
    return c.getStatus().analysis.metrics.stream().filter(m -> m.name.equals(name)).findFirst().orElseThrow();
  }

  /** The pod-template-hash of the target's current ReplicaSet, as the deployment controller labelled it. */
  private static String currentHash(String name) {
    var d = cluster.client().apps().deployments().inNamespace(cluster.namespace()).withName(name).get();
    String revision = d.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision");
    return cluster.client().apps().replicaSets().inNamespace(cluster.namespace()).withLabel("app", name).list()
        .getItems().stream()
        .filter(rs -> Objects.equals(rs.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision"),
            revision))
        .map(ReplicaSet::getMetadata).map(m -> m.getLabels().get("pod-template-hash")).findFirst().orElseThrow();
  }

  private static String image(String deployment) {
    return cluster.client().apps().deployments().inNamespace(cluster.namespace()).withName(deployment).get().getSpec()
        .getTemplate().getSpec().getContainers().get(0).getImage();
  }

  @Test
  void aCanaryThirtyPercentSlowerThanThePrimaryIsRolledBackThoughUnderTheThreshold() throws Exception {
    String name = "sluggish";
    install(name, """
        interval: 10s
        threshold: 2
        iterations: 10
        window: release
        metrics:
        - name: request-duration
          thresholdRange: {max: 500}
          interval: 30s
        - name: latency
          templateRef: {name: mean-latency}
          interval: 5s
          compare: primary
          direction: higher-is-worse
          tolerance: 0.1
          minSamples: 5
          noData: wait
        """);
    CanaryScenarios.setImage(cluster, name, "6.0.1-sluggish");
    Timeline t = Timeline.record(bunting, name, null, phase(CanaryPhase.FAILED), RELEASE);

    assertThat(t.phases).as(t.toString()).containsSubsequence(CanaryPhase.PROGRESSING, CanaryPhase.FAILED)
        .doesNotContain(CanaryPhase.PROMOTING);
    assertThat(image(name + "-primary")).as("the primary never ran the slower version")
        .isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.0");
    Canary c = bunting.canary(name);
    Condition ready = Condition.find(c.getStatus().conditions, Condition.READY).orElseThrow();
    assertThat(ready.message).startsWith("Canary analysis failed: failed checks threshold reached 2; last: Halt sluggish."
        + cluster.namespace() + " advancement latency canary higher than primary: mean 1.30x primary (26 vs 20)");

    AnalysisStatus.Metric threshold = metric(c, "request-duration");
    assertThat(threshold.result).as("the fixed threshold alone would have promoted it").isEqualTo("Passed");
    assertThat(threshold.value).isLessThan(500.0);
    assertThat(threshold.query).as("the release's pods only")
        .contains("kubernetes_pod_name=~\"" + name + "-" + currentHash(name) + "-[0-9a-zA-Z]+\"");
    AnalysisStatus.Metric latency = metric(c, "latency");
    assertThat(latency.result).isEqualTo("Failed");
    assertThat(latency.canary.median).isEqualTo(26.0);
    assertThat(latency.primary.median).isEqualTo(20.0);
    assertThat(latency.canary.count).isGreaterThanOrEqualTo(5);
    assertThat(latency.comparison).matches("mean 1\\.30x primary \\(26 vs 20\\), p=0\\.\\d+ < 0\\.01, higher is worse, "
        + "tolerance 10%");
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name)).anyMatch(m -> m.startsWith(
        "Halt sluggish." + cluster.namespace() + " advancement latency canary higher than primary")));
  }

  @Test
  void aCanaryWithoutTrafficWaitsForDataAndIsNeverPromoted() throws Exception {
    String name = "idle";
    install(name, """
        interval: 10s
        threshold: 2
        iterations: 3
        window: release
        metrics:
        - name: request-success-rate
          thresholdRange: {min: 99}
          interval: 1m
          minRequests: 20
          noData: wait
        """);
    CanaryScenarios.setImage(cluster, name, "6.0.1-idle");
    Timeline t = Timeline.record(bunting, name, null, phase(CanaryPhase.FAILED), RELEASE);

    assertThat(t.phases).as(t.toString()).doesNotContain(CanaryPhase.PROMOTING, CanaryPhase.SUCCEEDED);
    assertThat(image(name + "-primary")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.0");
    Canary c = bunting.canary(name);
    assertThat(c.getStatus().failedChecksOrZero()).as("waiting is not failing").isZero();
    assertThat(Condition.find(c.getStatus().conditions, Condition.READY).orElseThrow().message).startsWith(
        "Canary analysis failed: no data within progressDeadlineSeconds (60s) of waiting: request-success-rate: not "
            + "enough data: the canary served 0 requests in ");
    AnalysisStatus.Metric rate = metric(c, "request-success-rate");
    assertThat(rate.result).isEqualTo("Waiting");
    assertThat(rate.requests).isZero();
    assertThat(c.getStatus().analysis.waitingSince).isNotNull();
    assertThat(bunting.events(name)).anyMatch(m -> m.startsWith("Waiting for data for idle." + cluster.namespace()
        + ": request-success-rate: not enough data: the canary served 0 requests"));
    assertThat(cluster.client().apps().deployments().inNamespace(cluster.namespace()).withName(name).get().getSpec()
        .getReplicas()).as("scaled back to zero").isZero();
  }
}
