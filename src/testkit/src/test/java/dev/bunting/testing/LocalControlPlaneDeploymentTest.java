package dev.bunting.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cluster the tests run on behaves like a cluster: kube-controller-manager turns Deployments into ReplicaSets and
 * Pods, kube-scheduler binds the Pods to kwok nodes, kwok makes them Ready, rolling updates complete, and deletion
 * garbage-collects the dependents.
 */
@LocalCluster
class LocalControlPlaneDeploymentTest {
  private static final Duration ROLLOUT = Duration.ofSeconds(90);

  TestCluster cluster;
  KubernetesClient client;
  @TestNamespace String namespace;

  private static String deployment(String name, String image) {
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: %1$s
          labels: {app: %1$s}
        spec:
          replicas: 3
          selector:
            matchLabels: {app: %1$s}
          template:
            metadata:
              labels: {app: %1$s}
            spec:
              containers:
                - name: podinfod
                  image: %2$s
                  ports:
                    - {name: http, containerPort: 9898}
        """.formatted(name, image);
  }

  private Deployment get(String name) {
    return client.apps().deployments().inNamespace(namespace).withName(name).get();
  }

  private List<ReplicaSet> replicaSets(String app) {
    return client.apps().replicaSets().inNamespace(namespace).withLabel("app", app).list().getItems();
  }

  private List<Pod> pods(String app) {
    return client.pods().inNamespace(namespace).withLabel("app", app).list().getItems();
  }

  private static boolean podReady(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static String image(ReplicaSet rs) {
    return rs.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private void createAndAwaitReady(String name, String image) {
    cluster.apply(deployment(name, image));
    cluster.await(ROLLOUT).untilAsserted(() -> {
      Deployment d = get(name);
      assertThat(d.getStatus().getReadyReplicas()).isEqualTo(3);
      assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(3);
    });
  }

  @Test
  void deploymentWithThreeReplicasBecomesReadyOnKwokNodes() {
    createAndAwaitReady("ready", "ghcr.io/stefanprodan/podinfo:6.9.0");

    List<Pod> pods = pods("ready");
    assertThat(pods).hasSize(3).allSatisfy(pod -> {
      assertThat(pod.getSpec().getNodeName()).as("bound by kube-scheduler").startsWith("kwok-node-");
      assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
      assertThat(podReady(pod)).as("pod %s Ready", pod.getMetadata().getName()).isTrue();
      assertThat(pod.getStatus().getPodIP()).as("kwok assigns an IP").isNotBlank();
    });
    assertThat(replicaSets("ready")).singleElement()
        .satisfies(rs -> assertThat(rs.getStatus().getReadyReplicas()).isEqualTo(3));
  }

  @Test
  void changingTheImageCompletesARollingUpdate() {
    createAndAwaitReady("roll", "ghcr.io/stefanprodan/podinfo:6.9.0");
    long generation = get("roll").getMetadata().getGeneration();

    cluster.apply(deployment("roll", "ghcr.io/stefanprodan/podinfo:6.9.1"));

    cluster.await(ROLLOUT).untilAsserted(() -> {
      Deployment d = get("roll");
      assertThat(d.getMetadata().getGeneration()).isGreaterThan(generation);
      assertThat(d.getStatus().getObservedGeneration()).isEqualTo(d.getMetadata().getGeneration());
      assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(3);
      assertThat(d.getStatus().getReadyReplicas()).isEqualTo(3);
      assertThat(d.getStatus().getReplicas()).as("no old pods left").isEqualTo(3);
      assertThat(d.getStatus().getConditions())
          .anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Progressing");
            assertThat(c.getReason()).isEqualTo("NewReplicaSetAvailable");
          });
      List<ReplicaSet> sets = replicaSets("roll");
      assertThat(sets).hasSize(2);
      ReplicaSet fresh = sets.stream().filter(rs -> image(rs).endsWith(":6.9.1")).findFirst().orElseThrow();
      ReplicaSet old = sets.stream().filter(rs -> image(rs).endsWith(":6.9.0")).findFirst().orElseThrow();
      assertThat(fresh.getStatus().getReadyReplicas()).isEqualTo(3);
      assertThat(old.getSpec().getReplicas()).isZero();
      assertThat(old.getStatus().getReplicas()).isZero();
      assertThat(pods("roll")).hasSize(3).allSatisfy(pod -> {
        assertThat(pod.getSpec().getContainers().get(0).getImage()).endsWith(":6.9.1");
        assertThat(podReady(pod)).isTrue();
      });
    });
  }

  @Test
  void deletingTheDeploymentGarbageCollectsReplicaSetsAndPods() {
    createAndAwaitReady("gone", "ghcr.io/stefanprodan/podinfo:6.9.0");
    assertThat(replicaSets("gone")).hasSize(1);
    assertThat(pods("gone")).hasSize(3);

    client.apps().deployments().inNamespace(namespace).withName("gone").delete();

    cluster.await(ROLLOUT).untilAsserted(() -> {
      assertThat(get("gone")).isNull();
      assertThat(replicaSets("gone")).isEmpty();
      assertThat(pods("gone")).isEmpty();
    });
  }
}
