package dev.bunting.playground;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bunting.testing.GatewayStatusController;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.PrometheusServer;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.ThirdPartyCrds;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulated data plane on the real local control plane, without Bunting: kwok pods get apps, the gateway splits
 * real HTTP requests by the weights written into a real HTTPRoute (and follows a change at once), the route is marked
 * Accepted, and a real Prometheus scrapes every pod with the labels Flagger's builtin queries select on.
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.GATEWAY_API)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DataPlaneClusterTest {
  static TestCluster cluster;
  static DataPlane dataPlane;
  static PlaygroundPrometheus prometheus;
  static String prometheusUrl;
  @TempDir
  static Path state;
  static HttpClient http;

  @BeforeAll
  static void start(TestCluster testCluster) throws Exception {
    assumeTrue(PrometheusServer.isAvailable(), PrometheusServer.UNAVAILABLE);
    cluster = testCluster;
    http = cluster.vertx().createHttpClient();
    String ns = cluster.namespace();
    for (var d : new String[][] {{"podinfo-primary", "1.1.0"}, {"podinfo", "1.2.0-bad"}}) {
      cluster.apply(DemoApp.deployment(d[1]).replace("name: podinfo\n", "name: " + d[0] + "\n")
          .replace("app: podinfo", "app: " + d[0]));
      cluster.apply("""
          apiVersion: v1
          kind: Service
          metadata: {name: %s}
          spec:
            selector: {app: %s}
            ports: [{name: http, port: 9898, targetPort: 9898}]
          """.formatted(d[0].equals("podinfo") ? "podinfo-canary" : d[0], d[0]));
    }
    cluster.apply(route(80, 20));
    Path targets = state.resolve("targets.json");
    dataPlane = DataPlane.start(cluster.vertx(), cluster.client(), new DataPlane.Settings(ns, DemoApp.GATEWAY,
        DemoApp.HOST, targets, 0, 20)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    ProjectLayout project = ProjectLayout.find(java.util.Optional.of(PrometheusServer.projectDir()));
    prometheus = new PlaygroundPrometheus(project, new ScriptRunner(project.root(), System.out),
        "dp-" + ProcessHandle.current().pid(), freePort());
    prometheusUrl = prometheus.up(targets, state.resolve("prometheus.yml"));
  }

  @AfterAll
  static void stop() {
    if (dataPlane != null) {
      dataPlane.close();
    }
    if (prometheus != null) {
      prometheus.down();
    }
    if (http != null) {
      http.close();
    }
  }

  static String route(int primary, int canary) {
    return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: podinfo}
        spec:
          parentRefs: [{name: %s}]
          hostnames: [%s]
          rules:
          - backendRefs:
            - {name: podinfo-primary, port: 9898, weight: %d}
            - {name: podinfo-canary, port: 9898, weight: %d}
        """.formatted(DemoApp.GATEWAY, DemoApp.HOST, primary, canary);
  }

  /** Sends requests through the gateway (with the app's Host) and counts the versions that answered; 500s apart. */
  private Map<String, Integer> versions(int requests) throws Exception {
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < requests; i++) {
      String answer = http.request(new RequestOptions().setHost("127.0.0.1").setPort(dataPlane.gateway().port())
              .setURI("/").putHeader("Host", DemoApp.HOST))
          .compose(r -> r.send().compose(resp -> resp.body().map(b -> resp.statusCode() == 500 ? "500"
              : b.toString().replaceAll(".*\"version\":\"([^\"]+)\".*", "$1"))))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      seen.merge(answer, 1, Integer::sum);
    }
    return seen;
  }

  @Test
  @Order(1)
  void everyReadyPodIsServedAndScrapedWithItsKubernetesLabels() {
    cluster.await(Duration.ofSeconds(90)).untilAsserted(() ->
        assertThat(dataPlane.pods().snapshot().keySet()).hasSize(4)
            .anyMatch(p -> p.startsWith("podinfo-primary-")).anyMatch(p -> p.matches("podinfo-[a-z0-9]+-[a-z0-9]+")));
    CanaryReadings canary = new CanaryReadings(prometheusUrl, cluster.namespace(), "podinfo", java.time.Clock.systemUTC());
    cluster.await(Duration.ofSeconds(90)).untilAsserted(() -> {
      OptionalDouble rate = canary.query(canary.successRateQuery("1m"));
      assertThat(rate).as("the bad canary's success rate as Flagger's builtin query computes it").isPresent();
      assertThat(rate.getAsDouble()).isBetween(70.0, 90.0);
    });
    String primaryRate = "sum(rate(http_request_duration_seconds_count{kubernetes_namespace=\""
        + cluster.namespace() + "\",kubernetes_pod_name=~\"podinfo-primary-.*\",status!~\"5.*\"}[1m])) / "
        + "sum(rate(http_request_duration_seconds_count{kubernetes_namespace=\"" + cluster.namespace()
        + "\",kubernetes_pod_name=~\"podinfo-primary-.*\"}[1m])) * 100";
    cluster.await(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(canary.query(primaryRate)).as("the healthy primary").hasValue(100.0));
  }

  @Test
  @Order(2)
  void theGatewaySplitsByTheRoutesWeightsAndFollowsAChange() throws Exception {
    cluster.await(Duration.ofSeconds(90)).until(() -> dataPlane.pods().snapshot().size() == 4
        && dataPlane.gateway().route(DemoApp.HOST).isPresent());
    cluster.await(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(GatewayStatusController.accepted(
        cluster.client().genericKubernetesResources(GatewayStatusController.HTTP_ROUTES)
            .inNamespace(cluster.namespace()).withName("podinfo").get())).isTrue());

    Map<String, Integer> split = versions(500);
    int canary = split.getOrDefault("1.2.0-bad", 0) + split.getOrDefault("500", 0);
    assertThat(split.get("1.1.0") + canary).isEqualTo(500);
    assertThat(canary).as("about 20 %% of 500 to the canary: " + split).isBetween(60, 140);
    // each canary pod fails every fifth request it serves; the steady load shares those pods, so the test sees a sample
    assertThat(split.getOrDefault("500", 0)).as("about one in five canary answers fail: " + split)
        .isBetween(canary / 10, canary * 3 / 10);

    cluster.client().genericKubernetesResources(GatewayStatusController.HTTP_ROUTES).inNamespace(cluster.namespace())
        .withName("podinfo").patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"replace\",\"path\":"
            + "\"/spec/rules/0/backendRefs/0/weight\",\"value\":0},{\"op\":\"replace\",\"path\":"
            + "\"/spec/rules/0/backendRefs/1/weight\",\"value\":100}]");
    cluster.await(Duration.ofSeconds(10)).until(() -> dataPlane.gateway().route(DemoApp.HOST).get()
        .weight("podinfo-canary") == 100);
    assertThat(versions(50)).doesNotContainKey("1.1.0");
    assertThat(dataPlane.gateway().routedByService()).containsKeys("podinfo-primary", "podinfo-canary");
  }

  private static int freePort() throws java.io.IOException {
    try (var s = new java.net.ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
