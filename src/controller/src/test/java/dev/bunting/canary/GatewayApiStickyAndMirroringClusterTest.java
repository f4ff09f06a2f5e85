package dev.bunting.canary;

import static dev.bunting.canary.CanaryScenarios.BUILTIN_METRICS;
import static dev.bunting.canary.CanaryScenarios.deployment;
import static dev.bunting.canary.CanaryScenarios.gatewayCanary;
import static dev.bunting.canary.Timeline.phase;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.GatewayStatusController;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.ThirdPartyCrds;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Session affinity and blue/green mirroring with the {@code gatewayapi:v1} provider on the real local control plane:
 * the HTTPRoute's sticky rules and {@code Set-Cookie} filters during a release and the expiring rule after it, and the
 * {@code RequestMirror} filter during the iterations, gone after a promotion and after a rollback.
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.GATEWAY_API)
@Execution(ExecutionMode.CONCURRENT)
class GatewayApiStickyAndMirroringClusterTest {
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

  private static void install(String name, String analysis) throws InterruptedException {
    cluster.apply(deployment(name, "6.0.0"));
    cluster.apply(gatewayCanary(name, analysis));
    Timeline.record(bunting, name, name, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
  }

  private static JsonNode route(String name) {
    return Serialization.jsonMapper().valueToTree(cluster.client()
        .genericKubernetesResources(GatewayStatusController.HTTP_ROUTES).inNamespace(cluster.namespace())
        .withName(name).get());
  }

  private static boolean mirrored(JsonNode route) {
    for (JsonNode rule : route.at("/spec/rules")) {
      for (JsonNode filter : rule.path("filters")) {
        if ("RequestMirror".equals(filter.path("type").asText())) {
          return true;
        }
      }
    }
    return false;
  }

  /** The canary weight of the last rule with both backends (the weighted one). */
  private static int weightedCanary(String name) {
    int weight = -1;
    for (JsonNode rule : route(name).at("/spec/rules")) {
      if (rule.path("backendRefs").size() == 2) {
        weight = rule.at("/backendRefs/1/weight").asInt();
      }
    }
    return weight;
  }

  @Test
  void stickySessionsPinVisitorsDuringTheReleaseAndTheCookieIsExpiredAfterwards() throws Exception {
    String name = "sticky";
    install(name, """
        interval: 10s
        threshold: 3
        maxWeight: 50
        stepWeight: 50
        sessionAffinity: {cookieName: flagger-cookie, primaryCookieName: primary-cookie, maxAge: 3600, path: /}
        """ + BUILTIN_METRICS);
    CanaryScenarios.setImage(cluster, name, "6.0.1");

    Canary progressing = Timeline.recordWeights(bunting, name, () -> weightedCanary(name),
        c -> c.getStatus().canaryWeightOrZero() == 50, RELEASE).last;
    String canaryCookie = progressing.getStatus().sessionAffinityCookie;
    String primaryCookie = progressing.getStatus().primarySessionAffinityCookie;
    assertThat(canaryCookie).matches("flagger-cookie=[a-zA-Z]{10}");
    assertThat(primaryCookie).matches("primary-cookie=[a-zA-Z]{10}");
    JsonNode sticky = route(name);
    assertThat(sticky.at("/spec/rules").size()).isEqualTo(3);
    assertThat(sticky.at("/spec/rules/0/matches/0/headers/0/value").asText())
        .isEqualTo(".*flagger-cookie.*" + canaryCookie.substring(canaryCookie.indexOf('=') + 1) + ".*");
    assertThat(sticky.at("/spec/rules/0/backendRefs/1/weight").asInt()).isEqualTo(100);
    assertThat(sticky.at("/spec/rules/1/backendRefs/0/weight").asInt()).isEqualTo(100);
    assertThat(sticky.at("/spec/rules/2/backendRefs/1/filters/0/responseHeaderModifier/add/0/value").asText())
        .isEqualTo(canaryCookie + "; Max-Age=3600; Path=/");
    assertThat(sticky.at("/spec/rules/2/backendRefs/0/filters/0/responseHeaderModifier/add/0/value").asText())
        .isEqualTo(primaryCookie + "; Max-Age=10; Path=/");

    Canary done = Timeline.record(bunting, name, name, phase(CanaryPhase.SUCCEEDED), RELEASE).last;
    assertThat(done.getStatus().previousSessionAffinityCookie).isEqualTo(canaryCookie);
    assertThat(done.getStatus().sessionAffinityCookie).isNull();
    JsonNode after = route(name);
    assertThat(after.at("/spec/rules").size()).isEqualTo(2);
    assertThat(after.at("/spec/rules/0/filters/0/responseHeaderModifier/add/0/value").asText())
        .isEqualTo(canaryCookie + "; Max-Age=-1");
    assertThat(weightedCanary(name)).isZero();
  }

  @Test
  void blueGreenMirroringMirrorsDuringTheIterationsOnly() throws Exception {
    String name = "shadow";
    install(name, """
        interval: 10s
        threshold: 2
        iterations: 2
        mirror: true
        """ + BUILTIN_METRICS);
    CanaryScenarios.setImage(cluster, name, "6.0.1");

    cluster.await(RELEASE).untilAsserted(() -> {
      assertThat(mirrored(route(name))).isTrue();
      assertThat(weightedCanary(name)).isZero();
    });
    Timeline t = Timeline.record(bunting, name, name, phase(CanaryPhase.SUCCEEDED), RELEASE);

    assertThat(t.routeWeights).as(t.toString()).contains(100).endsWith(0);
    assertThat(mirrored(route(name))).isFalse();
  }

  @Test
  void aRollbackWhileMirroringRemovesTheMirror() throws Exception {
    String name = "shadowfail";
    install(name, """
        interval: 10s
        threshold: 1
        iterations: 3
        mirror: true
        """ + BUILTIN_METRICS);
    CanaryScenarios.setImage(cluster, name, "6.0.1-bad");

    cluster.await(RELEASE).untilAsserted(() -> assertThat(mirrored(route(name))).isTrue());
    Timeline t = Timeline.record(bunting, name, name, phase(CanaryPhase.FAILED), RELEASE);

    assertThat(t.routeWeights).as("traffic never left the primary: " + t).containsOnly(0);
    cluster.await(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(mirrored(route(name))).as("no requests copied to the failed canary").isFalse());
  }
}
