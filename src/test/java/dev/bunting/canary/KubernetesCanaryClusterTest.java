package dev.bunting.canary;

import static dev.bunting.canary.CanaryScenarios.BUILTIN_METRICS;
import static dev.bunting.canary.CanaryScenarios.deployment;
import static dev.bunting.canary.CanaryScenarios.kubernetesCanary;
import static dev.bunting.canary.Timeline.phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The {@code kubernetes} provider (blue/green at L4: the apex Service always selects the primary; the analysis runs
 * for {@code iterations} against the canary's pods) on the real local control plane.
 */
@LocalCluster
@Execution(ExecutionMode.CONCURRENT)
class KubernetesCanaryClusterTest {
  private static final Duration RELEASE = Duration.ofMinutes(4);

  static TestCluster cluster;
  static BuntingUnderTest bunting;

  @BeforeAll
  static void start(TestCluster testCluster) throws Exception {
    cluster = testCluster;
    bunting = BuntingUnderTest.start(cluster, "kubernetes");
  }

  @AfterAll
  static void stop() throws Exception {
    if (bunting != null) {
      bunting.close();
    }
  }

  private static void install(String name) throws InterruptedException {
    cluster.apply(deployment(name, "6.0.0"));
    cluster.apply(kubernetesCanary(name, """
        interval: 10s
        threshold: 2
        iterations: 2
        """ + BUILTIN_METRICS));
    Timeline.record(bunting, name, null, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
  }

  private static void setImage(String name, String tag) {
    CanaryScenarios.setImage(cluster, name, tag);
  }

  private static Deployment get(String name) {
    return cluster.client().apps().deployments().inNamespace(cluster.namespace()).withName(name).get();
  }

  private static Service service(String name) {
    return cluster.client().services().inNamespace(cluster.namespace()).withName(name).get();
  }

  @Test
  void aHealthyRevisionIsPromotedAfterItsIterations() throws Exception {
    String name = "bluegreen";
    install(name);
    assertThat(service(name).getSpec().getSelector()).isEqualTo(Map.of("app", name + "-primary"));
    assertThat(service(name + "-canary").getSpec().getSelector()).isEqualTo(Map.of("app", name));

    setImage(name, "6.0.1");
    Timeline t = Timeline.record(bunting, name, null, phase(CanaryPhase.SUCCEEDED), RELEASE);

    assertThat(t.phases).as(t.toString()).containsSubsequence(CanaryPhase.PROGRESSING, CanaryPhase.PROMOTING,
        CanaryPhase.FINALISING, CanaryPhase.SUCCEEDED);
    assertThat(t.statusWeights).as("no weights with the kubernetes provider").containsOnly(0);
    assertThat(get(name + "-primary").getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");
    assertThat(get(name).getSpec().getReplicas()).isZero();
    assertThat(service(name).getSpec().getSelector()).as("apex still on the primary")
        .isEqualTo(Map.of("app", name + "-primary"));
    assertThat(bunting.events(name)).contains(
        "Advance " + name + "." + cluster.namespace() + " canary iteration 1/2",
        "Promotion completed! Scaling down " + name + "." + cluster.namespace());
  }

  @Test
  void aBadRevisionIsRolledBack() throws Exception {
    String name = "bluegreen-bad";
    install(name);
    setImage(name, "6.0.1-bad");
    Timeline t = Timeline.record(bunting, name, null, phase(CanaryPhase.FAILED), RELEASE);
    Canary failed = t.last;
    assertThat(failed.getStatus().failedChecks).isEqualTo(2);
    assertThat(get(name).getSpec().getReplicas()).isZero();
    assertThat(get(name + "-primary").getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.0");
  }
}
