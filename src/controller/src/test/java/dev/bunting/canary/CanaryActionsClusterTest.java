package dev.bunting.canary;

import static dev.bunting.canary.CanaryScenarios.BUILTIN_METRICS;
import static dev.bunting.canary.CanaryScenarios.deployment;
import static dev.bunting.canary.CanaryScenarios.gatewayCanary;
import static dev.bunting.canary.Timeline.phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryActionStatus;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.Condition;
import dev.bunting.cli.Main;
import dev.bunting.loadtester.GateRoutes;
import dev.bunting.loadtester.InMemoryGateStore;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.GatewayStatusController;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.ThirdPartyCrds;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import picocli.CommandLine;

/**
 * Rollout actions end to end on the real local control plane with the {@code gatewayapi:v1} provider and a real
 * Prometheus: each action asked for with the {@code bunting} commands (run in-process with the test cluster's
 * kubeconfig, as a user would run them) or with a plain {@code kubectl annotate}; each scenario asserts what the user
 * sees: the command's answer, phases, the HTTPRoute's weights, Deployments, status, conditions and Events.
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.GATEWAY_API)
@Execution(ExecutionMode.CONCURRENT)
class CanaryActionsClusterTest {
  private static final Duration RELEASE = Duration.ofMinutes(3);

  static TestCluster cluster;
  static BuntingUnderTest bunting;
  static HttpServer gates;
  static String gateUrl;

  @BeforeAll
  static void start(TestCluster testCluster) throws Exception {
    cluster = testCluster;
    // A cluster shared with another checkout may carry that checkout's Canary CRD (the last to start installs its
    // own); without status.lastAction, Bunting refuses every request, as it must.
    assertThat(Serialization.asJson(cluster.client().apiextensions().v1().customResourceDefinitions()
        .withName("canaries.flagger.app").get().getSpec().getVersions().get(0).getSchema()))
        .as("the cluster's Canary CRD is this checkout's (with status.lastAction)").contains("\"lastAction\"");
    bunting = BuntingUnderTest.start(cluster, "gatewayapi:v1");
    Router router = Router.router(cluster.vertx());
    router.route().handler(BodyHandler.create());
    new GateRoutes(new InMemoryGateStore()).mount(router);
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

  /** What one {@code bunting ...} run printed and returned. */
  record Run(int code, String out, String err) {}

  /** Runs {@code bunting <args> -n <namespace> --kubeconfig <the cluster's>} in-process. */
  private static Run bunting(String... args) {
    CommandLine cli = new CommandLine(new Main());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("-n", cluster.namespace(), "--kubeconfig", cluster.session().kubeconfigFile().toString()));
    int code = cli.execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  /** {@code kubectl annotate --overwrite canary/<name> bunting.dev/action=<value>}. */
  private static void annotate(String name, String value) {
    cluster.kubectl("-n", cluster.namespace(), "annotate", "--overwrite", "canary/" + name,
        ActionRequest.ANNOTATION + "=" + value).assertSuccess();
  }

  /** Waits until the controller records {@code value} as handled. */
  private static Canary handled(String name, String value) throws InterruptedException {
    return Timeline.record(bunting, name, name, c -> c.getStatus().lastAction != null
        && value.equals(c.getStatus().lastAction.request), Duration.ofSeconds(30)).last;
  }

  private static void install(String name, String analysis) throws InterruptedException {
    cluster.apply(deployment(name, "6.0.0"));
    cluster.apply(gatewayCanary(name, analysis));
    Timeline.record(bunting, name, name, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
  }

  /** A new revision, in analysis with traffic on the canary. */
  private static void progressingAtAWeight(String name) throws InterruptedException {
    CanaryScenarios.setImage(cluster, name, "6.0.1");
    Timeline.record(bunting, name, name, c -> c.getStatus().phaseOrNew() == CanaryPhase.PROGRESSING
        && c.getStatus().canaryWeightOrZero() > 0, RELEASE);
  }

  private static Deployment deploymentNamed(String name) {
    return cluster.client().apps().deployments().inNamespace(cluster.namespace()).withName(name).get();
  }

  private static String image(String name) {
    return deploymentNamed(name).getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private static Condition condition(Canary c, String type) {
    return Condition.find(c.getStatus().conditions, type).orElse(null);
  }

  private static long eventsContaining(String name, String text) {
    return bunting.events(name).stream().filter(m -> m.contains(text)).count();
  }

  @Test
  void abortRollsBackAtOnceAndARestartedControllerDoesNotActOnItAgain() throws Exception {
    String name = "abort-me";
    install(name, """
        interval: 10s
        threshold: 2
        stepWeight: 10
        maxWeight: 50
        """ + BUILTIN_METRICS);
    progressingAtAWeight(name);

    Run run = bunting("abort", name);
    assertThat(run.code()).as(run.toString()).isZero();
    assertThat(run.out()).contains("Requested abort of Canary " + cluster.namespace() + "/" + name
        + " (bunting.dev/action=abort@").contains("Abort done: aborted by user, rolled back: all traffic to "
        + name + "-primary, " + name + " scaled to zero");
    Canary failed = bunting.canary(name);
    assertThat(failed.getStatus().phase).as("the answer comes with the rollback").isEqualTo(CanaryPhase.FAILED);
    assertThat(failed.getStatus().canaryWeight).isZero();
    assertThat(bunting.routeCanaryWeight(name)).isZero();
    cluster.await().untilAsserted(() -> assertThat(deploymentNamed(name).getSpec().getReplicas()).isZero());
    assertThat(image(name + "-primary")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.0");
    assertThat(condition(failed, "Ready").message).startsWith("Canary aborted by user (bunting.dev/action=abort@");
    CanaryActionStatus handled = failed.getStatus().lastAction;
    assertThat(handled.result).isEqualTo(CanaryActionStatus.ACCEPTED);
    cluster.await().untilAsserted(() -> assertThat(eventsContaining(name, ": aborted by user, rolled back")).isOne());

    bunting.restart();
    // the new controller has reconciled this canary once its metrics show it failed
    cluster.await().untilAsserted(() -> assertThat(scrape()).contains("flagger_canary_status{name=\"" + name
        + "\",namespace=\"" + cluster.namespace() + "\"} 2.0"));
    Canary after = bunting.canary(name);
    assertThat(after.getMetadata().getAnnotations()).containsEntry(ActionRequest.ANNOTATION, handled.request);
    assertThat(after.getStatus().lastAction).usingRecursiveComparison().isEqualTo(handled);
    assertThat(after.getStatus().phase).isEqualTo(CanaryPhase.FAILED);
    assertThat(eventsContaining(name, "bunting.dev/action=")).as("acted on once").isOne();
  }

  @Test
  void promoteAsksConfirmPromotionAndForceSkipsTheRemainingSteps() throws Exception {
    String name = "promote-me";
    install(name, """
        interval: 10s
        threshold: 3
        stepWeight: 10
        maxWeight: 50
        webhooks:
        - name: approval
          type: confirm-promotion
          url: %s/gate/halt
        """.formatted(gateUrl) + BUILTIN_METRICS);
    progressingAtAWeight(name);

    Run refused = bunting("promote", name);
    assertThat(refused.code()).as(refused.toString()).isOne();
    assertThat(refused.err()).contains("Promote rejected: the confirm-promotion hooks did not approve");
    Canary still = bunting.canary(name);
    assertThat(still.getStatus().phase).isEqualTo(CanaryPhase.PROGRESSING);
    assertThat(image(name + "-primary")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.0");
    assertThat(condition(still, Condition.ACTION_REJECTED).reason).isEqualTo("ActionNotPossible");

    Run forced = bunting("promote", name, "--force");
    assertThat(forced.code()).as(forced.toString()).isZero();
    assertThat(forced.out()).contains("Promote --force done: skipping the rest of the analysis and the "
        + "confirm-promotion hooks: promoting revision v2:");
    int weightAtPromotion = bunting.canary(name).getStatus().canaryWeightOrZero();
    assertThat(weightAtPromotion).isBetween(10, 40);
    Timeline t = Timeline.record(bunting, name, name, phase(CanaryPhase.SUCCEEDED), RELEASE);
    assertThat(t.phases).as(t.toString()).startsWith(CanaryPhase.PROMOTING).doesNotContain(CanaryPhase.FAILED);
    assertThat(t.routeWeights).as("no step after the request").allMatch(w -> w <= weightAtPromotion);
    assertThat(image(name + "-primary")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");
    assertThat(condition(t.last, Condition.ACTION_REJECTED)).isNull();
  }

  @Test
  void pauseByAnnotationFreezesTheCanaryAndResumeContinues() throws Exception {
    String name = "pause-me";
    install(name, """
        interval: 10s
        threshold: 3
        stepWeight: 25
        maxWeight: 50
        """ + BUILTIN_METRICS);
    progressingAtAWeight(name);

    annotate(name, "pause");
    Canary paused = handled(name, "pause");
    int weight = paused.getStatus().canaryWeightOrZero();
    assertThat(paused.getStatus().lastAction.result).isEqualTo(CanaryActionStatus.ACCEPTED);
    assertThat(paused.getStatus().phase).isEqualTo(CanaryPhase.PROGRESSING);
    assertThat(condition(paused, Condition.PAUSED).message).startsWith("paused by bunting.dev/action=pause at "
        + "canary weight " + weight + " in phase Progressing");
    assertThat(condition(paused, Condition.RECONCILING).reason).isEqualTo("Paused");
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name)).anyMatch(m -> m.startsWith("Advance "
        + name + "." + cluster.namespace() + " canary weight " + weight)));
    long advances = eventsContaining(name, "Advance ");

    Thread.sleep(bunting.interval().multipliedBy(5).dividedBy(2).toMillis());
    Canary later = bunting.canary(name);
    assertThat(later.getStatus().canaryWeightOrZero()).as("weights kept").isEqualTo(weight);
    assertThat(bunting.routeCanaryWeight(name)).isEqualTo(weight);
    assertThat(later.getStatus().phase).isEqualTo(CanaryPhase.PROGRESSING);
    assertThat(eventsContaining(name, "Advance ")).as("no step while paused").isEqualTo(advances);

    Run status = bunting("status", name);
    assertThat(status.code()).isZero();
    assertThat(status.out()).contains("Phase:           Progressing (paused)",
        "Last decision:   Paused: paused by bunting.dev/action=pause", "Request:   bunting.dev/action=pause");
    Run table = bunting("status");
    assertThat(table.out().lines()).anyMatch(l -> l.matches(cluster.namespace() + "\\s+" + name
        + "\\s+Progressing \\(paused\\)\\s+" + weight + "\\s+0/3\\s+Paused: .*"));

    Run resumed = bunting("resume", name);
    assertThat(resumed.code()).as(resumed.toString()).isZero();
    assertThat(resumed.out()).contains("Resume done: resumed in phase Progressing");
    Timeline t = Timeline.record(bunting, name, name, phase(CanaryPhase.SUCCEEDED), RELEASE);
    assertThat(t.phases).as(t.toString()).containsSubsequence(CanaryPhase.PROGRESSING, CanaryPhase.PROMOTING,
        CanaryPhase.SUCCEEDED);
    assertThat(t.routeWeights).as(t.toString()).endsWith(0);
    assertThat(image(name + "-primary")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");
    assertThat(condition(t.last, Condition.PAUSED)).isNull();
  }

  @Test
  void retryByAnnotationRunsTheFailedRevisionAgainWithoutTouchingTheDeployment() throws Exception {
    String name = "retry-me";
    install(name, """
        interval: 10s
        threshold: 1
        stepWeight: 50
        maxWeight: 50
        webhooks:
        - name: dependency-check
          type: rollout
          url: %s/gate/check
        """.formatted(gateUrl) + BUILTIN_METRICS);
    CanaryScenarios.setImage(cluster, name, "6.0.1");
    Timeline failed = Timeline.record(bunting, name, name, phase(CanaryPhase.FAILED), RELEASE);
    assertThat(failed.phases).doesNotContain(CanaryPhase.PROMOTING);
    assertThat(image(name + "-primary")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.0");
    var template = deploymentNamed(name).getSpec().getTemplate();
    String revision = failed.last.getStatus().lastAppliedSpec;

    gate(name);
    annotate(name, "retry");
    Canary retried = handled(name, "retry");
    assertThat(retried.getStatus().lastAction.result).isEqualTo(CanaryActionStatus.ACCEPTED);
    Timeline t = Timeline.record(bunting, name, name, phase(CanaryPhase.SUCCEEDED), RELEASE);
    assertThat(t.phases).as(t.toString()).contains(CanaryPhase.PROMOTING);
    assertThat(t.last.getStatus().lastPromotedSpec).isEqualTo(revision);
    assertThat(image(name + "-primary")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");
    assertThat(deploymentNamed(name).getSpec().getTemplate()).as("no pod-template bump").isEqualTo(template);
    assertThat(bunting.events(name)).contains("Retrying the analysis of " + name + "." + cluster.namespace()
        + ": scaling up " + name);
  }

  @Test
  void aBadValueGetsAConditionAndAnEventAndNothingElseChanges() throws Exception {
    String name = "bad-value";
    install(name, """
        interval: 10s
        threshold: 3
        stepWeight: 10
        maxWeight: 50
        """ + BUILTIN_METRICS);
    // generations: spec changes only (controllers keep writing the objects' status)
    long route = routeGeneration(name);
    long target = deploymentNamed(name).getMetadata().getGeneration();
    long primary = deploymentNamed(name + "-primary").getMetadata().getGeneration();

    annotate(name, "explode");
    Canary invalid = handled(name, "explode");
    assertThat(invalid.getStatus().lastAction.result).isEqualTo(CanaryActionStatus.INVALID);
    Condition rejected = condition(invalid, Condition.ACTION_REJECTED);
    assertThat(rejected.status).isEqualTo("True");
    assertThat(rejected.reason).isEqualTo("InvalidAction");
    assertThat(rejected.message).startsWith("bunting.dev/action=explode invalid: unknown action 'explode'; use "
        + "ACTION[,force][@ID]");
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name)).contains(rejected.message));
    assertThat(invalid.getStatus().phase).isEqualTo(CanaryPhase.INITIALIZED);
    assertThat(condition(invalid, Condition.READY).status).isEqualTo("True");
    assertThat(routeGeneration(name)).isEqualTo(route);
    assertThat(deploymentNamed(name).getMetadata().getGeneration()).isEqualTo(target);
    assertThat(deploymentNamed(name + "-primary").getMetadata().getGeneration()).isEqualTo(primary);

    Run retry = bunting("retry", name);
    assertThat(retry.code()).isOne();
    assertThat(retry.err()).contains("Retry rejected: retry runs the analysis of a Failed canary again; the canary "
        + "is Initialized");
    Canary after = bunting.canary(name);
    assertThat(condition(after, Condition.ACTION_REJECTED).reason).isEqualTo("ActionNotPossible");
    assertThat(after.getStatus().phase).isEqualTo(CanaryPhase.INITIALIZED);
    assertThat(deploymentNamed(name).getSpec().getReplicas()).isZero();
    assertThat(routeGeneration(name)).isEqualTo(route);
  }

  private static long routeGeneration(String name) {
    return cluster.client().genericKubernetesResources(GatewayStatusController.HTTP_ROUTES)
        .inNamespace(cluster.namespace()).withName(name).get().getMetadata().getGeneration();
  }

  /** Opens the load tester gate of {@code name}, which its {@code /gate/check} hook asks. */
  private static void gate(String name) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gateUrl + "/gate/open"))
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"name\":\"" + name + "\",\"namespace\":\"" + cluster.namespace() + "\"}"))
        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(202);
  }

  private static String scrape() throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + bunting.app().httpPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }
}
