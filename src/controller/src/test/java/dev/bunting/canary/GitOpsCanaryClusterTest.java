package dev.bunting.canary;

import static dev.bunting.canary.CanaryScenarios.BUILTIN_METRICS;
import static dev.bunting.canary.CanaryScenarios.deployment;
import static dev.bunting.canary.CanaryScenarios.gatewayCanary;
import static dev.bunting.canary.Timeline.phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.CanaryPhase;
import dev.bunting.gitops.TestRepo;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.ThirdPartyCrds;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both jobs together, as a user runs them: a GitSync applies a repository holding a Deployment and its Canary; a
 * commit that bumps the image is applied (without touching the replicas the canary engine set) and that change is
 * what starts the canary, which is promoted.
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.GATEWAY_API)
class GitOpsCanaryClusterTest {
  @TempDir
  static Path tmp;
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

  private static Deployment get(String name) {
    return cluster.client().apps().deployments().inNamespace(cluster.namespace()).withName(name).get();
  }

  @Test
  void aCommitThatBumpsTheImageStartsTheCanary() throws Exception {
    String name = "webapp";
    String canary = gatewayCanary(name, """
        interval: 10s
        threshold: 3
        stepWeight: 50
        maxWeight: 50
        """ + BUILTIN_METRICS);
    try (TestRepo repo = TestRepo.create(tmp.resolve("repo"))) {
      repo.write("app/deployment.yaml", deployment(name, "6.0.0")).write("app/canary.yaml", canary)
          .commit("webapp 6.0.0");
      cluster.apply("""
          apiVersion: bunting.dev/v1alpha1
          kind: GitSync
          metadata: {name: apps}
          spec:
            url: %s
            ref: {branch: main}
            path: app
            interval: 10s
            prune: true
          """.formatted(repo.url()));
      Timeline.record(bunting, name, name, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
      assertThat(get(name).getSpec().getReplicas()).as("the canary engine scaled the target down").isZero();

      String sha = repo.write("app/deployment.yaml", deployment(name, "6.0.1")).commit("webapp 6.0.1");
      Timeline t = Timeline.record(bunting, name, name, phase(CanaryPhase.SUCCEEDED), Duration.ofMinutes(4));

      assertThat(t.phases).contains(CanaryPhase.PROGRESSING, CanaryPhase.PROMOTING);
      assertThat(t.routeWeights).containsSubsequence(0, 50, 0);
      assertThat(get(name + "-primary").getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
          .isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");
      Deployment target = get(name);
      assertThat(target.getSpec().getReplicas()).isZero();
      assertThat(target.getMetadata().getManagedFields()).filteredOn(m -> "bunting-gitops".equals(m.getManager()))
          .extracting(ManagedFieldsEntry::getFieldsV1).allSatisfy(f ->
              assertThat(io.fabric8.kubernetes.client.utils.Serialization.asJson(f)).doesNotContain("f:replicas"));
      // the GitSync records the revision once its health check has seen the Canary finish: just after Succeeded
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        var gitSync = cluster.client().resources(dev.bunting.api.GitSync.class).inNamespace(cluster.namespace())
            .withName("apps").get();
        assertThat(gitSync.getStatus().lastAppliedRevision).isEqualTo("main@sha1:" + sha);
      });
    }
  }
}
