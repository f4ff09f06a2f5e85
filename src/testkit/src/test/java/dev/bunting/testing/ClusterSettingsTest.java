package dev.bunting.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.io.TempDir;

/** How cluster tests choose their cluster, and how they skip when the chosen one cannot run here. */
class ClusterSettingsTest {

  private static Properties props(String... keyValues) {
    Properties p = new Properties();
    for (int i = 0; i < keyValues.length; i += 2) {
      p.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return p;
  }

  @Test
  void defaultsToTheLocalControlPlaneInTheProjectDirectory(@TempDir Path project) throws Exception {
    Files.createDirectories(project.resolve("scripts"));
    Files.writeString(project.resolve("scripts/versions.env"), "# pinned\nKUBERNETES_VERSION=1.35.4\nKWOK_VERSION=0.8.0\n");

    ClusterSettings s = ClusterSettings.from(props("bunting.projectDir", project.toString()), Map.of());

    assertThat(s.backend()).isEqualTo(ClusterSettings.Backend.LOCAL);
    assertThat(s.projectDir()).isEqualTo(project.toAbsolutePath());
    assertThat(s.clusterScript()).isEqualTo(project.resolve("scripts/local-cluster"));
    assertThat(s.crdDir()).isEqualTo(project.resolve("crds"));
    assertThat(s.kubeconfigEnv()).isEmpty();
    assertThat(s.upTimeout()).isEqualTo(Duration.ofMinutes(60));
    assertThat(s.k3sImage()).isEqualTo("rancher/k3s:v1.35.4-k3s1");
    assertThat(s.keepNamespaces()).isFalse();
  }

  @Test
  void readsBackendKubeconfigAndOverrides() {
    ClusterSettings s = ClusterSettings.from(
        props("bunting.cluster", "K3s", "bunting.projectDir", "/p", "bunting.cluster.upTimeout", "5",
            "bunting.k3s.image", "rancher/k3s:v1.34.1-k3s1", "bunting.keepNamespaces", "true"),
        Map.of("KUBECONFIG", "/home/me/.kube/config"));

    assertThat(s.backend()).isEqualTo(ClusterSettings.Backend.K3S);
    assertThat(s.kubeconfigEnv()).contains("/home/me/.kube/config");
    assertThat(s.upTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(s.k3sImage()).isEqualTo("rancher/k3s:v1.34.1-k3s1");
    assertThat(s.keepNamespaces()).isTrue();
    assertThat(ClusterSettings.from(props("bunting.projectDir", "/p"), Map.of("BUNTING_CLUSTER", "k3s")).backend())
        .isEqualTo(ClusterSettings.Backend.K3S);
    assertThat(ClusterSettings.from(props("bunting.cluster.upTimeout", "PT90S"), Map.of()).upTimeout())
        .isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void rejectsAnUnknownBackend() {
    assertThatThrownBy(() -> ClusterSettings.from(props("bunting.cluster", "kind"), Map.of()))
        .hasMessageContaining("bunting.cluster=kind");
  }

  @Test
  void k3sWithoutDockerIsSkippedWithTheReason() {
    ConditionEvaluationResult noDocker = LocalClusterExtension.k3sCondition(Optional.of("no Docker engine is available"));
    assertThat(noDocker.isDisabled()).isTrue();
    assertThat(noDocker.getReason()).hasValueSatisfying(reason -> assertThat(reason)
        .contains("-Dbunting.cluster=k3s").contains("no Docker engine is available"));

    assertThat(LocalClusterExtension.k3sCondition(Optional.empty()).isDisabled()).isFalse();
  }

  @Test
  void namespaceNamesAreValidAndSayWhichClass() {
    String name = TestCluster.namespaceName("LocalControlPlaneDeploymentTest");
    assertThat(name).matches("t-local-control-plane-deployment-[a-z0-9]{5}").hasSizeLessThanOrEqualTo(63);
    assertThat(TestCluster.namespaceName("ExamplesAcceptedByApiServerTest")).startsWith("t-examples-accepted-by-api-server-");
    assertThat(TestCluster.namespaceName("A_Very$Odd__Name")).matches("t-a-very-odd-name-[a-z0-9]{5}");
    assertThat(TestCluster.namespaceName("X")).isNotEqualTo(TestCluster.namespaceName("X"));
  }
}
