package dev.bunting.canary;

import static dev.bunting.canary.CanaryScenarios.BUILTIN_METRICS;
import static dev.bunting.canary.CanaryScenarios.deployment;
import static dev.bunting.canary.CanaryScenarios.kubernetesCanary;
import static dev.bunting.canary.Timeline.phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.loadtester.InMemoryGateStore;
import dev.bunting.loadtester.LoadTesterServer;
import dev.bunting.loadtester.NamespaceAuthorizer;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.LocalCluster;
import dev.bunting.notify.AlertSignature;
import dev.bunting.testing.TestCluster;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Canaries whose analysis traffic comes from Bunting's load tester and nothing else: the pods' metrics count only
 * the requests really served ({@code BuntingUnderTest.startWithDrivenTraffic}), the load tester runs in this JVM with
 * shell tasks off, each Canary starts a {@code load} task against its {@code -canary} Service from a
 * {@code pre-rollout} hook and keeps it going from a {@code rollout} hook, and the real Prometheus judges what that
 * load measured. A canary without the hooks shows the other side: no load, no data, no promotion. The healthy canary
 * also alerts a {@code generic} AlertProvider whose Secret holds a signing key.
 */
@LocalCluster
@Execution(ExecutionMode.CONCURRENT)
class LoadTesterCanaryClusterTest {
  private static final Duration RELEASE = Duration.ofMinutes(3);

  static TestCluster cluster;
  static BuntingUnderTest bunting;
  static LoadTesterServer loadTester;
  static HttpServer receiver;
  /** Generic alerts received: the body as sent and its signature header. */
  static final List<String[]> alerts = new CopyOnWriteArrayList<>();
  private static final String SIGNING_KEY = "cluster-test-signing-key";

  @BeforeAll
  static void start(TestCluster testCluster) throws Exception {
    cluster = testCluster;
    bunting = BuntingUnderTest.startWithDrivenTraffic(cluster, "kubernetes");
    loadTester = new LoadTesterServer(cluster.vertx(), new PrometheusRegistry(), new InMemoryGateStore(),
        new LoadTesterServer.Settings(Duration.ofMinutes(10), NamespaceAuthorizer.of("^" + cluster.namespace() + "$"),
            false))
        .listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    receiver = cluster.vertx().createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      alerts.add(new String[] {body.toString(), req.getHeader(AlertSignature.HEADER)});
      req.response().end("ok");
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (receiver != null) {
      receiver.close();
    }
    if (loadTester != null) {
      loadTester.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (bunting != null) {
      bunting.close();
    }
  }

  /** The same load from a pre-rollout hook (traffic before the first check) and a rollout hook (it keeps going). */
  private static String loadHooks(String name) {
    String load = """
          url: %s/
          metadata:
            type: load
            url: %s
            headers: "Host: %s-canary.%s"
            rate: "20"
            duration: 30s
        """.formatted("http://127.0.0.1:" + loadTester.port(), bunting.appMetrics().frontDoorUrl().orElseThrow(),
        name, cluster.namespace());
    return "webhooks:\n- name: start load\n  type: pre-rollout\n" + load + "- name: keep load\n  type: rollout\n"
        + load;
  }

  private static void install(String name, String extra) throws InterruptedException {
    cluster.apply(deployment(name, "6.0.0"));
    cluster.apply(kubernetesCanary(name, """
        interval: 10s
        threshold: 2
        iterations: 2
        """ + extra + BUILTIN_METRICS));
    Timeline.record(bunting, name, null, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
  }

  private static String id(String name) {
    return name + "." + cluster.namespace();
  }

  @Test
  void aHealthyRevisionIsPromotedOnTheMetricsOfTheLoadItWasSent() throws Exception {
    String name = "steady";
    cluster.apply("""
        apiVersion: v1
        kind: Secret
        metadata: {name: releases-api}
        stringData: {address: "http://127.0.0.1:%d/alerts", signingKey: %s}
        ---
        apiVersion: flagger.app/v1beta1
        kind: AlertProvider
        metadata: {name: releases-api}
        spec: {type: generic, secretRef: {name: releases-api}}
        """.formatted(receiver.actualPort(), SIGNING_KEY));
    install(name, loadHooks(name) + """
        alerts:
        - name: releases
          severity: info
          providerRef: {name: releases-api}
        """);
    assertThat(bunting.appMetrics().servedByService()).as("nothing is sent before the release starts")
        .doesNotContainKey(name + "-canary");

    CanaryScenarios.setImage(cluster, name, "6.0.1");
    Timeline t = Timeline.record(bunting, name, null, phase(CanaryPhase.SUCCEEDED), RELEASE);

    assertThat(t.phases).as(t.toString()).containsSubsequence(CanaryPhase.PROGRESSING, CanaryPhase.PROMOTING,
        CanaryPhase.SUCCEEDED);
    assertThat(bunting.canary(name).getStatus().failedChecksOrZero()).as("data from the first check on").isZero();
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name))
        .anyMatch(m -> m.startsWith("Advance " + id(name) + " canary iteration 2/2")
            && m.contains("request-success-rate=100%"))
        .contains("Promotion completed! Scaling down " + id(name)));
    long served = bunting.appMetrics().servedByService().getOrDefault(name + "-canary", 0L);
    assertThat(served).as("requests the canary's pods served").isGreaterThan(200);
    assertThat(sentByLoadTester(name, "200")).as("the load tester's count of the same requests")
        .isCloseTo(served, org.assertj.core.data.Offset.offset(40L));

    String revision = bunting.canary(name).getStatus().lastAppliedSpec;
    cluster.await().untilAsserted(() -> assertThat(alerts).extracting(a -> new JsonObject(a[0]))
        .filteredOn(a -> a.getString("canary").equals(name))
        .extracting(a -> a.getString("phase") + ": " + a.getString("message"))
        .contains("Progressing: New revision detected, progressing canary analysis.",
            "Succeeded: Canary analysis completed successfully, promotion finished."));
    assertThat(alerts).allSatisfy(a -> assertThat(a[1]).as("signed")
        .isEqualTo(AlertSignature.of(a[0].getBytes(StandardCharsets.UTF_8), SIGNING_KEY)));
    JsonObject succeeded = alerts.stream().map(a -> new JsonObject(a[0]))
        .filter(a -> a.getString("phase").equals("Succeeded")).findFirst().orElseThrow();
    assertThat(succeeded.getString("revision")).isEqualTo(revision);
    assertThat(succeeded.getString("namespace")).isEqualTo(cluster.namespace());
    assertThat(succeeded.getJsonObject("fields").getString("Target")).isEqualTo("Deployment/" + id(name));
  }

  @Test
  void aBadRevisionIsRolledBackOnTheErrorsTheLoadMet() throws Exception {
    String name = "faulty";
    install(name, loadHooks(name));
    CanaryScenarios.setImage(cluster, name, "6.0.1-bad");
    Timeline t = Timeline.record(bunting, name, null, phase(CanaryPhase.FAILED), RELEASE);

    assertThat(t.phases).as(t.toString()).doesNotContain(CanaryPhase.PROMOTING);
    assertThat(cluster.client().apps().deployments().inNamespace(cluster.namespace()).withName(name + "-primary")
        .get().getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.0");
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name))
        .anyMatch(m -> m.startsWith("Halt " + id(name) + " advancement success rate ") && m.endsWith("% < 99%"))
        .contains("Canary failed! Scaling down " + id(name)));
    assertThat(sentByLoadTester(name, "500")).as("the 5xx answers the load tester counted").isPositive();
  }

  @Test
  void withoutTheLoadThereIsNoDataAndTheCanaryFails() throws Exception {
    String name = "idle";
    install(name, "");
    CanaryScenarios.setImage(cluster, name, "6.0.1");
    Canary failed = Timeline.record(bunting, name, null, phase(CanaryPhase.FAILED), RELEASE).last;

    assertThat(failed.getStatus().failedChecksOrZero()).isEqualTo(2);
    cluster.await().untilAsserted(() -> assertThat(bunting.events(name))
        .anyMatch(m -> m.startsWith("Halt advancement no values found for kubernetes metric request-success-rate")));
    assertThat(bunting.appMetrics().servedByService()).doesNotContainKey(name + "-canary");
  }

  /** {@code bunting_loadtester_requests_total} of canary {@code name} with {@code status}, from /metrics. */
  private static long sentByLoadTester(String name, String status) throws Exception {
    String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + loadTester.port() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = Pattern.compile("bunting_loadtester_requests_total\\{name=\"" + Pattern.quote(name)
        + "\",namespace=\"" + Pattern.quote(cluster.namespace()) + "\",status=\"" + status + "\"} ([0-9.]+)")
        .matcher(metrics);
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }
}
