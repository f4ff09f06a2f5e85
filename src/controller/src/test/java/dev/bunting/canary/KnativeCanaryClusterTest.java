package dev.bunting.canary;

import static dev.bunting.canary.Timeline.phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.CanaryPhase;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.KnativeServingStandIn;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.ThirdPartyCrds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The {@code knative} provider on the real local control plane with Knative Serving's real CRDs. Knative's own
 * controller does not run here: {@link KnativeServingStandIn} (test infrastructure) creates a Revision and its pod for
 * each new template and reports them in the Service's status, as Knative's would. The canary is the latest created
 * revision, measured by Flagger's builtin {@code knative} queries ({@code {{ route }}} = that revision) on synthetic
 * Envoy series ({@link KnativeEnvoyMetrics}); traffic is split in the Service's own {@code spec.traffic}.
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.KNATIVE)
@Execution(ExecutionMode.CONCURRENT)
class KnativeCanaryClusterTest {
  private static final Duration RELEASE = Duration.ofMinutes(4);

  static TestCluster cluster;
  static BuntingUnderTest bunting;
  static KnativeServingStandIn knative;

  @BeforeAll
  static void start(TestCluster testCluster) throws Exception {
    cluster = testCluster;
    knative = new KnativeServingStandIn(cluster.client(), cluster.vertx(), cluster.namespace());
    bunting = BuntingUnderTest.start(cluster, "kubernetes", List.of(new KnativeEnvoyMetrics()));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (bunting != null) {
        bunting.close();
      }
    } finally {
      if (knative != null) {
        knative.close();
      }
    }
  }

  private static void install(String name) throws InterruptedException {
    cluster.apply("""
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata:
          name: %1$s
        spec:
          template:
            metadata:
              labels: {app: %1$s}
            spec:
              containers:
              - image: ghcr.io/stefanprodan/podinfo:6.0.0
                ports: [{containerPort: 9898}]
        """.formatted(name));
    cluster.apply("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: %1$s
        spec:
          provider: knative
          targetRef: {apiVersion: serving.knative.dev/v1, kind: Service, name: %1$s}
          progressDeadlineSeconds: 120
          analysis:
            interval: 10s
            threshold: 2
            maxWeight: 50
            stepWeight: 50
        %2$s
        """.formatted(name, CanaryScenarios.BUILTIN_METRICS.indent(4).stripTrailing()));
    Timeline.record(bunting, name, null, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
    GenericKubernetesResource service = service(name);
    assertThat(service.getMetadata().getAnnotations()).containsEntry("flagger.app/primary-revision", name + "-00001");
    assertThat(traffic(service)).isEqualTo(List.of(
        Map.of("latestRevision", true, "percent", 0),
        Map.of("revisionName", name + "-00001", "percent", 100)));
    assertThat(cluster.client().services().inNamespace(cluster.namespace()).withName(name + "-primary").get())
        .as("no generated Services for a Knative target").isNull();
  }

  private static GenericKubernetesResource service(String name) {
    return cluster.client().genericKubernetesResources(KnativeServingStandIn.SERVICES).inNamespace(cluster.namespace())
        .withName(name).get();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> traffic(GenericKubernetesResource service) {
    return (List<Map<String, Object>>) ((Map<String, Object>) service.getAdditionalProperties().get("spec"))
        .get("traffic");
  }

  /** The {@code latestRevision} target's percent in {@code spec.traffic}. */
  private static int canaryPercent(String name) {
    return traffic(service(name)).stream().filter(t -> Boolean.TRUE.equals(t.get("latestRevision")))
        .map(t -> ((Number) t.get("percent")).intValue()).findFirst().orElse(-1);
  }

  private static void setImage(String name, String tag) {
    cluster.client().genericKubernetesResources(KnativeServingStandIn.SERVICES).inNamespace(cluster.namespace())
        .withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), """
            {"spec":{"template":{"spec":{"containers":[{"image":"ghcr.io/stefanprodan/podinfo:%s",
            "ports":[{"containerPort":9898}]}]}}}}""".formatted(tag));
  }

  private static Timeline release(String name, CanaryPhase end, List<Integer> weights) throws InterruptedException {
    return Timeline.record(bunting, name, null, phase(end).or(c -> {
      int w = canaryPercent(name);
      if (weights.isEmpty() || weights.get(weights.size() - 1) != w) {
        weights.add(w);
      }
      return false;
    }), RELEASE);
  }

  @Test
  void theLatestRevisionIsPromoted() throws Exception {
    String name = "kn-good";
    install(name);
    setImage(name, "6.0.1");
    List<Integer> weights = new ArrayList<>();
    Timeline t = release(name, CanaryPhase.SUCCEEDED, weights);

    assertThat(t.phases).as(t.toString()).containsSubsequence(CanaryPhase.PROGRESSING, CanaryPhase.PROMOTING,
        CanaryPhase.FINALISING, CanaryPhase.SUCCEEDED);
    assertThat(weights).as("the latest revision's share of spec.traffic").containsSubsequence(0, 50, 0);
    GenericKubernetesResource service = service(name);
    assertThat(service.getMetadata().getAnnotations()).containsEntry("flagger.app/primary-revision", name + "-00002");
    assertThat(traffic(service)).isEqualTo(List.of(
        Map.of("latestRevision", true, "percent", 0),
        Map.of("revisionName", name + "-00002", "percent", 100)));
    String promoted = "Promotion completed! Scaling down " + name + "." + cluster.namespace();
    assertThat(bunting.eventsOnce(name, promoted::equals))
        .contains("Advance " + name + "." + cluster.namespace() + " canary weight 50", promoted);
  }

  @Test
  void aFailingRevisionIsRolledBack() throws Exception {
    String name = "kn-bad";
    install(name);
    setImage(name, "6.0.1-bad");
    List<Integer> weights = new ArrayList<>();
    Timeline t = release(name, CanaryPhase.FAILED, weights);

    assertThat(t.last.getStatus().failedChecks).isEqualTo(2);
    GenericKubernetesResource service = service(name);
    assertThat(service.getMetadata().getAnnotations()).as("the primary revision stays")
        .containsEntry("flagger.app/primary-revision", name + "-00001");
    assertThat(traffic(service)).isEqualTo(List.of(
        Map.of("latestRevision", true, "percent", 0),
        Map.of("revisionName", name + "-00001", "percent", 100)));
    // the primary revision is healthy: only the canary revision ({{ route }}) answers 20 % errors
    assertThat(bunting.events(name)).anyMatch(m -> m.matches("Halt " + name + "\\." + cluster.namespace()
        + " advancement success rate 8\\d\\.\\d+% < 99%"));
  }
}
