package dev.bunting.chart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.TestNamespace;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The chart's life cycle with Helm against the real API server (kwok runs the pod): install, upgrade and uninstall of a
 * namespaced release. The CRDs are already installed, so {@code --skip-crds}.
 */
@LocalCluster
class ChartInstallClusterTest {
  static TestCluster cluster;
  @TestNamespace static String namespace;

  private static CommandResult helm(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--kubeconfig=" + cluster.session().kubeconfigFile());
    return HelmChart.run(all);
  }

  private static String release() {
    return namespace;
  }

  private static Deployment deployment() {
    return cluster.client().apps().deployments().inNamespace(namespace).withName(release() + "-bunting").get();
  }

  private static List<ReplicaSet> replicaSets() {
    return cluster.client().apps().replicaSets().inNamespace(namespace)
        .withLabel("app.kubernetes.io/instance", release()).list().getItems();
  }

  @AfterAll
  static void uninstallLeftovers() {
    helm("uninstall", release(), "--namespace", namespace, "--ignore-not-found");
  }

  @Test
  void installUpgradeAndUninstall() {
    String values = ChartValues.namespaced(namespace);

    CommandResult refused = helm(List.of("install", release(), HelmChart.dir().toString(), "--namespace", namespace,
        "--skip-crds", "--set", "leaderElection.enabled=false", "--set", "leaderElection.replicaCount=2")
        .toArray(String[]::new));
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.output()).contains("leaderElection.replicaCount 2: without leader election it must be 1");
    assertThat(deployment()).as("a refused install creates nothing").isNull();

    List<String> install = new ArrayList<>(List.of("install", release(), HelmChart.dir().toString(), "--namespace",
        namespace, "--skip-crds", "--wait", "--timeout", "3m"));
    install.addAll(HelmChart.valuesArgs(values));
    CommandResult installed = helm(install.toArray(String[]::new)).assertSuccess();

    assertThat(installed.stdout()).contains("STATUS: deployed", "Watching:        namespace " + namespace + " only",
        "2 replicas with leader election");
    Deployment first = deployment();
    assertThat(first.getStatus().getAvailableReplicas()).isEqualTo(2);
    assertThat(first.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(release() + "-bunting");
    assertThat(cluster.client().serviceAccounts().inNamespace(namespace).withName(release() + "-bunting").get())
        .isNotNull();
    assertThat(cluster.client().rbac().roles().inNamespace(namespace).list().getItems())
        .extracting(r -> r.getMetadata().getName())
        .contains(release() + "-bunting-canary", release() + "-bunting-gitsync");

    List<String> upgrade = new ArrayList<>(List.of("upgrade", release(), HelmChart.dir().toString(), "--namespace",
        namespace, "--skip-crds", "--wait", "--timeout", "3m", "--set", "metricsServer=http://prometheus.other:9090"));
    upgrade.addAll(HelmChart.valuesArgs(values));
    helm(upgrade.toArray(String[]::new)).assertSuccess();

    cluster.await(Duration.ofMinutes(2)).untilAsserted(() -> {
      Deployment d = deployment();
      assertThat(d.getMetadata().getGeneration()).isGreaterThan(first.getMetadata().getGeneration());
      assertThat(d.getStatus().getObservedGeneration()).isEqualTo(d.getMetadata().getGeneration());
      assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
          .contains("--metrics-server=http://prometheus.other:9090");
      assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(2);
      assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(2);
      assertThat(replicaSets()).hasSize(2)
          .filteredOn(rs -> rs.getSpec().getReplicas() > 0).as("rolled: the old pods are gone, two new ones")
          .singleElement().satisfies(rs -> assertThat(rs.getSpec().getReplicas()).isEqualTo(2));
    });
    assertThat(helm("history", release(), "--namespace", namespace).assertSuccess().lines())
        .as("two revisions").hasSize(3);

    helm("uninstall", release(), "--namespace", namespace, "--wait").assertSuccess();

    assertThat(deployment()).isNull();
    assertThat(cluster.client().serviceAccounts().inNamespace(namespace).withName(release() + "-bunting").get())
        .isNull();
    assertThat(cluster.client().rbac().roles().inNamespace(namespace).list().getItems()).isEmpty();
    assertThat(cluster.client().rbac().clusterRoles().withLabel("app.kubernetes.io/instance", release()).list()
        .getItems()).isEmpty();
    assertThat(cluster.client().apiextensions().v1().customResourceDefinitions().withName("canaries.flagger.app")
        .get()).as("CRDs stay").isNotNull();
  }
}
