package dev.bunting.canary;

import static dev.bunting.canary.Timeline.phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.CanaryPhase;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.ThirdPartyCrds;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Plain Service targets (Flagger's {@code service_controller.go}) with {@code gatewayapi:v1}: the release unit is the
 * Service's spec — here its selector, moved from one version's pods to another's. {@code <target>-canary} mirrors the
 * target, {@code <target>-primary} is promoted, the HTTPRoute splits traffic between them; the target Service itself
 * is never taken over.
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.GATEWAY_API)
@Execution(ExecutionMode.CONCURRENT)
class ServiceTargetClusterTest {
  private static final Duration RELEASE = Duration.ofMinutes(4);

  static TestCluster cluster;
  static BuntingUnderTest bunting;

  @BeforeAll
  static void start(TestCluster testCluster) throws Exception {
    cluster = testCluster;
    bunting = BuntingUnderTest.start(cluster, "gatewayapi:v1");
  }

  @AfterAll
  static void stop() throws Exception {
    if (bunting != null) {
      bunting.close();
    }
  }

  private static void version(String name, String version, String tag) {
    cluster.apply(CanaryScenarios.deployment(name + "-" + version, tag)
        .replace("{app: " + name + "-" + version + "}", "{app: " + name + ", version: " + version + "}"));
  }

  /** A Service target whose canary is judged by the pods of {@code canaryVersion}. */
  private static void install(String name, String canaryVersion) throws InterruptedException {
    cluster.apply("""
        apiVersion: v1
        kind: Service
        metadata:
          name: %1$s
          labels: {app: %1$s}
        spec:
          selector: {app: %1$s, version: v1}
          ports: [{name: http, port: 9898, targetPort: 9898}]
        """.formatted(name));
    cluster.apply("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: %1$s
        spec:
          provider: gatewayapi:v1
          targetRef: {apiVersion: v1, kind: Service, name: %1$s}
          service:
            port: 9898
            gatewayRefs: [{name: public-gateway}]
          analysis:
            interval: 10s
            threshold: 2
            stepWeight: 50
            maxWeight: 50
            metrics:
            - name: success-rate
              thresholdRange: {min: 99}
              query: |
                sum(rate(http_request_duration_seconds_count{kubernetes_namespace="{{ namespace }}",kubernetes_pod_name=~"{{ target }}-%2$s-.*",status!~"5.."}[30s]))
                / sum(rate(http_request_duration_seconds_count{kubernetes_namespace="{{ namespace }}",kubernetes_pod_name=~"{{ target }}-%2$s-.*"}[30s])) * 100
        """.formatted(name, canaryVersion));
    Timeline.record(bunting, name, name, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
    assertThat(service(name + "-primary").getSpec().getSelector()).isEqualTo(selector(name, "v1"));
    assertThat(service(name + "-canary").getSpec().getSelector()).isEqualTo(selector(name, "v1"));
    assertThat(service(name + "-primary").getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getKind()).isEqualTo("Canary"));
    assertThat(service(name).getMetadata().getOwnerReferences()).as("the target is not taken over").isEmpty();
    assertThat(bunting.routeCanaryWeight(name)).isZero();
  }

  private static Map<String, String> selector(String name, String version) {
    return Map.of("app", name, "version", version);
  }

  private static Service service(String name) {
    return cluster.client().services().inNamespace(cluster.namespace()).withName(name).get();
  }

  private static void select(String name, String version) {
    cluster.client().services().inNamespace(cluster.namespace()).withName(name).patch(
        PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"selector\":{\"version\":\"" + version + "\"}}}");
  }

  @Test
  void aNewSelectorIsPromoted() throws Exception {
    String name = "svc-good";
    version(name, "v1", "6.0.0");
    version(name, "v2", "6.0.1");
    install(name, "v2");
    select(name, "v2");
    Timeline t = Timeline.record(bunting, name, name, phase(CanaryPhase.SUCCEEDED), RELEASE);

    assertThat(t.phases).as(t.toString()).containsSubsequence(CanaryPhase.PROGRESSING, CanaryPhase.PROMOTING,
        CanaryPhase.SUCCEEDED);
    assertThat(t.routeWeights).as(t.toString()).containsSubsequence(0, 50, 0);
    assertThat(service(name + "-primary").getSpec().getSelector()).isEqualTo(selector(name, "v2"));
    assertThat(service(name + "-canary").getSpec().getSelector()).isEqualTo(selector(name, "v2"));
  }

  @Test
  void aBadSelectorIsRolledBack() throws Exception {
    String name = "svc-bad";
    version(name, "v1", "6.0.0");
    version(name, "v3", "6.0.1-bad");
    install(name, "v3");
    select(name, "v3");
    Timeline t = Timeline.record(bunting, name, name, phase(CanaryPhase.FAILED), RELEASE);

    assertThat(t.last.getStatus().failedChecks).isEqualTo(2);
    assertThat(service(name + "-primary").getSpec().getSelector()).as("the primary keeps v1")
        .isEqualTo(selector(name, "v1"));
    assertThat(bunting.routeCanaryWeight(name)).isZero();
  }
}
