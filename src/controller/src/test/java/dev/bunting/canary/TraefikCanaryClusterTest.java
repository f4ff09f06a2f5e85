package dev.bunting.canary;

import static dev.bunting.canary.CanaryScenarios.deployment;
import static dev.bunting.canary.Timeline.phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.CanaryPhase;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.ThirdPartyCrds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
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
 * The {@code traefik} provider on the real local control plane with Traefik v3's real CRDs: Bunting writes the
 * TraefikService the user's IngressRoute points at, and a real Prometheus scrapes the pods' traffic as Traefik exports
 * it per Kubernetes Service ({@link TraefikMetrics}), so Flagger's builtin Traefik queries run unchanged. The
 * scenarios run at the same time, each with its own Deployment and Canary.
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.TRAEFIK)
@Execution(ExecutionMode.CONCURRENT)
class TraefikCanaryClusterTest {
  private static final Duration RELEASE = Duration.ofMinutes(4);
  private static final String IMAGE = "ghcr.io/stefanprodan/podinfo:";

  static TestCluster cluster;
  static BuntingUnderTest bunting;

  @BeforeAll
  static void start(TestCluster testCluster) throws Exception {
    cluster = testCluster;
    bunting = BuntingUnderTest.start(cluster, "kubernetes", List.of(new TraefikMetrics(80)));
    bunting.readRouteWeightsWith(TraefikCanaryClusterTest::canaryWeight);
  }

  @AfterAll
  static void stop() throws Exception {
    if (bunting != null) {
      bunting.close();
    }
  }

  /** The weight of {@code <svc>-canary} in the TraefikService: 0 while it is left out, -1 without a TraefikService. */
  @SuppressWarnings("unchecked")
  static int canaryWeight(String service) {
    GenericKubernetesResource traefikService = cluster.client()
        .genericKubernetesResources("traefik.io/v1alpha1", "TraefikService").inNamespace(cluster.namespace())
        .withName(service).get();
    if (traefikService == null) {
      return -1;
    }
    Map<String, Object> weighted = (Map<String, Object>) ((Map<String, Object>) traefikService
        .getAdditionalProperties().get("spec")).get("weighted");
    for (Map<String, Object> s : (List<Map<String, Object>>) weighted.get("services")) {
      if ((service + "-canary").equals(s.get("name"))) {
        return ((Number) s.getOrDefault("weight", 1)).intValue();
      }
    }
    return 0;
  }

  /**
   * The Canary of Flagger's Traefik guide ({@code docs/gitbook/tutorials/traefik-progressive-delivery.md}), with its
   * IngressRoute. Changed for the test: two steps of 25 instead of ten of 5, and no HPA or webhooks (the test cluster
   * has neither a metrics server nor a load tester).
   */
  private static String guideCanary(String name, int threshold) {
    return """
        apiVersion: traefik.io/v1alpha1
        kind: IngressRoute
        metadata:
          name: %1$s
        spec:
          entryPoints:
            - web
          routes:
            - match: Host(`%1$s.example.com`)
              kind: Rule
              services:
                - name: %1$s
                  kind: TraefikService
                  port: 80
        ---
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: %1$s
        spec:
          provider: traefik
          targetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: %1$s
          progressDeadlineSeconds: 60
          service:
            port: 80
            targetPort: 9898
          analysis:
            interval: 10s
            threshold: %2$d
            maxWeight: 50
            stepWeight: 25
            metrics:
            - name: request-success-rate
              interval: 1m
              thresholdRange:
                min: 99
            - name: request-duration
              interval: 1m
              thresholdRange:
                max: 500
        """.formatted(name, threshold);
  }

  private static Deployment deploymentNamed(String name) {
    return cluster.client().apps().deployments().inNamespace(cluster.namespace()).withName(name).get();
  }

  private static String image(String deployment) {
    return deploymentNamed(deployment).getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private static String id(String name) {
    return name + "." + cluster.namespace();
  }

  @Test
  void flaggersTraefikGuideRunsToSucceeded() throws Exception {
    String name = "podinfo";
    cluster.apply(deployment(name, "6.0.0"));
    cluster.apply(guideCanary(name, 10));
    Timeline.record(bunting, name, name, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
    assertThat(canaryWeight(name)).as("the canary is left out of the TraefikService at 0").isZero();

    CanaryScenarios.setImage(cluster, name, "6.0.1");
    Timeline t = Timeline.record(bunting, name, name, phase(CanaryPhase.SUCCEEDED), RELEASE);

    assertThat(t.routeWeights).as(t.toString()).containsExactly(0, 25, 50, 0);
    assertThat(t.phases).as(t.toString()).containsSubsequence(CanaryPhase.PROGRESSING, CanaryPhase.PROMOTING,
        CanaryPhase.FINALISING, CanaryPhase.SUCCEEDED);
    assertThat(image(name + "-primary")).isEqualTo(IMAGE + "6.0.1");
    assertThat(deploymentNamed(name).getSpec().getReplicas()).as("canary scaled to zero").isZero();
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name))
        .anyMatch(m -> m.startsWith("Advance " + id(name) + " canary weight 50 (")
            && m.contains("request-success-rate=100%") && m.contains("request-duration="))
        .contains("Promotion completed! Scaling down " + id(name)));
  }

  @Test
  void aSlowRevisionIsRolledBackByTheBuiltinTraefikDuration() throws Exception {
    String name = "slow";
    cluster.apply(deployment(name, "6.0.0"));
    cluster.apply(guideCanary(name, 2));
    Timeline.record(bunting, name, name, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));

    CanaryScenarios.setImage(cluster, name, "6.0.1-slow");
    Timeline t = Timeline.record(bunting, name, name, phase(CanaryPhase.FAILED), RELEASE);

    assertThat(t.phases).as(t.toString()).doesNotContain(CanaryPhase.PROMOTING);
    assertThat(canaryWeight(name)).as("all traffic back on the primary").isZero();
    assertThat(image(name + "-primary")).isEqualTo(IMAGE + "6.0.0");
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name))
        .anyMatch(m -> m.startsWith("Halt " + id(name) + " advancement request duration ") && m.endsWith(" > 500ms"))
        .contains("Canary failed! Scaling down " + id(name)));
  }
}
