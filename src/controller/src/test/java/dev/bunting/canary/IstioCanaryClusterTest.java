package dev.bunting.canary;

import static dev.bunting.canary.CanaryScenarios.BUILTIN_METRICS;
import static dev.bunting.canary.CanaryScenarios.deployment;
import static dev.bunting.canary.Timeline.phase;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.Condition;
import dev.bunting.canary.router.IstioRouter;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.IstioMetrics;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.ThirdPartyCrds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The canary engine with the {@code istio} provider on the real local control plane, with Istio's own CRDs: kwok pods,
 * real Deployment rollouts, a real Prometheus reading the pods' traffic as Istio's sidecars report it
 * ({@link IstioMetrics}), so Flagger's builtin {@code istio} queries decide. The scenarios are Flagger's documented
 * Istio Canaries (progressive delivery, A/B testing, blue/green mirroring, session affinity) with a 10 s interval and
 * few steps, a rollback, and a VirtualService the user already had, taken over and given back on deletion. They run
 * at the same time against one Bunting; each asserts what a user sees: phases, the VirtualService's weights and
 * routes, Deployments, status and Events.
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.ISTIO)
@Execution(ExecutionMode.CONCURRENT)
class IstioCanaryClusterTest {
  private static final Duration RELEASE = Duration.ofMinutes(4);

  static TestCluster cluster;
  static BuntingUnderTest bunting;

  @BeforeAll
  static void start(TestCluster testCluster) throws Exception {
    cluster = testCluster;
    bunting = BuntingUnderTest.start(cluster, "istio", List.of(IstioMetrics.FAMILY));
  }

  @AfterAll
  static void stop() throws Exception {
    if (bunting != null) {
      bunting.close();
    }
  }

  /** Flagger's Istio Canary: {@code service} and {@code analysis} are the indented bodies of those fields. */
  private static String istioCanary(String name, String service, String analysis) {
    return """
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: %1$s
        spec:
          provider: istio
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: %1$s}
          progressDeadlineSeconds: 120
          service:
        %2$s
          analysis:
        %3$s
        """.formatted(name, service.indent(4).stripTrailing(), analysis.indent(4).stripTrailing());
  }

  private static void install(String name, String canary) throws InterruptedException {
    cluster.apply(deployment(name, "6.0.0"));
    cluster.apply(canary);
    Timeline.recordWeights(bunting, name, null, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
  }

  private static GenericKubernetesResource object(String kind, String name) {
    return cluster.client().genericKubernetesResources(IstioRouter.GROUP + "/" + IstioRouter.VERSION, kind)
        .inNamespace(cluster.namespace()).withName(name).get();
  }

  private static JsonNode vs(String name) {
    GenericKubernetesResource vs = object("VirtualService", name);
    return vs == null ? null : Serialization.jsonMapper().valueToTree(vs);
  }

  /** The canary weight of the VirtualService's weighted route (the last one with {@code <svc>-canary}); -1 if none. */
  private static int canaryWeight(String service) {
    JsonNode vs = vs(service);
    int weight = -1;
    if (vs != null) {
      for (JsonNode route : vs.at("/spec/http")) {
        for (JsonNode d : route.path("route")) {
          if ((service + "-canary").equals(d.at("/destination/host").asText())) {
            weight = d.path("weight").asInt(0);
          }
        }
      }
    }
    return weight;
  }

  private static Timeline release(String name, String tag, CanaryPhase until) throws InterruptedException {
    CanaryScenarios.setImage(cluster, name, tag);
    return Timeline.recordWeights(bunting, name, () -> canaryWeight(name), phase(until), RELEASE);
  }

  private static String image(String deployment) {
    return cluster.client().apps().deployments().inNamespace(cluster.namespace()).withName(deployment).get()
        .getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private static String id(String name) {
    return name + "." + cluster.namespace();
  }

  @Test
  void theProgressiveDeliveryTutorialIsPromotedStepByStep() throws Exception {
    String name = "tutorial";
    install(name, istioCanary(name, """
        port: 9898
        targetPort: 9898
        gateways: [istio-system/public-gateway]
        hosts: [app.example.com]
        trafficPolicy: {tls: {mode: DISABLE}}
        retries: {attempts: 3, perTryTimeout: 1s, retryOn: "gateway-error,connect-failure,refused-stream"}
        """, """
        interval: 10s
        threshold: 3
        maxWeight: 50
        stepWeight: 25
        """ + BUILTIN_METRICS));
    JsonNode initial = vs(name);
    assertThat(initial.at("/spec/hosts").toString()).isEqualTo("[\"app.example.com\",\"" + name + "\"]");
    assertThat(initial.at("/spec/gateways").toString()).isEqualTo("[\"istio-system/public-gateway\"]");
    assertThat(initial.at("/spec/http/0/retries/attempts").asInt()).isEqualTo(3);
    assertThat(initial.at("/metadata/ownerReferences/0/kind").asText()).isEqualTo("Canary");
    for (String dr : List.of(name + "-primary", name + "-canary")) {
      JsonNode rule = Serialization.jsonMapper().valueToTree(object("DestinationRule", dr));
      assertThat(rule.at("/spec/host").asText()).isEqualTo(dr);
      assertThat(rule.at("/spec/trafficPolicy/tls/mode").asText()).isEqualTo("DISABLE");
    }
    assertThat(canaryWeight(name)).isZero();

    Timeline t = release(name, "6.0.1", CanaryPhase.SUCCEEDED);

    assertThat(t.routeWeights).as(t.toString()).containsExactly(0, 25, 50, 0);
    assertThat(t.phases).containsSubsequence(CanaryPhase.PROGRESSING, CanaryPhase.PROMOTING, CanaryPhase.FINALISING,
        CanaryPhase.SUCCEEDED);
    assertThat(image(name + "-primary")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");
    assertThat(Condition.find(t.last.getStatus().conditions, "Promoted").get().status).isEqualTo("True");
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name))
        .anyMatch(m -> m.startsWith("Advance " + id(name) + " canary weight 50 (")
            && m.contains("request-success-rate=100%") && m.contains("request-duration="))
        .contains("Promotion completed! Scaling down " + id(name)));
  }

  @Test
  void aBadRevisionFailsTheBuiltinSuccessRateAndRollsBack() throws Exception {
    String name = "faulty";
    install(name, istioCanary(name, "port: 9898", """
        interval: 10s
        threshold: 2
        maxWeight: 50
        stepWeight: 25
        """ + BUILTIN_METRICS));

    Timeline t = release(name, "6.0.1-bad", CanaryPhase.FAILED);

    assertThat(t.phases).doesNotContain(CanaryPhase.PROMOTING);
    assertThat(t.routeWeights).as(t.toString()).startsWith(0, 25).endsWith(0);
    assertThat(canaryWeight(name)).as("all traffic back on the primary").isZero();
    assertThat(image(name + "-primary")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.0");
    assertThat(cluster.client().apps().deployments().inNamespace(cluster.namespace()).withName(name).get().getSpec()
        .getReplicas()).as("canary scaled to zero").isZero();
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name))
        .anyMatch(m -> m.startsWith("Halt " + id(name) + " advancement success rate ") && m.endsWith("% < 99%"))
        .contains("Canary failed! Scaling down " + id(name)));
  }

  @Test
  void theAbTestingTutorialSendsMatchedRequestsToTheCanaryForItsIterations() throws Exception {
    String name = "abtest";
    install(name, istioCanary(name, """
        port: 9898
        gateways: [istio-system/public-gateway]
        hosts: [app.example.com]
        """, """
        interval: 10s
        iterations: 2
        threshold: 2
        match:
        - headers: {user-agent: {regex: ".*Firefox.*"}}
        - headers: {cookie: {regex: "^(.*?;)?(type=insider)(;.*)?$"}}
        """ + BUILTIN_METRICS));
    CanaryScenarios.setImage(cluster, name, "6.0.1");
    Timeline.recordWeights(bunting, name, () -> canaryWeight(name), c -> c.getStatus().iterationsOrZero() >= 1, RELEASE);
    JsonNode testing = vs(name);
    assertThat(testing.at("/spec/http/0/match/0/headers/user-agent/regex").asText()).isEqualTo(".*Firefox.*");
    assertThat(testing.at("/spec/http/0/route/1/weight").asInt()).as("matched requests go to the canary")
        .isEqualTo(100);
    assertThat(testing.at("/spec/http/1/route/0/destination/host").asText()).isEqualTo(name + "-primary");

    Timeline t = Timeline.recordWeights(bunting, name, () -> canaryWeight(name), phase(CanaryPhase.SUCCEEDED), RELEASE);
    assertThat(image(name + "-primary")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");
    assertThat(canaryWeight(name)).isZero();
    assertThat(vs(name).at("/spec/http").size()).isEqualTo(2);
    assertThat(t.phases).contains(CanaryPhase.SUCCEEDED);
  }

  @Test
  void blueGreenMirroringCopiesRequestsDuringTheIterations() throws Exception {
    String name = "mirror";
    install(name, istioCanary(name, "port: 9898", """
        interval: 10s
        iterations: 2
        threshold: 2
        mirror: true
        mirrorWeight: 50
        """ + BUILTIN_METRICS));
    CanaryScenarios.setImage(cluster, name, "6.0.1");

    cluster.await(RELEASE).untilAsserted(() -> {
      JsonNode vs = vs(name);
      assertThat(vs.at("/spec/http/0/mirror/host").asText()).isEqualTo(name + "-canary");
      assertThat(vs.at("/spec/http/0/mirrorPercentage/value").asInt()).isEqualTo(50);
      assertThat(canaryWeight(name)).as("mirrored, not shifted").isZero();
    });
    Timeline t = Timeline.recordWeights(bunting, name, () -> canaryWeight(name), phase(CanaryPhase.SUCCEEDED), RELEASE);

    assertThat(t.routeWeights).as("all traffic to the canary before the primary rolls out: " + t).contains(100)
        .endsWith(0);
    assertThat(vs(name).at("/spec/http/0/mirror").isMissingNode()).isTrue();
    assertThat(image(name + "-primary")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name))
        .contains("Start traffic mirroring for " + id(name)));
  }

  @Test
  void sessionAffinityKeepsEachVisitorOnOneReleaseAndExpiresTheCookieAfterwards() throws Exception {
    String name = "sticky";
    install(name, istioCanary(name, "port: 9898", """
        interval: 10s
        threshold: 3
        maxWeight: 50
        stepWeight: 50
        sessionAffinity: {cookieName: flagger-cookie, maxAge: 21600}
        """ + BUILTIN_METRICS));
    CanaryScenarios.setImage(cluster, name, "6.0.1");

    Canary progressing = Timeline.recordWeights(bunting, name, () -> canaryWeight(name),
        c -> c.getStatus().canaryWeightOrZero() == 50, RELEASE).last;
    String cookie = progressing.getStatus().sessionAffinityCookie;
    assertThat(cookie).matches("flagger-cookie=[a-zA-Z]{10}");
    String value = cookie.substring(cookie.indexOf('=') + 1);
    JsonNode sticky = vs(name);
    assertThat(sticky.at("/spec/http/0/match/0/headers/Cookie/regex").asText())
        .isEqualTo(".*flagger-cookie.*" + value + ".*");
    assertThat(sticky.at("/spec/http/0/route/1/weight").asInt()).isEqualTo(100);
    assertThat(sticky.at("/spec/http/1/route/1/headers/response/add/Set-Cookie").asText())
        .isEqualTo(cookie + "; Max-Age=21600");

    Canary done = Timeline.recordWeights(bunting, name, () -> canaryWeight(name), phase(CanaryPhase.SUCCEEDED), RELEASE).last;
    assertThat(done.getStatus().sessionAffinityCookie).isNull();
    assertThat(done.getStatus().previousSessionAffinityCookie).isEqualTo(cookie);
    JsonNode after = vs(name);
    assertThat(after.at("/spec/http/0/headers/response/add/Set-Cookie").asText()).isEqualTo(cookie + "; Max-Age=-1");
    assertThat(after.at("/spec/http/1/route/1/weight").asInt()).isZero();
  }

  @Test
  void aVirtualServiceTheUserHadIsTakenOverAndGivenBackWhenTheCanaryIsDeleted() throws Exception {
    String name = "owned";
    cluster.apply(deployment(name, "6.0.0"));
    cluster.apply("""
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata: {name: %1$s, labels: {team: web}}
        spec:
          hosts: [%1$s]
          exportTo: ["."]
          http:
          - timeout: 5s
            route: [{destination: {host: %1$s}}]
        """.formatted(name));
    JsonNode original = vs(name).at("/spec");
    cluster.apply(istioCanary(name, "port: 9898", """
        interval: 10s
        threshold: 3
        stepWeight: 50
        """).replace("  provider: istio\n", "  provider: istio\n  revertOnDeletion: true\n"));
    Timeline.recordWeights(bunting, name, () -> canaryWeight(name), phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));

    JsonNode taken = vs(name);
    assertThat(taken.at("/spec/exportTo").isMissingNode()).as("the spec is Bunting's as a whole").isTrue();
    assertThat(taken.at("/spec/http/0/route/0/destination/host").asText()).isEqualTo(name + "-primary");
    assertThat(taken.at("/metadata/labels/team").asText()).isEqualTo("web");
    assertThat(taken.at("/metadata/ownerReferences").isMissingNode()).isTrue();
    assertThat(Serialization.jsonMapper().readTree(taken.at("/metadata/annotations").path(
        IstioRouter.ORIGINAL_CONFIGURATION).asText())).isEqualTo(original);

    cluster.client().resources(Canary.class).inNamespace(cluster.namespace()).withName(name).delete();
    cluster.await(Duration.ofMinutes(2)).untilAsserted(() ->
        assertThat(bunting.canary(name)).as("finalized").isNull());
    JsonNode given = vs(name);
    assertThat(given).as("the user's VirtualService outlives the Canary").isNotNull();
    assertThat(given.at("/spec")).isEqualTo(original);
    assertThat(cluster.client().apps().deployments().inNamespace(cluster.namespace()).withName(name).get()
        .getSpec().getReplicas()).as("the target serves again").isPositive();
  }
}
