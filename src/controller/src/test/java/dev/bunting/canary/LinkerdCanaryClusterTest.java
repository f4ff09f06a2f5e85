package dev.bunting.canary;

import static dev.bunting.canary.CanaryScenarios.BUILTIN_METRICS;
import static dev.bunting.canary.CanaryScenarios.deployment;
import static dev.bunting.canary.Timeline.phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.Condition;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.GatewayStatusController;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.ThirdPartyCrds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The {@code linkerd} provider on the real local control plane, with the real Gateway API CRDs: Bunting (default
 * provider {@code linkerd}) writes an HTTPRoute on the apex Service, the status half of Linkerd's policy controller is
 * played by {@link GatewayStatusController}, and a real Prometheus scrapes the pods' traffic as Linkerd's proxies export
 * it ({@link LinkerdMetrics}), so Flagger's builtin Linkerd queries and the MetricTemplates of Flagger's Linkerd guide
 * run unchanged. The scenarios run at the same time, each with its own Deployment and Canary.
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.GATEWAY_API)
@Execution(ExecutionMode.CONCURRENT)
class LinkerdCanaryClusterTest {
  private static final Duration RELEASE = Duration.ofMinutes(4);
  private static final String IMAGE = "ghcr.io/stefanprodan/podinfo:";

  static TestCluster cluster;
  static BuntingUnderTest bunting;

  @BeforeAll
  static void start(TestCluster testCluster) throws Exception {
    cluster = testCluster;
    bunting = BuntingUnderTest.start(cluster, "linkerd", List.of(LinkerdMetrics.FAMILY));
  }

  @AfterAll
  static void stop() throws Exception {
    if (bunting != null) {
      bunting.close();
    }
  }

  private static String canary(String name, String analysis) {
    return """
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: %1$s
        spec:
          provider: linkerd
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: %1$s}
          service:
            port: 9898
          analysis:
        %2$s
        """.formatted(name, analysis.indent(4).stripTrailing());
  }

  private static void initialized(String name) throws InterruptedException {
    Timeline.record(bunting, name, name, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
  }

  private static Deployment deploymentNamed(String name) {
    return cluster.client().apps().deployments().inNamespace(cluster.namespace()).withName(name).get();
  }

  private static String image(String deployment) {
    return deploymentNamed(deployment).getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private static GenericKubernetesResource route(String name) {
    return cluster.client().genericKubernetesResources(GatewayStatusController.HTTP_ROUTES)
        .inNamespace(cluster.namespace()).withName(name).get();
  }

  private static String id(String name) {
    return name + "." + cluster.namespace();
  }

  @Test
  void aHealthyRevisionIsPromotedWithTheBuiltinLinkerdMetrics() throws Exception {
    String name = "promoted";
    cluster.apply(deployment(name, "6.0.0"));
    cluster.apply(canary(name, """
        interval: 10s
        threshold: 3
        stepWeight: 25
        maxWeight: 50
        """ + BUILTIN_METRICS));
    initialized(name);

    GenericKubernetesResource route = route(name);
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) route.getAdditionalProperties().get("spec");
    assertThat(spec.get("parentRefs")).as("attached to the apex Service, as Linkerd expects").isEqualTo(List.of(
        Map.of("group", "core", "kind", "Service", "name", name, "namespace", cluster.namespace(), "port", 9898)));
    assertThat(route.getMetadata().getManagedFields()).filteredOn(f -> "bunting".equals(f.getManager()))
        .extracting(ManagedFieldsEntry::getApiVersion).containsOnly("gateway.networking.k8s.io/v1beta1");

    CanaryScenarios.setImage(cluster, name, "6.0.1");
    Timeline t = Timeline.record(bunting, name, name, phase(CanaryPhase.SUCCEEDED), RELEASE);

    assertThat(t.routeWeights).as(t.toString()).containsExactly(0, 25, 50, 0);
    assertThat(t.phases).as(t.toString()).containsSubsequence(CanaryPhase.PROGRESSING, CanaryPhase.PROMOTING,
        CanaryPhase.FINALISING, CanaryPhase.SUCCEEDED);
    assertThat(image(name + "-primary")).isEqualTo(IMAGE + "6.0.1");
    assertThat(deploymentNamed(name).getSpec().getReplicas()).as("canary scaled to zero").isZero();
    Canary done = bunting.canary(name);
    assertThat(Condition.find(done.getStatus().conditions, "Promoted").get().status).isEqualTo("True");
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name))
        .anyMatch(m -> m.startsWith("Advance " + id(name) + " canary weight 50 (")
            && m.contains("request-success-rate=100%"))
        .contains("Promotion completed! Scaling down " + id(name)));
  }

  @Test
  void aBadRevisionIsRolledBackByTheBuiltinLinkerdSuccessRate() throws Exception {
    String name = "rolledback";
    cluster.apply(deployment(name, "6.0.0"));
    cluster.apply(canary(name, """
        interval: 10s
        threshold: 2
        stepWeight: 25
        maxWeight: 50
        """ + BUILTIN_METRICS));
    initialized(name);

    CanaryScenarios.setImage(cluster, name, "6.0.1-bad");
    Timeline t = Timeline.record(bunting, name, name, phase(CanaryPhase.FAILED), RELEASE);

    assertThat(t.phases).as(t.toString()).doesNotContain(CanaryPhase.PROMOTING);
    assertThat(t.last.getStatus().failedChecks).isEqualTo(2);
    assertThat(bunting.routeCanaryWeight(name)).as("all traffic back on the primary").isZero();
    assertThat(deploymentNamed(name).getSpec().getReplicas()).as("canary scaled to zero").isZero();
    assertThat(image(name + "-primary")).isEqualTo(IMAGE + "6.0.0");
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name))
        .anyMatch(m -> m.startsWith("Halt " + id(name) + " advancement success rate ") && m.endsWith("% < 99%"))
        .contains("Canary failed! Scaling down " + id(name)));
  }

  /**
   * The Canary and MetricTemplates of Flagger's Linkerd guide ({@code docs/gitbook/tutorials/linkerd-progressive-delivery.md}):
   * no provider (the controller's, here {@code linkerd}), {@code gatewayRefs} naming the apex Service, success rate and
   * latency from Linkerd's series with {@code direction} as a template variable. Changed for the test: the templates'
   * Prometheus address, a 10 s interval with two steps, and no HPA or load-test webhooks (the test cluster has neither a
   * metrics server nor a load tester).
   */
  @Test
  void flaggersLinkerdGuideRunsToSucceeded() throws Exception {
    String name = "podinfo";
    cluster.apply(deployment(name, "6.0.0"));
    cluster.apply("""
        apiVersion: flagger.app/v1beta1
        kind: MetricTemplate
        metadata:
          name: success-rate
        spec:
          provider:
            type: prometheus
            address: %1$s
          query: |
            sum(
              rate(
                response_total{
                  namespace="{{ namespace }}",
                  deployment=~"{{ target }}",
                  classification!="failure",
                  direction="{{ variables.direction }}"
                }[{{ interval }}]
              )
            )
            /
            sum(
              rate(
                response_total{
                  namespace="{{ namespace }}",
                  deployment=~"{{ target }}",
                  direction="{{ variables.direction }}"
                }[{{ interval }}]
              )
            )
            * 100
        ---
        apiVersion: flagger.app/v1beta1
        kind: MetricTemplate
        metadata:
          name: latency
        spec:
          provider:
            type: prometheus
            address: %1$s
          query: |
            histogram_quantile(
                0.99,
                sum(
                    rate(
                        response_latency_ms_bucket{
                            namespace="{{ namespace }}",
                            deployment=~"{{ target }}",
                            direction="{{ variables.direction }}"
                            }[{{ interval }}]
                        )
                    ) by (le)
                )
        ---
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: podinfo
        spec:
          targetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: podinfo
          progressDeadlineSeconds: 60
          service:
            port: 9898
            targetPort: 9898
            gatewayRefs:
              - name: podinfo
                namespace: %2$s
                group: core
                kind: Service
                port: 9898
          analysis:
            interval: 10s
            threshold: 5
            maxWeight: 50
            stepWeight: 25
            metrics:
            - name: success-rate
              templateRef:
                name: success-rate
                namespace: %2$s
              thresholdRange:
                min: 99
              interval: 1m
              templateVariables:
                direction: inbound
            - name: latency
              templateRef:
                name: latency
                namespace: %2$s
              thresholdRange:
                max: 500
              interval: 30s
              templateVariables:
                direction: inbound
        """.formatted(bunting.prometheus().url(), cluster.namespace()));
    initialized(name);

    CanaryScenarios.setImage(cluster, name, "6.0.1");
    Timeline t = Timeline.record(bunting, name, name, phase(CanaryPhase.SUCCEEDED), RELEASE);

    assertThat(t.routeWeights).as(t.toString()).containsExactly(0, 25, 50, 0);
    assertThat(image(name + "-primary")).isEqualTo(IMAGE + "6.0.1");
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name))
        .anyMatch(m -> m.startsWith("Advance " + id(name) + " canary weight 50 (") && m.contains("success-rate=100, ")
            && m.contains("latency=")));
  }
}
