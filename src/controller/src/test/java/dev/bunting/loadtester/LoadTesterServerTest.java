package dev.bunting.loadtester;

import static dev.bunting.hooks.RecordingServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bunting.api.CanaryPhase;
import dev.bunting.api.CanaryWebhook;
import dev.bunting.api.WebhookType;
import dev.bunting.hooks.LogCapture;
import dev.bunting.hooks.RecordingServer;
import dev.bunting.hooks.RecordingServer.Reply;
import dev.bunting.hooks.RetryBackoff;
import dev.bunting.hooks.WebhookCaller;
import dev.bunting.hooks.WebhookContext;
import dev.bunting.hooks.WebhookRun;
import dev.bunting.hooks.WebhookRunner;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bunting loadtester}'s HTTP API on a real server on a free port, answer by answer as flagger-loadtester's
 * ({@code pkg/loadtester/server_test.go} and the handler's order of checks), plus Bunting's {@code load} task.
 */
class LoadTesterServerTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static Vertx vertx;
  private LoadTesterServer server;
  private PrometheusRegistry registry;

  @TempDir
  Path dir;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    await(vertx.close());
  }

  @AfterEach
  void stop() {
    if (server != null) {
      await(server.close());
    }
  }

  private void start(boolean shell, String namespaceRegexp, Duration timeout) {
    registry = new PrometheusRegistry();
    server = await(new LoadTesterServer(vertx, registry, new InMemoryGateStore(),
        new LoadTesterServer.Settings(timeout, NamespaceAuthorizer.of(namespaceRegexp), shell))
        .listen("127.0.0.1", 0));
  }

  private void start(boolean shell) {
    start(shell, "", Duration.ofHours(1));
  }

  private record Answer(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  private Answer send(String method, String path, String body) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body());
  }

  private Answer task(Map<String, String> metadata) throws IOException, InterruptedException {
    return task("test", metadata);
  }

  private Answer task(String namespace, Map<String, String> metadata) throws IOException, InterruptedException {
    JsonObject payload = new JsonObject().put("name", "podinfo").put("namespace", namespace)
        .put("phase", "Progressing").put("checksum", "abc");
    if (metadata != null) {
      payload.put("metadata", new JsonObject(Map.copyOf(metadata)));
    }
    return send("POST", "/", payload.encode());
  }

  private String metrics() throws IOException, InterruptedException {
    return send("GET", "/metrics", null).body();
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET", "POST"})
  void healthzAnswersOk(String method) throws Exception {
    start(false);
    assertThat(send(method, "/healthz", null)).hasToString("200 OK");
  }

  @Test
  void metricsAreServedInThePrometheusFormat() throws Exception {
    start(true);
    task(Map.of("type", "bash", "cmd", "true"));
    assertThat(metrics()).contains("# TYPE bunting_loadtester_tasks_total counter",
        "bunting_loadtester_tasks_total{result=\"success\",type=\"bash\"} 1.0",
        "bunting_loadtester_tasks_running{type=\"bash\"} 0.0");
  }

  @Test
  void nameParametersServeOnlyTheFamiliesNamed() throws Exception {
    start(true);
    task(Map.of("type", "bash", "cmd", "true"));
    String counterOnly = send("GET", "/metrics?name%5B%5D=bunting_loadtester_tasks_total", null).body();
    assertThat(counterOnly).contains("bunting_loadtester_tasks_total{result=\"success\",type=\"bash\"} 1.0")
        .doesNotContain("bunting_loadtester_tasks_running");
    String two = send("GET",
        "/metrics?name%5B%5D=bunting_loadtester_tasks&name%5B%5D=bunting_loadtester_tasks_running", null).body();
    assertThat(two).as("a counter by its name without _total, and a gauge")
        .contains("bunting_loadtester_tasks_total{result=\"success\",type=\"bash\"} 1.0",
            "bunting_loadtester_tasks_running{type=\"bash\"} 0.0");
    assertThat(send("GET", "/metrics?name%5B%5D=no_such_metric", null)).hasToString("200 ");
  }

  @Test
  void bodiesThatAreNotPayloadsGet400() throws Exception {
    start(true);
    assertThat(send("POST", "/", null).status()).isEqualTo(400);
    assertThat(send("POST", "/", "not json"))
        .hasToString("400 decoding the request body failed: expected a JSON object");
    assertThat(send("POST", "/", "{\"name\":\"podinfo\",\"namespace\":\"test\",\"metadata\":{\"rate\":20}}"))
        .hasToString("400 decoding the request body failed: metadata.rate must be a string");
    assertThat(send("POST", "/", "{\"name\":7,\"namespace\":\"test\",\"metadata\":{\"cmd\":\"true\"}}"))
        .hasToString("400 decoding the request body failed: name must be a string");
  }

  @Test
  void aPayloadWithoutMetadataGets400() throws Exception {
    start(true);
    assertThat(task(null)).hasToString("400 metadata not found in payload");
    assertThat(task(Map.of())).hasToString("400 metadata not found in payload");
  }

  @Test
  void unknownAndUnsupportedTaskTypesGet400() throws Exception {
    start(true);
    assertThat(task(Map.of("type", "wrk", "cmd", "x"))).hasToString("400 unknown task type wrk");
    assertThat(task(Map.of("type", "concord"))).hasToString(
        "400 task type concord is not supported by Bunting's load tester; use flagger-loadtester for it");
    assertThat(task(Map.of("type", "bash"))).hasToString("400 cmd not found in metadata");
    assertThat(task(Map.of("logCmdOutput", "true"))).as("the default type is cmd")
        .hasToString("400 cmd not found in metadata");
  }

  @Test
  void shellTasksAreRefusedWith403UnlessEnabledAndRunNothing() throws Exception {
    start(false);
    File marker = dir.resolve("ran").toFile();
    for (String type : List.of("cmd", "bash", "kubectl", "helm", "helmv3")) {
      assertThat(task(Map.of("type", type, "cmd", "touch " + marker))).as(type)
          .hasToString("403 " + TaskRoutes.SHELL_DISABLED);
    }
    assertThat(task(Map.of("cmd", "touch " + marker))).as("no type").hasToString("403 " + TaskRoutes.SHELL_DISABLED);
    Thread.sleep(300);
    assertThat(marker).doesNotExist();
    assertThat(server.runningTasks()).isZero();
  }

  @Test
  void aNamespaceTheRegexpDoesNotMatchGets403ForTasksAndGates() throws Exception {
    start(true, "^team-", Duration.ofHours(1));
    assertThat(task("prod", Map.of("type", "bash", "cmd", "true"))).hasToString("403 Forbidden");
    assertThat(task("prod", Map.of("type", "load", "url", "http://127.0.0.1:1/"))).hasToString("403 Forbidden");
    assertThat(task("prod", null)).as("authorised before metadata is read, as Flagger").hasToString("403 Forbidden");
    String prod = "{\"name\":\"podinfo\",\"namespace\":\"prod\"}";
    for (String path : List.of("/gate/check", "/gate/open", "/gate/close", "/rollback/check", "/rollback/open",
        "/rollback/close")) {
      assertThat(send("POST", path, prod)).as(path).hasToString("403 Forbidden");
    }
    assertThat(task("team-a", Map.of("type", "bash", "cmd", "true"))).hasToString("200 ");
    assertThat(send("POST", "/gate/open", "{\"name\":\"podinfo\",\"namespace\":\"team-a\"}").status()).isEqualTo(202);
    assertThat(send("POST", "/gate/check", "{\"name\":\"podinfo\",\"namespace\":\"team-a\"}"))
        .hasToString("200 Approved");
  }

  @Test
  void theRegexpMatchesAnywhereUnlessAnchoredAsInGo() {
    assertThat(NamespaceAuthorizer.of("test").authorizes("my-test-ns")).isTrue();
    assertThat(NamespaceAuthorizer.of("^test$").authorizes("my-test-ns")).isFalse();
    assertThat(NamespaceAuthorizer.of("").authorizes("anything")).isTrue();
  }

  @Test
  void bashRunsBlockingAndAnswers200WithTheOutputOnlyWhenAsked() throws Exception {
    start(true);
    assertThat(task(Map.of("type", "bash", "cmd", "echo some-output-not-to-be-returned"))).hasToString("200 ");
    assertThat(task(Map.of("type", "bash", "cmd", "echo some-output-to-be-returned", "returnCmdOutput", "true")))
        .hasToString("200 some-output-to-be-returned\n");
  }

  @Test
  void aFailingBashCommandAnswers500WithFlaggersMessage() throws Exception {
    start(true);
    assertThat(task(Map.of("type", "bash", "cmd", "false"))).hasToString("500 command false failed: : exit status 1");
    assertThat(task(Map.of("type", "bash", "cmd", "echo broken >&2; exit 3")))
        .hasToString("500 command echo broken >&2; exit 3 failed: broken\n: exit status 3");
    assertThat(metrics()).contains("bunting_loadtester_tasks_total{result=\"failure\",type=\"bash\"} 2.0");
  }

  @Test
  void commandOutputIsLoggedOnlyWithLogCmdOutput() throws Exception {
    start(true);
    try (LogCapture logs = new LogCapture()) {
      task(Map.of("type", "bash", "cmd", "echo quiet-output"));
      task(Map.of("type", "bash", "cmd", "echo loud-output", "logCmdOutput", "true"));
      assertThat(logs.lines()).anyMatch(l -> l.contains("loud-output\n"))
          .noneMatch(l -> l.contains("quiet-output\n"))
          .anyMatch(l -> l.contains("command finished echo quiet-output"));
    }
  }

  @Test
  void aCommandIsKilledAfterTheTimeout() throws Exception {
    start(true, "", Duration.ofSeconds(1));
    long start = System.nanoTime();
    assertThat(task(Map.of("type", "bash", "cmd", "sleep 30 & sleep 30"))).hasToString(
        "500 command sleep 30 & sleep 30 failed: : timed out after 1s");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void kubectlAndHelmGetTheirArgumentsSplitOnSpaces() throws Exception {
    start(true);
    assumeTrue(onPath("kubectl"), "no kubectl on the PATH");
    assertThat(task(Map.of("type", "kubectl", "cmd", "version  --client", "returnCmdOutput", "true")).body())
        .contains("Client Version");
    if (!onPath("helm")) {
      assertThat(task(Map.of("type", "helm", "cmd", "version")).body())
          .startsWith("command version failed: : cannot run helm:");
    }
  }

  private static boolean onPath(String program) {
    for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(entry, program))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void cmdIsAsynchronousAndNotStartedAgainWhileTheSameCommandRuns() throws Exception {
    start(true);
    Path out = dir.resolve("runs");
    String cmd = "echo run >> " + out + "; sleep 2";
    long start = System.nanoTime();
    assertThat(task(Map.of("type", "cmd", "cmd", cmd))).hasToString("202 ");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("answered before the command ends")
        .isLessThan(Duration.ofMillis(1800));
    assertThat(task(Map.of("cmd", cmd))).hasToString("202 ");
    assertThat(task(Map.of("cmd", cmd))).hasToString("202 ");
    JsonObject other = new JsonObject().put("name", "other").put("namespace", "test")
        .put("metadata", new JsonObject().put("cmd", cmd));
    assertThat(send("POST", "/", other.encode())).as("another canary's task").hasToString("202 ");
    await().atMost(Duration.ofSeconds(10)).until(() -> server.runningTasks() == 0);
    assertThat(Files.readAllLines(out)).hasSize(2);

    assertThat(task(Map.of("cmd", cmd))).as("finished: it runs again").hasToString("202 ");
    await().atMost(Duration.ofSeconds(10)).until(() -> server.runningTasks() == 0);
    assertThat(Files.readAllLines(out)).hasSize(3);
    assertThat(metrics()).contains("bunting_loadtester_tasks_total{result=\"skipped\",type=\"cmd\"} 2.0",
        "bunting_loadtester_tasks_total{result=\"success\",type=\"cmd\"} 3.0");
  }

  @Test
  void gatesAnswerAsFlaggersAndStartClosed() throws Exception {
    start(false);
    String podinfo = "{\"name\":\"podinfo\",\"namespace\":\"test\"}";
    assertThat(send("GET", "/gate/approve", null)).hasToString("200 OK");
    assertThat(send("POST", "/gate/halt", podinfo)).hasToString("403 Forbidden");
    assertThat(send("POST", "/gate/check", podinfo)).hasToString("403 Forbidden");
    assertThat(send("POST", "/gate/open", podinfo)).hasToString("202 ");
    assertThat(send("POST", "/gate/check", podinfo)).hasToString("200 Approved");
    assertThat(send("POST", "/rollback/check", podinfo)).hasToString("403 Forbidden");
    assertThat(send("POST", "/gate/check", "{\"name\":\"Bad Name\",\"namespace\":\"test\"}"))
        .hasToString("400 expected a JSON payload with name and namespace");
    assertThat(send("GET", "/nothing-here", null).status()).isEqualTo(404);
  }

  // ----------------------------------------------------------------------------------------------------------------
  // the built-in load task

  @Test
  void aLoadTaskIsAsynchronousDeduplicatedAndReportsWhatItSent() throws Exception {
    start(false);
    try (RecordingServer target = RecordingServer.http(vertx)) {
      Map<String, String> load = Map.of("type", "load", "url", target.url("/api/echo"), "rate", "20",
          "duration", "1s", "method", "POST", "body", "{\"ping\":1}",
          "headers", "Host: podinfo-canary.test\nX-Test: a: b");
      Answer first = task(load);
      assertThat(first.status()).isEqualTo(202);
      assertThat(first.json().getString("load")).isEqualTo("started");
      assertThat(first.json().getString("canary")).isEqualTo("podinfo.test");
      Answer second = task(load);
      assertThat(second.json().getString("load")).isEqualTo("already running");
      assertThat(second.json().getJsonObject("run").getString("state")).isEqualTo("running");

      await().atMost(Duration.ofSeconds(10)).until(() -> server.runningTasks() == 0);
      assertThat(target.requests()).hasSize(20).allSatisfy(r -> {
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/api/echo");
        assertThat(r.body()).isEqualTo("{\"ping\":1}");
        assertThat(r.header("Host")).isEqualTo("podinfo-canary.test");
        assertThat(r.header("X-Test")).isEqualTo("a: b");
        assertThat(r.header("User-Agent")).isEqualTo("bunting-loadtester");
      });

      Answer third = task(load);
      assertThat(third.json().getString("load")).as("the previous run is over").isEqualTo("started");
      JsonObject previous = third.json().getJsonObject("previous");
      assertThat(previous.getString("state")).isEqualTo("completed");
      assertThat(previous.getLong("requests")).isEqualTo(20);
      assertThat(previous.getJsonObject("statusCodes").getLong("200")).isEqualTo(20);
      assertThat(previous.getJsonObject("latencyMs").getDouble("p99")).isPositive();
      await().atMost(Duration.ofSeconds(10)).until(() -> server.runningTasks() == 0);
      assertThat(metrics()).contains(
          "bunting_loadtester_requests_total{name=\"podinfo\",namespace=\"test\",status=\"200\"} 40.0",
          "bunting_loadtester_request_duration_seconds_count{name=\"podinfo\",namespace=\"test\"} 40",
          "bunting_loadtester_tasks_total{result=\"skipped\",type=\"load\"} 1.0",
          "bunting_loadtester_tasks_total{result=\"success\",type=\"load\"} 2.0");
    }
  }

  @Test
  void aLoadTaskRunsWithoutTheShellFlag() throws Exception {
    start(false);
    try (RecordingServer target = RecordingServer.http(vertx)) {
      assertThat(task(Map.of("type", "load", "url", target.url("/"), "rate", "5", "duration", "200ms")).status())
          .isEqualTo(202);
      await().atMost(Duration.ofSeconds(5)).until(() -> target.requests().size() == 1);
    }
  }

  @Test
  void aWaitingLoadAnswersItsFinalReportAnd500AboveMaxErrorPercentage() throws Exception {
    start(false);
    try (RecordingServer target = RecordingServer.http(vertx)) {
      target.respond(r -> target.requests().size() % 4 == 0 ? Reply.of(503) : Reply.of(200));
      Answer ok = task(Map.of("type", "load", "url", target.url("/"), "rate", "40", "duration", "500ms",
          "wait", "true"));
      assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
      JsonObject run = ok.json().getJsonObject("run");
      assertThat(run.getString("state")).isEqualTo("completed");
      assertThat(run.getLong("requests")).isEqualTo(20);
      assertThat(run.getJsonObject("statusCodes").getMap()).containsEntry("200", 15).containsEntry("503", 5);
      assertThat(run.getJsonObject("errors").getMap()).containsEntry("HTTP 503", 5);
      assertThat(run.getDouble("errorPercentage")).isEqualTo(25.0);

      Answer failed = task(Map.of("type", "load", "url", target.url("/"), "rate", "40", "duration", "500ms",
          "wait", "true", "maxErrorPercentage", "10"));
      assertThat(failed.status()).isEqualTo(500);
      assertThat(failed.body()).startsWith("{\"message\":\"error percentage 25.00% is above maxErrorPercentage 10%\"");
    }
  }

  @Test
  void badLoadMetadataGets400WithTheReasonAndStartsNothing() throws Exception {
    start(false);
    Map<Map<String, String>, String> cases = Map.of(
        Map.of("type", "load"), "url not found in metadata",
        Map.of("type", "load", "url", "ftp://x/"), "url must be an absolute http or https URL, got ftp://x/",
        Map.of("type", "load", "url", "http://x/", "rate", "0"),
        "rate must be more than 0 and at most 10000 requests per second, got 0",
        Map.of("type", "load", "url", "http://x/", "duration", "2h"),
        "duration 2h is longer than the load tester's --timeout 1h0m0s",
        Map.of("type", "load", "url", "http://x/", "duration", "soon"),
        "duration must be a duration such as 30s or 2m, got soon",
        Map.of("type", "load", "url", "http://x/", "concurrency", "1.5"),
        "concurrency must be a whole number from 1 to 10000, got 1.5",
        Map.of("type", "load", "url", "http://x/", "headers", "no colon"),
        "headers must be 'Name: value' lines, got 'no colon'",
        Map.of("type", "load", "url", "http://x/", "durration", "1m"),
        "unknown load metadata [durration] (known: url, rate, duration, concurrency, method, headers, body, "
            + "timeout, wait, maxErrorPercentage)",
        Map.of("type", "load", "url", "http://x/", "maxErrorPercentage", "5"),
        "maxErrorPercentage needs wait: \"true\" (an asynchronous load cannot fail the webhook)");
    for (Map.Entry<Map<String, String>, String> c : cases.entrySet()) {
      assertThat(task(c.getKey())).as(c.getKey().toString()).hasToString("400 " + c.getValue());
    }
    assertThat(server.runningTasks()).isZero();
  }

  @Test
  void bunting_sOwnWebhookCallerDrivesALoadAsARolloutHook() throws Exception {
    start(false);
    WebhookCaller caller = new WebhookCaller(vertx, new RetryBackoff(Duration.ofMillis(5), Duration.ofMillis(5)));
    try (RecordingServer target = RecordingServer.http(vertx)) {
      CanaryWebhook hook = new CanaryWebhook();
      hook.name = "load";
      hook.type = "rollout";
      hook.url = "http://127.0.0.1:" + server.port() + "/";
      hook.metadata = Map.of("type", "load", "url", target.url("/"), "rate", "10", "duration", "1s");
      WebhookContext context =
          new WebhookContext("podinfo", "test", CanaryPhase.PROGRESSING, "abc", Duration.ofSeconds(30));
      WebhookRun run = await(new WebhookRunner(caller).run(WebhookType.ROLLOUT, List.of(hook), context));
      assertThat(run.passed()).as("202 is a success for Bunting and Flagger").isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> target.requests().size() == 10);
    } finally {
      caller.close();
    }
  }
}
