package dev.bunting.canary.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** StatefulSet targets: the primary clone, its immutable fields, claim templates, ordered readiness, scaling. */
class StatefulSetWorkloadTest {
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  private final StatefulSetWorkload workload = new StatefulSetWorkload(new SelectorLabels(SelectorLabels.DEFAULT), true);

  static Canary canary() {
    return Serialization.unmarshal("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: db, namespace: test, uid: 00000000-0000-0000-0000-000000000003}
        spec:
          provider: kubernetes
          progressDeadlineSeconds: 60
          targetRef: {apiVersion: apps/v1, kind: StatefulSet, name: db}
          service: {port: 9898, name: db-svc, headless: true}
          analysis: {interval: 10s, threshold: 2, iterations: 2}
        """, Canary.class);
  }

  static StatefulSet statefulSet(String name, String image, String storage, String extraSpec, String status) {
    return Serialization.unmarshal("""
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: %1$s, namespace: test, generation: 3, labels: {app: db}}
        spec:
          replicas: 3
          serviceName: %1$s-headless
          podManagementPolicy: OrderedReady
          selector: {matchLabels: {app: %1$s}}
          %4$s
          template:
            metadata: {labels: {app: %1$s}}
            spec:
              containers: [{name: app, image: '%2$s'}]
          volumeClaimTemplates:
          - metadata: {name: data}
            spec:
              accessModes: [ReadWriteOnce]
              resources: {requests: {storage: %3$s}}
            status: {phase: Pending}
        status: %5$s
        """.formatted(name, image, storage, extraSpec, status), StatefulSet.class);
  }

  private static StatefulSet target(String image, String storage) {
    StatefulSet s = statefulSet("db", image, storage, "minReadySeconds: 5", "{observedGeneration: 3}");
    return s;
  }

  @Test
  void thePrimaryIsGovernedByTheGeneratedPrimaryServiceAndGetsTheClaimTemplates() {
    TargetObservation seen = workload.observe(canary(), CachedWorkloadObjects.of(target("podinfo:1", "1Gi")), NOW);
    StatefulSet primary = workload.desiredPrimary(canary(), seen, "id-1", false);

    assertThat(primary.getMetadata().getName()).isEqualTo("db-primary");
    assertThat(primary.getSpec().getServiceName()).isEqualTo("db-svc-primary");
    assertThat(primary.getSpec().getSelector().getMatchLabels()).isEqualTo(Map.of("app", "db-primary"));
    assertThat(primary.getSpec().getReplicas()).isEqualTo(3);
    assertThat(primary.getSpec().getMinReadySeconds()).isEqualTo(5);
    assertThat(primary.getSpec().getPodManagementPolicy()).isEqualTo("OrderedReady");
    assertThat(primary.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(pvc -> {
      assertThat(pvc.getMetadata().getName()).isEqualTo("data");
      assertThat(pvc.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("1Gi");
    });
    assertThat(primary.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getKind()).isEqualTo("Canary"));
  }

  @Test
  void aPromotionKeepsWhatAStatefulSetCannotChange() {
    StatefulSet existing = statefulSet("db-primary", "podinfo:1", "1Gi", "", "{observedGeneration: 3}");
    existing.getSpec().setServiceName("legacy-governing");
    existing.getSpec().setPodManagementPolicy("Parallel");
    StatefulSet target = target("podinfo:2", "1Gi");
    target.getSpec().setPodManagementPolicy("OrderedReady");
    TargetObservation seen = workload.observe(canary(), CachedWorkloadObjects.of(target, existing), NOW);

    StatefulSet promoted = workload.desiredPrimary(canary(), seen, "id-2", false);
    assertThat(promoted.getSpec().getServiceName()).isEqualTo("legacy-governing");
    assertThat(promoted.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
    assertThat(promoted.getSpec().getVolumeClaimTemplates()).isEqualTo(existing.getSpec().getVolumeClaimTemplates());
    assertThat(promoted.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("podinfo:2");
    assertThat(promoted.getSpec().getMinReadySeconds()).as("mutable settings follow the target").isEqualTo(5);
    StatefulSet kept = workload.desiredPrimary(canary(), seen, "id-2", true);
    assertThat(kept.getSpec().getReplicas()).as("an autoscaler owns the primary's size").isEqualTo(3);
  }

  @Test
  void changedClaimTemplatesHoldTheCanaryWithAClearCondition() {
    StatefulSet existing = statefulSet("db-primary", "podinfo:1", "1Gi", "", "{observedGeneration: 3}");
    TargetObservation seen = workload.observe(canary(),
        CachedWorkloadObjects.of(target("podinfo:2", "5Gi"), existing), NOW);

    assertThat(seen.held()).isTrue();
    assertThat(seen.issues()).singleElement().satisfies(i -> {
      assertThat(i.kind()).isEqualTo(TargetObservation.Issue.Kind.INVALID_SPEC);
      assertThat(i.message()).startsWith("statefulset db.test: spec.volumeClaimTemplates differ from those of"
          + " db-primary, and a StatefulSet's volumeClaimTemplates cannot change");
    });
    TargetObservation same = workload.observe(canary(),
        CachedWorkloadObjects.of(target("podinfo:2", "1Gi"), existing), NOW);
    assertThat(same.held()).as("status differences do not count").isFalse();
  }

  @Test
  void readinessWaitsForEveryPodAtTheUpdateRevision() {
    Canary c = canary();
    assertThat(workload.readiness(statefulSet("db", "i", "1Gi", "", "{observedGeneration: 2}"), 100, c, NOW))
        .isEqualTo(Readiness.waiting(
            "waiting for rollout to finish: observed statefulset generation less than desired generation"));
    assertThat(workload.readiness(statefulSet("db", "i", "1Gi", "", "{observedGeneration: 3, replicas: 3,"
        + " updatedReplicas: 1, readyReplicas: 3, updateRevision: db-7f, currentRevision: db-6c}"), 100, c, NOW))
        .isEqualTo(Readiness.waiting(
            "waiting for rollout to finish: 1 out of 3 new pods have been updated at revision db-7f"));
    assertThat(workload.readiness(statefulSet("db", "i", "1Gi", "", "{observedGeneration: 3, replicas: 3,"
        + " updatedReplicas: 3, readyReplicas: 2, updateRevision: db-7f}"), 100, c, NOW))
        .isEqualTo(Readiness.waiting(
            "waiting for rollout to finish: 2 of 3 (readyThreshold 100%) pods are available at revision db-7f"));
    assertThat(workload.readiness(statefulSet("db", "i", "1Gi", "", "{observedGeneration: 3, replicas: 3,"
        + " updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2}"), 50, c, NOW)).isEqualTo(Readiness.READY);
    assertThat(workload.readiness(statefulSet("db", "i", "1Gi", "", "{observedGeneration: 3, replicas: 3,"
        + " updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3}"), 100, c, NOW)).isEqualTo(Readiness.READY);
  }

  @Test
  void aPartitionedRolloutIsDoneWhenThePodsAboveThePartitionAreUpdated() {
    String partitioned = "updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}";
    assertThat(workload.readiness(statefulSet("db", "i", "1Gi", partitioned, "{observedGeneration: 3, replicas: 3,"
        + " updatedReplicas: 1, readyReplicas: 3, updateRevision: db-7f, currentRevision: db-6c}"), 100, canary(), NOW))
        .isEqualTo(Readiness.READY);
    assertThat(workload.readiness(statefulSet("db", "i", "1Gi", partitioned, "{observedGeneration: 3, replicas: 3,"
        + " updatedReplicas: 0, readyReplicas: 3, updateRevision: db-7f}"), 100, canary(), NOW).message())
        .isEqualTo("waiting for rollout to finish: 0 out of 1 new pods have been updated at revision db-7f (partition 2)");
  }

  @Test
  void aStuckRolloutFailsAfterTheDeadlineAndOnDeleteIsRefused() {
    Canary c = canary();
    c.setStatus(new dev.bunting.api.CanaryStatus());
    c.getStatus().lastTransitionTime = "2026-12-01T09:58:00Z";
    assertThat(workload.readiness(statefulSet("db", "i", "1Gi", "", "{observedGeneration: 3, replicas: 3,"
        + " updatedReplicas: 1, readyReplicas: 1}"), 100, c, NOW).retriable()).isFalse();

    StatefulSet onDelete = statefulSet("db", "i", "1Gi", "updateStrategy: {type: OnDelete}", "{observedGeneration: 3}");
    assertThat(workload.observe(canary(), CachedWorkloadObjects.of(onDelete), NOW).issues()).containsExactly(
        TargetObservation.Issue.invalid("statefulset db.test must have RollingUpdate strategy but have OnDelete"));
  }

  @Test
  void theCanaryIsScaledThroughItsReplicas() {
    TargetObservation seen = workload.observe(canary(), CachedWorkloadObjects.of(target("i", "1Gi")), NOW);
    assertThat(workload.scale(canary(), seen, 3)).isEmpty();
    assertThat(workload.scale(canary(), seen, 0)).singleElement().isInstanceOfSatisfying(WorkloadWrite.Apply.class,
        a -> {
          StatefulSet partial = (StatefulSet) a.object();
          assertThat(partial.getSpec().getReplicas()).isZero();
          assertThat(partial.getSpec().getTemplate()).isNull();
          assertThat(partial.getSpec().getVolumeClaimTemplates()).isEmpty();
        });
  }
}
