package dev.bunting.canary;

import static dev.bunting.canary.CanaryScenarios.BUILTIN_METRICS;
import static dev.bunting.canary.CanaryScenarios.deployment;
import static dev.bunting.canary.CanaryScenarios.gatewayCanary;
import static dev.bunting.canary.Timeline.phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.Condition;
import dev.bunting.loadtester.GateRoutes;
import dev.bunting.loadtester.InMemoryGateStore;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.ThirdPartyCrds;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The canary engine with the {@code gatewayapi:v1} provider on the real local control plane: kwok pods, real
 * Deployment rollouts, a real Prometheus measuring the pods, HTTPRoutes accepted by a gateway's status controller.
 * The scenarios run at the same time against one Bunting, each with its own Deployment and Canary, as canaries in a
 * real namespace do; each asserts what a user sees: phases, the HTTPRoute's weights, Deployments, status and Events.
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.GATEWAY_API)
@Execution(ExecutionMode.CONCURRENT)
class GatewayApiCanaryClusterTest {
  private static final Duration RELEASE = Duration.ofMinutes(4);

  static TestCluster cluster;
  static BuntingUnderTest bunting;
  static HttpServer gates;
  static String gateUrl;
  /** Slack messages received by the test's webhook endpoint (the AlertProvider's address). */
  static final java.util.List<io.vertx.core.json.JsonObject> slack = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  static void start(TestCluster testCluster) throws Exception {
    cluster = testCluster;
    bunting = BuntingUnderTest.start(cluster, "gatewayapi:v1");
    Router router = Router.router(cluster.vertx());
    router.route().handler(BodyHandler.create());
    new GateRoutes(new InMemoryGateStore()).mount(router);
    router.post("/slack").handler(ctx -> {
      slack.add(ctx.body().asJsonObject());
      ctx.response().end("ok");
    });
    gates = cluster.vertx().createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    gateUrl = "http://127.0.0.1:" + gates.actualPort();
  }

  @AfterAll
  static void stop() throws Exception {
    if (gates != null) {
      gates.close();
    }
    if (bunting != null) {
      bunting.close();
    }
  }

  private static void install(String name, String analysis) throws InterruptedException {
    cluster.apply(deployment(name, "6.0.0"));
    cluster.apply(gatewayCanary(name, analysis));
    Timeline.record(bunting, name, name, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
  }

  private static void setImage(String name, String tag) {
    CanaryScenarios.setImage(cluster, name, tag);
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

  private static void gate(String path, String name) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gateUrl + path))
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"name\":\"" + name + "\",\"namespace\":\"" + cluster.namespace() + "\"}"))
        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(202);
  }

  @Test
  void aHealthyRevisionIsPromotedStepByStep() throws Exception {
    String name = "healthy";
    cluster.apply("""
        apiVersion: flagger.app/v1beta1
        kind: AlertProvider
        metadata: {name: on-call}
        spec: {type: slack, channel: releases, address: "%s/slack"}
        """.formatted(gateUrl));
    install(name, """
        interval: 10s
        threshold: 3
        stepWeight: 25
        maxWeight: 50
        alerts:
        - name: on-call
          severity: info
          providerRef: {name: on-call}
        """ + BUILTIN_METRICS);
    assertThat(deploymentNamed(name + "-primary").getStatus().getReadyReplicas()).isEqualTo(2);
    assertThat(deploymentNamed(name).getSpec().getReplicas()).as("the target is scaled to zero").isZero();
    assertThat(bunting.routeCanaryWeight(name)).isZero();
    for (String svc : new String[] {name, name + "-primary", name + "-canary"}) {
      assertThat(cluster.client().services().inNamespace(cluster.namespace()).withName(svc).get()).as(svc).isNotNull();
    }

    setImage(name, "6.0.1");
    Timeline t = Timeline.record(bunting, name, name, phase(CanaryPhase.SUCCEEDED), RELEASE);

    assertThat(t.routeWeights).as(t.toString()).containsExactly(0, 25, 50, 0);
    assertThat(t.phases).as(t.toString()).containsSubsequence(CanaryPhase.PROGRESSING, CanaryPhase.PROMOTING,
        CanaryPhase.FINALISING, CanaryPhase.SUCCEEDED);
    assertThat(image(name + "-primary")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");
    cluster.await(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(deploymentNamed(name + "-primary").getStatus().getUpdatedReplicas()).isEqualTo(2));
    assertThat(deploymentNamed(name).getSpec().getReplicas()).isZero();
    Canary done = bunting.canary(name);
    assertThat(Condition.find(done.getStatus().conditions, "Promoted").get().status).isEqualTo("True");
    assertThat(Condition.find(done.getStatus().conditions, "Ready").get().status).isEqualTo("True");
    assertThat(done.getStatus().observedGeneration).isEqualTo(done.getMetadata().getGeneration());
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name))
        .anyMatch(m -> m.startsWith("Advance " + id(name) + " canary weight 50 ("))
        .anyMatch(m -> m.contains("request-success-rate=100%"))
        .contains("New revision detected! Scaling up " + id(name),
            "Copying " + id(name) + " template spec to " + name + "-primary." + cluster.namespace(),
            "Promotion completed! Scaling down " + id(name)));
    cluster.await().untilAsserted(() -> assertThat(slack.stream()
        .filter(m -> m.getJsonArray("attachments").getJsonObject(0).getString("author_name").equals(id(name)))
        .map(m -> m.getJsonArray("attachments").getJsonObject(0).getString("text")))
        .contains("New revision detected, progressing canary analysis.",
            "Canary analysis completed successfully, promotion finished."));
    assertThat(slack).allSatisfy(m -> assertThat(m.getString("channel")).isEqualTo("releases"));
    String metrics = scrape();
    assertThat(metrics).contains("flagger_canary_successes_total{analysis_status=\"completed\","
        + "deployment_strategy=\"canary\",name=\"" + name + "\",namespace=\"" + cluster.namespace() + "\"} 1.0");
    assertThat(metrics).contains("flagger_canary_status{name=\"" + name + "\",namespace=\"" + cluster.namespace()
        + "\"} 1.0");
  }

  @Test
  void aBadRevisionReachesTheThresholdAndRollsBack() throws Exception {
    String name = "bad";
    install(name, """
        interval: 10s
        threshold: 2
        stepWeight: 10
        maxWeight: 50
        """ + BUILTIN_METRICS);
    setImage(name, "6.0.1-bad");
    Timeline t = Timeline.record(bunting, name, name, phase(CanaryPhase.FAILED), RELEASE);

    assertThat(t.phases).as(t.toString()).doesNotContain(CanaryPhase.PROMOTING);
    Canary failed = t.last;
    assertThat(failed.getStatus().failedChecks).isEqualTo(2);
    assertThat(failed.getStatus().canaryWeight).isZero();
    assertThat(bunting.routeCanaryWeight(name)).as("all traffic back on the primary").isZero();
    assertThat(deploymentNamed(name).getSpec().getReplicas()).as("canary scaled to zero").isZero();
    assertThat(image(name + "-primary")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.0");
    Condition ready = Condition.find(failed.getStatus().conditions, "Ready").get();
    assertThat(ready.status).isEqualTo("False");
    assertThat(ready.message).contains("failed checks threshold reached 2");
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name))
        .anyMatch(m -> m.startsWith("Halt " + id(name) + " advancement success rate ") && m.endsWith("% < 99%"))
        .contains("Canary failed! Scaling down " + id(name)));
    assertThat(scrape()).contains("flagger_canary_status{name=\"" + name + "\",namespace=\"" + cluster.namespace()
        + "\"} 2.0");
  }

  @Test
  void aRevisionChangedMidAnalysisRestartsTheRun() throws Exception {
    String name = "changed";
    install(name, """
        interval: 10s
        threshold: 3
        stepWeight: 20
        maxWeight: 40
        """ + BUILTIN_METRICS);
    setImage(name, "6.0.1");
    Timeline.record(bunting, name, name, c -> c.getStatus().canaryWeightOrZero() == 20, RELEASE);
    String firstRevision = bunting.canary(name).getStatus().lastAppliedSpec;
    setImage(name, "6.0.2");
    Timeline t = Timeline.record(bunting, name, name, phase(CanaryPhase.SUCCEEDED), RELEASE);

    // the weight was 20 before the change; the restart may set it to 0 before the first poll of this timeline
    assertThat(t.statusWeights.get(0)).as(t.toString()).isIn(20, 0);
    assertThat(t.statusWeights).as(t.toString()).containsSubsequence(0, 20, 40, 0);
    assertThat(t.routeWeights).as(t.toString()).containsSubsequence(0, 20, 40, 0);
    assertThat(bunting.canary(name).getStatus().lastPromotedSpec).isNotEqualTo(firstRevision);
    assertThat(image(name + "-primary")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.2");
    assertThat(bunting.events(name)).contains("New revision detected! Restarting analysis for " + id(name));
  }

  @Test
  void aConfirmPromotionGateHoldsWaitingPromotionUntilItOpens() throws Exception {
    String name = "gated";
    install(name, """
        interval: 10s
        threshold: 3
        stepWeight: 50
        maxWeight: 50
        webhooks:
        - name: approval
          type: confirm-promotion
          url: %s/gate/check
        """.formatted(gateUrl) + BUILTIN_METRICS);
    setImage(name, "6.0.1");
    Timeline.record(bunting, name, name, phase(CanaryPhase.WAITING_PROMOTION), RELEASE);
    Thread.sleep(bunting.interval().multipliedBy(2).toMillis());
    Canary waiting = bunting.canary(name);
    assertThat(waiting.getStatus().phase).isEqualTo(CanaryPhase.WAITING_PROMOTION);
    assertThat(waiting.getStatus().canaryWeight).as("the weight the route really has").isEqualTo(50);
    assertThat(bunting.routeCanaryWeight(name)).isEqualTo(50);
    assertThat(image(name + "-primary")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.0");

    gate("/gate/open", name);
    Timeline t = Timeline.record(bunting, name, name, phase(CanaryPhase.SUCCEEDED), RELEASE);
    assertThat(t.phases).containsSubsequence(CanaryPhase.WAITING_PROMOTION, CanaryPhase.PROMOTING,
        CanaryPhase.SUCCEEDED);
    assertThat(image(name + "-primary")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");
  }

  @Test
  void aRollbackWebhookAbortsTheRelease() throws Exception {
    String name = "aborted";
    install(name, """
        interval: 10s
        threshold: 3
        stepWeight: 10
        maxWeight: 50
        webhooks:
        - name: abort
          type: rollback
          url: %s/rollback/check
        """.formatted(gateUrl) + BUILTIN_METRICS);
    setImage(name, "6.0.1");
    Timeline.record(bunting, name, name, c -> c.getStatus().canaryWeightOrZero() >= 10, RELEASE);
    gate("/rollback/open", name);
    Timeline t = Timeline.record(bunting, name, name, phase(CanaryPhase.FAILED), RELEASE);
    assertThat(t.phases).doesNotContain(CanaryPhase.PROMOTING);
    assertThat(bunting.routeCanaryWeight(name)).isZero();
    assertThat(deploymentNamed(name).getSpec().getReplicas()).isZero();
    assertThat(image(name + "-primary")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.0");
  }

  @Test
  void badInputGetsAConditionAndAnEventAndChangesNothing() throws Exception {
    String name = "orphan";
    cluster.apply(gatewayCanary(name, """
        interval: 10s
        threshold: 3
        stepWeight: 10
        metrics:
        - name: latency
          templateRef: {name: does-not-exist}
          thresholdRange: {max: 500}
        """));
    Canary stalled = Timeline.record(bunting, name, null, c -> Condition.find(c.getStatus().conditions, "Stalled")
        .isPresent(), Duration.ofSeconds(60)).last;
    Condition c = Condition.find(stalled.getStatus().conditions, "Stalled").get();
    assertThat(c.reason).isEqualTo("TargetNotFound");
    assertThat(c.message).isEqualTo("Deployment " + cluster.namespace() + "/" + name + " not found");
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name)).contains(c.message));
    assertThat(cluster.client().services().inNamespace(cluster.namespace()).withName(name + "-canary").get())
        .as("nothing created for a canary without a target").isNull();

    cluster.apply(deployment(name, "6.0.0"));
    Canary template = Timeline.record(bunting, name, null, cn -> Condition.find(cn.getStatus().conditions, "Stalled")
        .map(s -> s.reason.equals("MetricTemplateNotFound")).orElse(false), Duration.ofSeconds(60)).last;
    assertThat(Condition.find(template.getStatus().conditions, "Stalled").get().message)
        .isEqualTo("MetricTemplate " + cluster.namespace() + "/does-not-exist referenced by metric latency not found");
    assertThat(deploymentNamed(name + "-primary")).as("no primary while the input is bad").isNull();
    assertThat(deploymentNamed(name).getSpec().getReplicas()).as("target untouched").isEqualTo(2);
  }

  /**
   * Flagger's CRD declares {@code threshold} as {@code type: number}, so the API server stores 2.5. That Canary is
   * reported and left alone; the canary engine goes on watching and releasing every other Canary (a value it could not
   * read used to stop the whole Canary informer).
   */
  @Test
  void aNumberTheCrdAcceptsButAWholeNumberFieldCannotHoldIsReportedAndStopsNoOtherCanary() throws Exception {
    String name = "fractional";
    cluster.apply(deployment(name, "6.0.0"));
    cluster.apply(gatewayCanary(name, """
        interval: 10s
        threshold: 2.5
        stepWeight: 10
        """ + BUILTIN_METRICS));
    // read as generic objects: a typed fabric8 client (as this test's is) cannot read this Canary at all
    cluster.await().untilAsserted(() -> {
      Map<String, Object> stalled = stalledCondition(name);
      assertThat(stalled).as("Stalled condition").isNotNull();
      assertThat(stalled.get("reason")).isEqualTo("InvalidSpec");
      assertThat((String) stalled.get("message")).contains("spec.analysis.threshold: 2.5 is not a whole number");
    });
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name))
        .anyMatch(m -> m.contains("spec.analysis.threshold: 2.5 is not a whole number")));
    assertThat(deploymentNamed(name + "-primary")).as("nothing created for it").isNull();

    String other = "after-fractional";
    install(other, """
        interval: 10s
        threshold: 2
        stepWeight: 50
        maxWeight: 50
        """ + BUILTIN_METRICS);
    setImage(other, "6.0.1");
    Timeline.record(bunting, other, other, phase(CanaryPhase.SUCCEEDED), RELEASE);

    cluster.client().genericKubernetesResources(Canary.API_VERSION, "Canary").inNamespace(cluster.namespace())
        .withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"analysis\":{\"threshold\":2}}}");
    Timeline.record(bunting, name, name, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
  }

  /**
   * Flagger's CRD sets no length on {@code targetRef.name}: a 1.2 MB name is stored. The status that reports it quotes
   * the name cut to a kilobyte; the whole name twice over would make the status write larger than the API server takes.
   */
  @Test
  void aMegabyteTargetNameIsReportedWithTheNameCut() throws Exception {
    String name = "huge-target";
    String target = "x".repeat(1_200_000);
    cluster.apply(gatewayCanary(name, "interval: 10s\nthreshold: 2\nstepWeight: 10\n" + BUILTIN_METRICS)
        .replace("name: " + name + "}", "name: " + target + "}"));
    assertThat(bunting.canary(name).getSpec().targetRef.name).hasSize(target.length());
    Canary stalled = Timeline.record(bunting, name, null, c -> Condition.find(c.getStatus().conditions, "Stalled")
        .isPresent(), Duration.ofSeconds(60)).last;
    Condition c = Condition.find(stalled.getStatus().conditions, "Stalled").get();
    assertThat(c.reason).isEqualTo("TargetNotFound");
    assertThat(c.message).startsWith("Deployment " + cluster.namespace() + "/xxxxxxxx").hasSizeLessThanOrEqualTo(1024);
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name))
        .anyMatch(m -> m.startsWith("Deployment " + cluster.namespace() + "/xxxxxxxx") && m.length() <= 1024));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> stalledCondition(String canary) {
    var c = cluster.client().genericKubernetesResources(Canary.API_VERSION, "Canary").inNamespace(cluster.namespace())
        .withName(canary).get();
    Map<String, Object> status = c == null ? null : (Map<String, Object>) c.getAdditionalProperties().get("status");
    List<Map<String, Object>> conditions = status == null ? List.of()
        : (List<Map<String, Object>>) status.getOrDefault("conditions", List.of());
    return conditions.stream().filter(x -> "Stalled".equals(x.get("type"))).findFirst().orElse(null);
  }

  private static String scrape() throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + bunting.app().httpPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }
}
