package dev.bunting.canary.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.canary.Revision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DaemonSet targets with Flagger's semantics: scale to zero by node selector, readiness, deadline, validation. */
class DaemonSetWorkloadTest {
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  private final DaemonSetWorkload workload = new DaemonSetWorkload(new SelectorLabels(SelectorLabels.DEFAULT), true);

  static Canary canary(String lastTransitionTime) {
    Canary c = Serialization.unmarshal("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: podinfo, namespace: test, uid: 00000000-0000-0000-0000-000000000002}
        spec:
          provider: kubernetes
          progressDeadlineSeconds: 60
          targetRef: {apiVersion: apps/v1, kind: DaemonSet, name: podinfo}
          service: {port: 9898}
          analysis: {interval: 10s, threshold: 2, iterations: 2}
        """, Canary.class);
    if (lastTransitionTime != null) {
      c.setStatus(new dev.bunting.api.CanaryStatus());
      c.getStatus().lastTransitionTime = lastTransitionTime;
    }
    return c;
  }

  static DaemonSet daemonSet(String name, String nodeSelector, String status) {
    return Serialization.unmarshal("""
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: %1$s, namespace: test, generation: 2}
        spec:
          selector: {matchLabels: {app: podinfo}}
          template:
            metadata: {labels: {app: podinfo}}
            spec:
              nodeSelector: %2$s
              containers: [{name: app, image: 'ghcr.io/stefanprodan/podinfo:6.0.0'}]
        status: %3$s
        """.formatted(name, nodeSelector, status), DaemonSet.class);
  }

  private static final String ROLLED_OUT = "{observedGeneration: 2, desiredNumberScheduled: 3,"
      + " updatedNumberScheduled: 3, numberAvailable: 3}";

  @Test
  void scalingToZeroAddsTheNodeSelectorKeyAndScalingUpRemovesIt() {
    DaemonSet running = daemonSet("podinfo", "{kubernetes.io/os: linux}", ROLLED_OUT);
    TargetObservation seen = workload.observe(canary(null), CachedWorkloadObjects.of(running), NOW);
    assertThat(seen.targetReplicas()).isEqualTo(1);

    List<WorkloadWrite> down = workload.scale(canary(null), seen, 0);
    assertThat(down).singleElement().isInstanceOfSatisfying(WorkloadWrite.Apply.class, a -> {
      DaemonSet partial = (DaemonSet) a.object();
      assertThat(partial.getSpec().getTemplate().getSpec().getNodeSelector())
          .isEqualTo(Map.of(DaemonSetWorkload.SCALE_TO_ZERO_KEY, "true"));
      assertThat(partial.getSpec().getSelector()).as("only the key is applied").isNull();
      assertThat(partial.getSpec().getTemplate().getSpec().getContainers()).isEmpty();
    });
    assertThat(workload.scale(canary(null), seen, 1)).as("already up").isEmpty();

    DaemonSet zero = daemonSet("podinfo", "{kubernetes.io/os: linux, flagger.app/scale-to-zero: 'true'}", ROLLED_OUT);
    TargetObservation atZero = workload.observe(canary(null), CachedWorkloadObjects.of(zero), NOW);
    assertThat(atZero.targetReplicas()).isZero();
    assertThat(workload.scale(canary(null), atZero, 0)).as("already at zero").isEmpty();
    assertThat(workload.scale(canary(null), atZero, 1)).singleElement()
        .isEqualTo(new WorkloadWrite.MergePatch(atZero.target(),
            "{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"flagger.app/scale-to-zero\":null}}}}}"));
  }

  @Test
  void theScaleToZeroKeyIsNeitherARevisionNorPartOfThePrimary() {
    DaemonSet up = daemonSet("podinfo", "null", ROLLED_OUT);
    DaemonSet zero = daemonSet("podinfo", "{flagger.app/scale-to-zero: 'true'}", ROLLED_OUT);
    TargetObservation seenUp = workload.observe(canary(null), CachedWorkloadObjects.of(up), NOW);
    TargetObservation seenZero = workload.observe(canary(null), CachedWorkloadObjects.of(zero), NOW);

    assertThat(Revision.of(seenZero.revisionField(), seenZero.revisionSource(), Map.of()))
        .isEqualTo(Revision.of(seenUp.revisionField(), seenUp.revisionSource(), Map.of()))
        .isEqualTo(Revision.of(up.getSpec().getTemplate(), Map.of()));
    DaemonSet primary = workload.desiredPrimary(canary(null), seenZero, "id-1", false);
    assertThat(primary.getSpec().getTemplate().getSpec().getNodeSelector()).as("key dropped, nothing left").isNullOrEmpty();
    assertThat(primary.getSpec().getSelector().getMatchLabels()).isEqualTo(Map.of("app", "podinfo-primary"));
    assertThat(primary.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("flagger-id", "id-1");
  }

  @Test
  void readinessFollowsFlaggersCounts() {
    Canary canary = canary("2026-12-01T09:59:30Z");
    assertThat(workload.readiness(daemonSet("p", "null", ROLLED_OUT), 100, canary, NOW)).isEqualTo(Readiness.READY);
    assertThat(workload.readiness(daemonSet("p", "null", "{observedGeneration: 1}"), 100, canary, NOW))
        .isEqualTo(Readiness.waiting(
            "waiting for rollout to finish: observed daemonset generation less than desired generation"));
    assertThat(workload.readiness(daemonSet("p", "null", "{observedGeneration: 2, desiredNumberScheduled: 3,"
        + " updatedNumberScheduled: 1, numberAvailable: 3}"), 100, canary, NOW))
        .isEqualTo(Readiness.waiting("waiting for rollout to finish: 1 out of 3 new pods have been updated"));
    DaemonSet twoOfThree = daemonSet("p", "null", "{observedGeneration: 2, desiredNumberScheduled: 3,"
        + " updatedNumberScheduled: 3, numberAvailable: 2}");
    assertThat(workload.readiness(twoOfThree, 100, canary, NOW)).isEqualTo(Readiness.waiting(
        "waiting for rollout to finish: 2 of 3 (readyThreshold 100%) updated pods are available"));
    assertThat(workload.readiness(twoOfThree, 50, canary, NOW)).as("3 × 50 % truncates to 1").isEqualTo(Readiness.READY);
  }

  @Test
  void aRolloutNotDoneProgressDeadlineSecondsAfterTheCanarysLastChangeIsFinal() {
    DaemonSet stuck = daemonSet("p", "null", "{observedGeneration: 2, desiredNumberScheduled: 3,"
        + " updatedNumberScheduled: 1, numberAvailable: 1}");
    assertThat(workload.readiness(stuck, 100, canary("2026-12-01T09:58:00Z"), NOW))
        .isEqualTo(Readiness.failed("daemonset p exceeded its progressDeadlineSeconds: 60"));
    assertThat(workload.readiness(stuck, 100, canary("2026-12-01T09:59:30Z"), NOW).retriable()).isTrue();
    assertThat(workload.readiness(stuck, 100, canary(null), NOW).retriable()).as("no status yet").isTrue();
  }

  @Test
  void aPrimaryAtZeroHaltsAndOnlyRollingUpdateIsAccepted() {
    DaemonSet primaryAtZero = daemonSet("podinfo-primary", "{flagger.app/scale-to-zero: 'true'}", ROLLED_OUT);
    assertThat(workload.primaryReadiness(primaryAtZero, 100, canary(null), NOW))
        .isEqualTo(Readiness.failed("halt advancement: primary daemonset podinfo-primary is scaled to zero"));

    DaemonSet onDelete = daemonSet("podinfo", "null", ROLLED_OUT);
    onDelete.getSpec().setUpdateStrategy(new io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategy(null, "OnDelete"));
    TargetObservation held = workload.observe(canary(null), CachedWorkloadObjects.of(onDelete), NOW);
    assertThat(held.held()).isTrue();
    assertThat(held.issues()).containsExactly(TargetObservation.Issue.invalid(
        "daemonset podinfo.test must have RollingUpdate strategy but have OnDelete"));
  }

  @Test
  void aDaemonSetCannotBeAutoscaled() {
    assertThat(workload.scalable()).isFalse();
  }
}
