package dev.bunting.canary.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** KEDA ScaledObjects ({@code autoscalerRef.kind: ScaledObject}), with Flagger's cases from its own unit tests. */
class ScaledObjectAutoscalerTest {
  private final ScaledObjectAutoscaler keda = new ScaledObjectAutoscaler();

  static Canary canary(String autoscalerExtra) {
    return Serialization.unmarshal("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: podinfo, namespace: test, uid: 00000000-0000-0000-0000-000000000004}
        spec:
          provider: kubernetes
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
          autoscalerRef:
            apiVersion: keda.sh/v1alpha1
            kind: ScaledObject
            name: podinfo-so
        %s
          service: {port: 9898}
          analysis: {interval: 10s, threshold: 2, iterations: 2}
        """.formatted(autoscalerExtra.indent(4).stripTrailing()), Canary.class);
  }

  static GenericKubernetesResource scaledObject(String annotations) {
    return Serialization.unmarshal("""
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata:
          name: podinfo-so
          namespace: test
          labels: {app: podinfo, kustomize.toolkit.fluxcd.io/name: apps}
          annotations: %s
        spec:
          scaleTargetRef: {name: podinfo}
          pollingInterval: 10
          cooldownPeriod: 20
          initialCooldownPeriod: 30
          minReplicaCount: 1
          maxReplicaCount: 3
          advanced:
            horizontalPodAutoscalerConfig: {name: podinfo}
          triggers:
          - type: prometheus
            name: prom-trigger
            metadata:
              serverAddress: http://prometheus.monitoring:9090
              query: sum(rate(http_requests_total{app="podinfo"}[2m]))
              threshold: '5'
        """.formatted(annotations), GenericKubernetesResource.class);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource so) {
    return (Map<String, Object>) so.getAdditionalProperties().get("spec");
  }

  @SuppressWarnings("unchecked")
  private static String query(GenericKubernetesResource so) {
    List<Map<String, Object>> triggers = (List<Map<String, Object>>) spec(so).get("triggers");
    return (String) ((Map<String, Object>) triggers.get(0).get("metadata")).get("query");
  }

  @Test
  void thePrimaryScaledObjectScalesThePrimaryWithRewrittenQueries() {
    GenericKubernetesResource primary = keda.desiredPrimary(canary(""),
        scaledObject("{autoscaling.keda.sh/paused-replicas: '0', team: web}"), "podinfo-primary");

    assertThat(primary.getMetadata().getName()).isEqualTo("podinfo-so-primary");
    assertThat(primary.getMetadata().getLabels()).isEqualTo(Map.of("app", "podinfo"));
    assertThat(primary.getMetadata().getAnnotations()).as("never paused").isEqualTo(Map.of("team", "web"));
    assertThat(primary.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getName()).isEqualTo("podinfo"));
    assertThat(spec(primary).get("scaleTargetRef")).isEqualTo(Map.of("name", "podinfo-primary"));
    assertThat(spec(primary)).containsEntry("pollingInterval", 10).containsEntry("minReplicaCount", 1)
        .containsEntry("maxReplicaCount", 3).containsEntry("initialCooldownPeriod", 30);
    assertThat(spec(primary).get("advanced"))
        .isEqualTo(Map.of("horizontalPodAutoscalerConfig", Map.of("name", "podinfo-primary")));
    assertThat(query(primary)).isEqualTo("sum(rate(http_requests_total{app=\"podinfo-primary\"}[2m]))");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "sum(rate(http_requests_total{app=\"podinfo\"}[2m]))|sum(rate(http_requests_total{app=\"podinfo-primary\"}[2m]))",
      "sum(rate(http_requests_total{app=\"podinfo-canary\"}[2m]))|sum(rate(http_requests_total{app=\"podinfo-primary\"}[2m]))",
      "sum(rate(http_requests_total{app=\"podinfo-canary\", svc=\"podinfo\"}[2m]))"
          + "|sum(rate(http_requests_total{app=\"podinfo-primary\", svc=\"podinfo-primary\"}[2m]))"})
  void queriesAreRewrittenAsFlaggerDoes(String query, String primary) {
    assertThat(ScaledObjectAutoscaler.primaryQuery(query, "podinfo")).isEqualTo(primary);
  }

  @Test
  void primaryScalerQueriesAndReplicasOverrideTheCopy() {
    Canary canary = canary("""
        primaryScalerQueries:
          prom-trigger: sum(rate(http_requests_total{app="podinfo-primary"}[30s]))
        primaryScalerReplicas: {minReplicas: 2, maxReplicas: 5}
        """);
    GenericKubernetesResource primary = keda.desiredPrimary(canary, scaledObject("{}"), "podinfo-primary");
    assertThat(query(primary)).isEqualTo("sum(rate(http_requests_total{app=\"podinfo-primary\"}[30s]))");
    assertThat(spec(primary)).containsEntry("minReplicaCount", 2).containsEntry("maxReplicaCount", 5);
  }

  @Test
  void theCanarysScaledObjectIsPausedAtZeroAndResumed() {
    GenericKubernetesResource running = scaledObject("{team: web}");
    assertThat(keda.pause(running, false)).isEmpty();
    assertThat(keda.pause(running, true)).containsExactly(new WorkloadWrite.MergePatch(running,
        "{\"metadata\":{\"annotations\":{\"autoscaling.keda.sh/paused-replicas\":\"0\"}}}"));

    GenericKubernetesResource paused = scaledObject("{autoscaling.keda.sh/paused-replicas: '0'}");
    assertThat(keda.pause(paused, true)).isEmpty();
    assertThat(keda.pause(paused, false)).containsExactly(new WorkloadWrite.MergePatch(paused,
        "{\"metadata\":{\"annotations\":{\"autoscaling.keda.sh/paused-replicas\":null}}}"));
    GenericKubernetesResource pausedElsewhere = scaledObject("{autoscaling.keda.sh/paused-replicas: '2'}");
    assertThat(keda.pause(pausedElsewhere, true)).as("Bunting's pause is at zero").hasSize(1);
    assertThat(keda.pause(pausedElsewhere, false)).hasSize(1);
  }
}
