package dev.bunting.canary;

import static dev.bunting.canary.Timeline.phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.Condition;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.ThirdPartyCrds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * DaemonSet, StatefulSet and KEDA-scaled targets on the real local control plane: a full promotion and a rollback of
 * each, with the real DaemonSet and StatefulSet controllers rolling pods onto the kwok nodes (two nodes: a DaemonSet
 * runs two pods) and the real KEDA CRDs. KEDA's operator does not run here: the test checks the ScaledObjects Bunting
 * writes (the primary's twin, the canary's pause at zero and its resumption during the analysis), while the pods are
 * scaled by Bunting itself as the canary scales up and down.
 *
 * <p>Flagger's builtin {@code kubernetes} queries select pods named like a Deployment's ({@code <target>-<rs>-<pod>}),
 * which a DaemonSet's ({@code <target>-<5 chars>}) and a StatefulSet's ({@code <target>-<ordinal>}) are not, so these
 * canaries measure their pods with a query of their own, as docs/workloads.md advises.
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.KEDA)
@Execution(ExecutionMode.CONCURRENT)
class WorkloadKindsClusterTest {
  private static final Duration RELEASE = Duration.ofMinutes(4);
  private static final ResourceDefinitionContext SCALED_OBJECTS = new ResourceDefinitionContext.Builder()
      .withGroup("keda.sh").withVersion("v1alpha1").withKind("ScaledObject").withPlural("scaledobjects")
      .withNamespaced(true).build();

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

  /** A kubernetes-provider canary of {@code kind}, judged by the success rate of the pods matching {@code podRegex}. */
  static String canary(String name, String kind, String podRegex, String extra) {
    return """
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: %1$s
        spec:
          provider: kubernetes
          targetRef: {apiVersion: apps/v1, kind: %2$s, name: %1$s}
        %4$s
          service:
            port: 9898
          analysis:
            interval: 10s
            threshold: 2
            iterations: 2
            metrics:
            - name: success-rate
              thresholdRange: {min: 99}
              query: |
                sum(rate(http_request_duration_seconds_count{kubernetes_namespace="{{ namespace }}",kubernetes_pod_name=~"{{ target }}-%3$s",status!~"5.."}[30s]))
                / sum(rate(http_request_duration_seconds_count{kubernetes_namespace="{{ namespace }}",kubernetes_pod_name=~"{{ target }}-%3$s"}[30s])) * 100
        """.formatted(name, kind, podRegex, extra.indent(2).stripTrailing());
  }

  static String daemonSet(String name, String tag) {
    return """
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: %1$s
          labels: {app: %1$s}
        spec:
          selector:
            matchLabels: {app: %1$s}
          template:
            metadata:
              labels: {app: %1$s}
            spec:
              containers:
              - name: app
                image: ghcr.io/stefanprodan/podinfo:%2$s
                ports:
                - {name: http, containerPort: 9898}
        """.formatted(name, tag);
  }

  static String statefulSet(String name, String tag, String claims) {
    return """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: %1$s
          labels: {app: %1$s}
        spec:
          replicas: 2
          serviceName: %1$s-headless
          selector:
            matchLabels: {app: %1$s}
          template:
            metadata:
              labels: {app: %1$s}
            spec:
              containers:
              - name: app
                image: ghcr.io/stefanprodan/podinfo:%2$s
                ports:
                - {name: http, containerPort: 9898}
        %3$s
        """.formatted(name, tag, claims.indent(2).stripTrailing());
  }

  private static void patchImage(String kind, String name, String tag) {
    String patch = "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":"
        + "\"ghcr.io/stefanprodan/podinfo:" + tag + "\"}]}}}}";
    var ctx = PatchContext.of(PatchType.STRATEGIC_MERGE);
    switch (kind) {
      case "DaemonSet" -> cluster.client().apps().daemonSets().inNamespace(cluster.namespace()).withName(name)
          .patch(ctx, patch);
      case "StatefulSet" -> cluster.client().apps().statefulSets().inNamespace(cluster.namespace()).withName(name)
          .patch(ctx, patch);
      default -> CanaryScenarios.setImage(cluster, name, tag);
    }
  }

  private static DaemonSet daemonSet(String name) {
    return cluster.client().apps().daemonSets().inNamespace(cluster.namespace()).withName(name).get();
  }

  private static StatefulSet statefulSet(String name) {
    return cluster.client().apps().statefulSets().inNamespace(cluster.namespace()).withName(name).get();
  }

  private static Deployment deployment(String name) {
    return cluster.client().apps().deployments().inNamespace(cluster.namespace()).withName(name).get();
  }

  private static GenericKubernetesResource scaledObject(String name) {
    return cluster.client().genericKubernetesResources(SCALED_OBJECTS).inNamespace(cluster.namespace()).withName(name)
        .get();
  }

  private static String image(io.fabric8.kubernetes.api.model.PodTemplateSpec t) {
    return t.getSpec().getContainers().get(0).getImage();
  }

  private static boolean scaledToZero(DaemonSet d) {
    Map<String, String> s = d.getSpec().getTemplate().getSpec().getNodeSelector();
    return s != null && "true".equals(s.get("flagger.app/scale-to-zero"));
  }

  // ---------------------------------------------------------------------------------------------
  // DaemonSet

  private static void installDaemonSet(String name) throws InterruptedException {
    cluster.apply(daemonSet(name, "6.0.0"));
    cluster.apply(canary(name, "DaemonSet", "[0-9a-z]{5}", ""));
    Timeline.record(bunting, name, null, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
    cluster.await().untilAsserted(() -> {
      DaemonSet primary = daemonSet(name + "-primary");
      assertThat(primary.getStatus().getNumberAvailable()).as("a primary pod on each kwok node").isEqualTo(2);
      DaemonSet target = daemonSet(name);
      assertThat(scaledToZero(target)).isTrue();
      assertThat(target.getStatus().getDesiredNumberScheduled()).as("no node has the scale-to-zero label").isZero();
    });
    assertThat(daemonSet(name + "-primary").getSpec().getTemplate().getSpec().getNodeSelector())
        .as("the primary never gets the scale-to-zero key").doesNotContainKey("flagger.app/scale-to-zero");
  }

  @Test
  void aDaemonSetIsPromoted() throws Exception {
    String name = "ds-good";
    installDaemonSet(name);
    String initialized = bunting.canary(name).getStatus().lastAppliedSpec;

    patchImage("DaemonSet", name, "6.0.1");
    AtomicBoolean canaryPodsRan = new AtomicBoolean();
    Timeline t = Timeline.record(bunting, name, null, phase(CanaryPhase.SUCCEEDED).or(c -> {
      DaemonSet target = daemonSet(name);
      if (!scaledToZero(target) && target.getStatus().getNumberAvailable() != null
          && target.getStatus().getNumberAvailable() == 2) {
        canaryPodsRan.set(true);
      }
      return false;
    }), RELEASE);

    assertThat(t.phases).as(t.toString()).containsSubsequence(CanaryPhase.PROGRESSING, CanaryPhase.PROMOTING,
        CanaryPhase.FINALISING, CanaryPhase.SUCCEEDED);
    assertThat(canaryPodsRan).as("the canary ran a pod on each node during the analysis").isTrue();
    assertThat(image(daemonSet(name + "-primary").getSpec().getTemplate())).endsWith(":6.0.1");
    assertThat(scaledToZero(daemonSet(name))).as("the canary is back at zero").isTrue();
    String promoted = t.last.getStatus().lastPromotedSpec;
    assertThat(promoted).isNotEqualTo(initialized).isEqualTo(t.last.getStatus().lastAppliedSpec);
    cluster.await().untilAsserted(() -> assertThat(daemonSet(name + "-primary").getStatus().getUpdatedNumberScheduled())
        .isEqualTo(2));
    assertThat(bunting.canary(name).getStatus().phaseOrNew()).as("scaling to zero is not a new revision")
        .isEqualTo(CanaryPhase.SUCCEEDED);
  }

  @Test
  void aBadDaemonSetIsRolledBack() throws Exception {
    String name = "ds-bad";
    installDaemonSet(name);
    patchImage("DaemonSet", name, "6.0.1-bad");
    Timeline t = Timeline.record(bunting, name, null, phase(CanaryPhase.FAILED), RELEASE);

    assertThat(t.last.getStatus().failedChecks).isEqualTo(2);
    assertThat(image(daemonSet(name + "-primary").getSpec().getTemplate())).endsWith(":6.0.0");
    assertThat(scaledToZero(daemonSet(name))).isTrue();
    assertThat(image(daemonSet(name).getSpec().getTemplate())).as("the target keeps what the user wrote")
        .endsWith(":6.0.1-bad");
  }

  // ---------------------------------------------------------------------------------------------
  // StatefulSet

  private static void installStatefulSet(String name) throws InterruptedException {
    cluster.apply(statefulSet(name, "6.0.0", ""));
    cluster.apply(canary(name, "StatefulSet", "[0-9]+", ""));
    Timeline.record(bunting, name, null, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
    StatefulSet primary = statefulSet(name + "-primary");
    assertThat(primary.getSpec().getServiceName()).as("governed by the generated primary Service")
        .isEqualTo(name + "-primary");
    assertThat(primary.getStatus().getReadyReplicas()).isEqualTo(2);
    assertThat(statefulSet(name).getSpec().getReplicas()).isZero();
  }

  @Test
  void aStatefulSetIsPromoted() throws Exception {
    String name = "sts-good";
    installStatefulSet(name);
    patchImage("StatefulSet", name, "6.0.1");
    Timeline t = Timeline.record(bunting, name, null, phase(CanaryPhase.SUCCEEDED), RELEASE);

    assertThat(t.phases).as(t.toString()).containsSubsequence(CanaryPhase.PROGRESSING, CanaryPhase.PROMOTING,
        CanaryPhase.SUCCEEDED);
    StatefulSet primary = statefulSet(name + "-primary");
    assertThat(image(primary.getSpec().getTemplate())).endsWith(":6.0.1");
    assertThat(primary.getStatus().getUpdatedReplicas()).as("promotion waited for every primary pod").isEqualTo(2);
    assertThat(primary.getStatus().getCurrentRevision()).isEqualTo(primary.getStatus().getUpdateRevision());
    assertThat(statefulSet(name).getSpec().getReplicas()).isZero();
    assertThat(bunting.events(name)).contains(
        "Advance " + name + "." + cluster.namespace() + " canary iteration 2/2 (success-rate=100)");
  }

  @Test
  void aBadStatefulSetIsRolledBack() throws Exception {
    String name = "sts-bad";
    installStatefulSet(name);
    patchImage("StatefulSet", name, "6.0.1-bad");
    Timeline t = Timeline.record(bunting, name, null, phase(CanaryPhase.FAILED), RELEASE);

    assertThat(t.last.getStatus().failedChecks).isEqualTo(2);
    assertThat(image(statefulSet(name + "-primary").getSpec().getTemplate())).endsWith(":6.0.0");
    assertThat(statefulSet(name).getSpec().getReplicas()).isZero();
  }

  /**
   * Claim templates are copied once, and a target recreated with other ones is held with a condition (no PersistentVolume
   * controller runs here, so these pods stay Pending: the canary never gets past initialisation, which is all this
   * scenario needs).
   */
  @Test
  void changedClaimTemplatesAreAConditionNotACrashLoop() throws Exception {
    String name = "sts-claims";
    String claims = """
        volumeClaimTemplates:
        - metadata: {name: data}
          spec:
            accessModes: [ReadWriteOnce]
            resources: {requests: {storage: %s}}
        """;
    cluster.apply(statefulSet(name, "6.0.0", claims.formatted("1Gi")));
    cluster.apply(canary(name, "StatefulSet", "[0-9]+", ""));
    cluster.await().untilAsserted(() -> assertThat(statefulSet(name + "-primary")).isNotNull());
    StatefulSet primary = statefulSet(name + "-primary");
    assertThat(primary.getSpec().getVolumeClaimTemplates()).singleElement()
        .satisfies(c -> assertThat(c.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("1Gi"));

    cluster.client().apps().statefulSets().inNamespace(cluster.namespace()).withName(name)
        .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.ORPHAN).delete();
    cluster.await().untilAsserted(() -> assertThat(statefulSet(name)).isNull());
    cluster.apply(statefulSet(name, "6.0.1", claims.formatted("5Gi")));

    cluster.await().untilAsserted(() -> {
      Condition stalled = Condition.find(bunting.canary(name).getStatus().conditions, Condition.STALLED).orElse(null);
      assertThat(stalled).isNotNull();
      assertThat(stalled.reason).isEqualTo("InvalidSpec");
      assertThat(stalled.message).contains("spec.volumeClaimTemplates differ from those of " + name + "-primary");
    });
    assertThat(statefulSet(name + "-primary").getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources()
        .getRequests().get("storage").toString()).as("the primary is left alone").isEqualTo("1Gi");
    assertThat(image(statefulSet(name + "-primary").getSpec().getTemplate())).endsWith(":6.0.0");
  }

  // ---------------------------------------------------------------------------------------------
  // KEDA

  private static void installScaled(String name) throws InterruptedException {
    cluster.apply(CanaryScenarios.deployment(name, "6.0.0"));
    cluster.apply("""
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata: {name: %1$s-so}
        spec:
          scaleTargetRef: {name: %1$s}
          pollingInterval: 10
          cooldownPeriod: 20
          minReplicaCount: 1
          maxReplicaCount: 3
          triggers:
          - type: prometheus
            name: prom-trigger
            metadata:
              serverAddress: http://prometheus.monitoring:9090
              query: sum(rate(http_requests_total{app="%1$s"}[30s]))
              threshold: '5'
        """.formatted(name));
    cluster.apply(canary(name, "Deployment", "[0-9a-z]+-[0-9a-z]{5}", """
        autoscalerRef:
          apiVersion: keda.sh/v1alpha1
          kind: ScaledObject
          name: %s-so
          primaryScalerReplicas: {minReplicas: 2, maxReplicas: 5}
        """.formatted(name)));
    Timeline.record(bunting, name, null, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));

    GenericKubernetesResource primary = scaledObject(name + "-so-primary");
    assertThat(primary).isNotNull();
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) primary.getAdditionalProperties().get("spec");
    assertThat(spec.get("scaleTargetRef")).isEqualTo(Map.of("name", name + "-primary"));
    assertThat(spec).containsEntry("minReplicaCount", 2).containsEntry("maxReplicaCount", 5);
    assertThat(spec.get("triggers").toString()).contains("app=\"" + name + "-primary\"");
    assertThat(primary.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getKind()).isEqualTo("Canary"));
    assertThat(paused(name)).as("the canary's scaler is paused while idle").isTrue();
    assertThat(deployment(name).getSpec().getReplicas()).isZero();
  }

  private static boolean paused(String name) {
    Map<String, String> a = scaledObject(name + "-so").getMetadata().getAnnotations();
    return a != null && "0".equals(a.get("autoscaling.keda.sh/paused-replicas"));
  }

  @Test
  void aKedaScaledTargetIsPromoted() throws Exception {
    String name = "keda-good";
    installScaled(name);
    int primaryReplicas = deployment(name + "-primary").getSpec().getReplicas();
    patchImage("Deployment", name, "6.0.1");
    AtomicBoolean resumed = new AtomicBoolean();
    Timeline t = Timeline.record(bunting, name, null, phase(CanaryPhase.SUCCEEDED).or(c -> {
      if (c.getStatus().phaseOrNew() == CanaryPhase.PROGRESSING && !paused(name)) {
        resumed.set(true);
      }
      return false;
    }), RELEASE);

    assertThat(t.phases).as(t.toString()).containsSubsequence(CanaryPhase.PROGRESSING, CanaryPhase.SUCCEEDED);
    assertThat(resumed).as("the canary's scaler runs during the analysis").isTrue();
    assertThat(paused(name)).as("and is paused again after promotion").isTrue();
    assertThat(image(deployment(name + "-primary").getSpec().getTemplate())).endsWith(":6.0.1");
    assertThat(deployment(name + "-primary").getSpec().getReplicas())
        .as("the primary's scaler owns its size: promotion keeps it").isEqualTo(primaryReplicas);
    assertThat(deployment(name).getSpec().getReplicas()).isZero();
  }

  @Test
  void aBadKedaScaledTargetIsRolledBack() throws Exception {
    String name = "keda-bad";
    installScaled(name);
    patchImage("Deployment", name, "6.0.1-bad");
    Timeline t = Timeline.record(bunting, name, null, phase(CanaryPhase.FAILED), RELEASE);

    assertThat(t.last.getStatus().failedChecks).isEqualTo(2);
    assertThat(paused(name)).isTrue();
    assertThat(image(deployment(name + "-primary").getSpec().getTemplate())).endsWith(":6.0.0");
    assertThat(deployment(name).getSpec().getReplicas()).isZero();
    Canary failed = bunting.canary(name);
    assertThat(failed.getStatus().lastPromotedSpec).isNotEqualTo(failed.getStatus().lastAppliedSpec);
  }
}
