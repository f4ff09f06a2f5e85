package dev.bunting.canary;

import static dev.bunting.canary.CanaryScenarios.BUILTIN_METRICS;
import static dev.bunting.canary.CanaryScenarios.deployment;
import static dev.bunting.canary.CanaryScenarios.kubernetesCanary;
import static dev.bunting.canary.Timeline.phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.Condition;
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
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name)).contains(
            "Advance " + name + "." + cluster.namespace() + " canary iteration 1/2",
            "Promotion completed! Scaling down " + name + "." + cluster.namespace()));
  }

  /**
   * A Deployment that uses a ConfigMap: the canary waits, stalled with a clear reason, until the ConfigMap exists (its
   * pods could not start without it, and the primary needs a copy); then a change to it is released like an image.
   */
  @Test
  void aConfigChangeIsReleasedLikeAnImageChange() throws Exception {
    String name = "configured";
    cluster.apply(deployment(name, "6.0.0").replace("""
                ports:
                - {name: http, containerPort: 9898}
        """, """
                ports:
                - {name: http, containerPort: 9898}
                envFrom: [{configMapRef: {name: %s-settings}}]
        """.formatted(name)));
    cluster.apply(kubernetesCanary(name, """
        interval: 10s
        threshold: 2
        iterations: 1
        """ + BUILTIN_METRICS));
    String missing = "ConfigMap " + cluster.namespace() + "/" + name + "-settings, used by Deployment "
        + cluster.namespace() + "/" + name + ", not found";
    Canary stalled = Timeline.record(bunting, name, null, c -> Condition.find(c.getStatus().conditions, "Stalled")
        .map(s -> s.message.equals(missing)).orElse(false), Duration.ofSeconds(60)).last;
    assertThat(Condition.find(stalled.getStatus().conditions, "Stalled").get().reason).isEqualTo("TargetNotFound");
    assertThat(get(name + "-primary")).as("no primary without its config").isNull();
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name)).contains(missing));

    cluster.apply("""
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: %1$s-settings}
        data: {MESSAGE: hello}
        """.formatted(name));
    Timeline.record(bunting, name, null, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
    assertThat(configMap(name + "-settings-primary").getData()).containsEntry("MESSAGE", "hello");
    assertThat(get(name + "-primary").getSpec().getTemplate().getSpec().getContainers().get(0).getEnvFrom().get(0)
        .getConfigMapRef().getName()).as("the primary uses its own copy").isEqualTo(name + "-settings-primary");
    assertThat(bunting.canary(name).getStatus().trackedConfigs).containsKey("configmap/" + name + "-settings");

    cluster.apply("""
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: %1$s-settings}
        data: {MESSAGE: bonjour}
        """.formatted(name));
    Timeline t = Timeline.record(bunting, name, null, phase(CanaryPhase.SUCCEEDED), RELEASE);
    assertThat(t.phases).as("a config change is a new revision").contains(CanaryPhase.PROGRESSING);
    assertThat(configMap(name + "-settings-primary").getData()).as("promoted config").containsEntry("MESSAGE", "bonjour");
    assertThat(get(name).getSpec().getTemplate().getSpec().getContainers().get(0).getEnvFrom().get(0)
        .getConfigMapRef().getName()).as("the target keeps its own reference").isEqualTo(name + "-settings");
  }

  @Test
  void thePrimaryGetsItsOwnAutoscaler() throws Exception {
    String name = "scaled";
    cluster.apply(deployment(name, "6.0.0"));
    cluster.apply("""
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: %1$s}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: %1$s}
          minReplicas: 2
          maxReplicas: 4
          metrics:
          - type: Resource
            resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}
        """.formatted(name));
    cluster.apply(kubernetesCanary(name, """
        interval: 10s
        threshold: 2
        iterations: 1
        """ + BUILTIN_METRICS).replace("  provider: kubernetes", """
          provider: kubernetes
          autoscalerRef:
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            name: %s
            primaryScalerReplicas: {minReplicas: 3}
        """.formatted(name).stripTrailing()));
    Timeline.record(bunting, name, null, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
    var hpa = cluster.client().autoscaling().v2().horizontalPodAutoscalers().inNamespace(cluster.namespace())
        .withName(name + "-primary").get();
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(name + "-primary");
    assertThat(hpa.getSpec().getMinReplicas()).as("primaryScalerReplicas overrides").isEqualTo(3);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(4);
    assertThat(hpa.getSpec().getMetrics()).hasSize(1);
    assertThat(hpa.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getKind()).isEqualTo("Canary"));
  }

  private static io.fabric8.kubernetes.api.model.ConfigMap configMap(String name) {
    return cluster.client().configMaps().inNamespace(cluster.namespace()).withName(name).get();
  }

  /**
   * Replacing Flagger with Bunting: a Canary that Flagger finished (opaque hashes, phase Succeeded, target at zero,
   * primary running the target's template) is taken over without a new analysis; the next image change starts one.
   */
  @Test
  void aCanaryFlaggerFinishedIsAdoptedWithoutANewAnalysis() throws Exception {
    String name = "from-flagger";
    cluster.apply(deployment(name, "6.0.0").replace("replicas: 2", "replicas: 0"));
    cluster.apply(deployment(name + "-primary", "6.0.0")
        .replace("{app: " + name + "-primary}", "{app: " + name + "-primary}")
        .replace("labels: {app: " + name + "-primary}\n    spec:", "labels: {app: " + name + "-primary}\n"
            + "      annotations: {flagger-id: 3a1f9e62-6c1e-4b0e-9f8e-0c6f1d2b7a10}\n    spec:"));
    cluster.apply(kubernetesCanary(name, """
        interval: 10s
        threshold: 2
        iterations: 1
        """ + BUILTIN_METRICS).replace("spec:\n  provider", "spec:\n  suspend: true\n  provider"));
    cluster.await().untilAsserted(() -> {
      Canary c = bunting.canary(name);
      dev.bunting.api.CanaryStatus flagger = new dev.bunting.api.CanaryStatus();
      flagger.phase = CanaryPhase.SUCCEEDED;
      flagger.lastAppliedSpec = "5c8f7d6b9";
      flagger.lastPromotedSpec = "5c8f7d6b9";
      flagger.canaryWeight = 0;
      flagger.failedChecks = 0;
      flagger.iterations = 0;
      flagger.lastTransitionTime = "2026-11-01T10:00:00Z";
      flagger.conditions = java.util.List.of(new dev.bunting.api.Condition("Promoted", "True", "Succeeded",
          "Canary analysis completed successfully, promotion finished."));
      c.setStatus(flagger);
      cluster.client().resources(Canary.class).inNamespace(cluster.namespace()).resource(c).updateStatus();
    });
    String flaggerId = get(name + "-primary").getSpec().getTemplate().getMetadata().getAnnotations().get("flagger-id");
    // as `kubectl patch` does: no resourceVersion, so the controller's status writes cannot make it conflict
    cluster.client().resources(Canary.class).inNamespace(cluster.namespace()).withName(name)
        .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
            io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), "{\"spec\":{\"suspend\":false}}");

    Timeline t = Timeline.record(bunting, name, null,
        c -> c.getStatus().lastAppliedSpec != null && c.getStatus().lastAppliedSpec.startsWith("v2:"),
        Duration.ofMinutes(1));
    assertThat(t.phases).as("no analysis for what Flagger already promoted").containsOnly(CanaryPhase.SUCCEEDED);
    assertThat(get(name).getSpec().getReplicas()).isZero();
    assertThat(get(name + "-primary").getSpec().getTemplate().getMetadata().getAnnotations().get("flagger-id"))
        .as("the primary is not rolled").isEqualTo(flaggerId);
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name))
        .anyMatch(m -> m.startsWith("Adopted " + name + "." + cluster.namespace())));

    setImage(name, "6.0.1");
    Timeline release = Timeline.record(bunting, name, null, phase(CanaryPhase.SUCCEEDED)
        .and(c -> !"5c8f7d6b9".equals(c.getStatus().lastPromotedSpec)
            && c.getStatus().lastPromotedSpec.equals(c.getStatus().lastAppliedSpec)
            && !t.last.getStatus().lastAppliedSpec.equals(c.getStatus().lastPromotedSpec)), RELEASE);
    assertThat(release.phases).contains(CanaryPhase.PROGRESSING);
    assertThat(get(name + "-primary").getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");
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
