package dev.bunting.hooks;

import static dev.bunting.hooks.RecordingServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.CanaryPhase;
import dev.bunting.api.CanaryWebhook;
import dev.bunting.hooks.RecordingServer.Reply;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookCallerTest {
  private static final Duration BUDGET = Duration.ofSeconds(60);
  private static final WebhookContext PODINFO =
      new WebhookContext("podinfo", "test", CanaryPhase.PROGRESSING, "85d557f47b", BUDGET);

  private Vertx vertx;
  private RecordingServer server;
  private WebhookCaller caller;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    server = RecordingServer.http(vertx);
    caller = new WebhookCaller(vertx, new RetryBackoff(Duration.ofMillis(10), Duration.ofMillis(40)));
  }

  @AfterEach
  void tearDown() {
    caller.close();
    server.close();
    await(vertx.close());
  }

  static CanaryWebhook hook(String name, String url) {
    CanaryWebhook hook = new CanaryWebhook();
    hook.name = name;
    hook.url = url;
    return hook;
  }

  private WebhookResult call(CanaryWebhook hook) {
    return await(caller.call(hook, WebhookPayload.of(PODINFO, hook.metadata), BUDGET));
  }

  @Test
  void postsFlaggersPayloadAsJson() {
    CanaryWebhook hook = hook("load-test", server.url("/"));
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("type", "cmd");
    metadata.put("cmd", "hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/");
    hook.metadata = metadata;

    WebhookResult result = call(hook);

    assertThat(result).isEqualTo(WebhookResult.success("load-test", 200, "HTTP 200: OK", 1));
    assertThat(server.requests()).singleElement().satisfies(r -> {
      assertThat(r.method()).isEqualTo("POST");
      assertThat(r.path()).isEqualTo("/");
      assertThat(r.header("Content-Type")).isEqualTo("application/json");
      assertThat(r.body()).isEqualTo("{\"name\":\"podinfo\",\"namespace\":\"test\",\"phase\":\"Progressing\","
          + "\"checksum\":\"85d557f47b\",\"metadata\":{\"type\":\"cmd\","
          + "\"cmd\":\"hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/\"}}");
    });
  }

  @Test
  void omitsEmptyMetadata() {
    CanaryWebhook hook = hook("gate", server.url("/gate/check"));
    hook.metadata = Map.of();

    call(hook);

    assertThat(server.requests()).singleElement().extracting(RecordingServer.Recorded::body).isEqualTo(
        "{\"name\":\"podinfo\",\"namespace\":\"test\",\"phase\":\"Progressing\",\"checksum\":\"85d557f47b\"}");
  }

  @ParameterizedTest
  @ValueSource(ints = {200, 201, 202})
  void statusUpTo202IsSuccess(int status) {
    server.always(Reply.of(status, "fine"));

    WebhookResult result = call(hook("h", server.url("/")));

    assertThat(result.success()).isTrue();
    assertThat(result.statusCode()).isEqualTo(status);
  }

  @ParameterizedTest
  @ValueSource(ints = {203, 204, 206, 302, 400, 403, 404, 500})
  void statusAbove202IsFailureWithStatusAndBody(int status) {
    server.always(Reply.of(status, status == 204 ? "" : "not\n  today"));

    WebhookResult result = call(hook("h", server.url("/")));

    assertThat(result.success()).isFalse();
    assertThat(result.statusCode()).isEqualTo(status);
    assertThat(result.message()).isEqualTo(status == 204 ? "HTTP 204" : "HTTP " + status + ": not today");
    assertThat(result.attempts()).isEqualTo(1);
  }

  @Test
  void longBodiesAreCutToAnExcerpt() {
    server.always(Reply.of(500, "x".repeat(5000)));

    WebhookResult result = call(hook("h", server.url("/")));

    assertThat(result.message()).startsWith("HTTP 500: xxx").hasSizeLessThan(220);
  }

  @Test
  void connectionRefusedIsFailure() {
    int port = RecordingServer.unusedPort();

    WebhookResult result = call(hook("h", "http://127.0.0.1:" + port + "/"));

    assertThat(result.success()).isFalse();
    assertThat(result.statusCode()).isZero();
    assertThat(result.message()).startsWith("connection failed:");
  }

  @Test
  void slowReceiverTimesOutWithinTheHookTimeout() {
    server.always(Reply.of(200).delayed(5000));
    CanaryWebhook hook = hook("slow", server.url("/"));
    hook.timeout = "300ms";

    long start = System.nanoTime();
    WebhookResult result = call(hook);
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;

    assertThat(result).isEqualTo(WebhookResult.failure("slow", 0, "timed out after 300ms", 1));
    assertThat(elapsedMs).isBetween(250L, 2000L);
  }

  @Test
  void aReceiverThatNeverAnswersIsCutAtEachAttemptsTimeout() {
    server.always(Reply.hang());
    CanaryWebhook hook = hook("hung", server.url("/"));
    hook.timeout = "200ms";
    hook.retries = 2;

    WebhookResult result = call(hook);

    assertThat(result).isEqualTo(WebhookResult.failure("hung", 0, "timed out after 200ms", 3));
    assertThat(server.requests()).hasSize(3);
  }

  @Test
  void aDroppedConnectionIsARetriedFailure() {
    server.always(Reply.dropConnection());
    CanaryWebhook hook = hook("dropped", server.url("/"));
    hook.retries = 1;

    WebhookResult result = call(hook);

    assertThat(result.success()).isFalse();
    assertThat(result.attempts()).isEqualTo(2);
    assertThat(result.message()).startsWith("request failed:");

    java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
    server.respond(r -> seen.getAndIncrement() == 0 ? Reply.dropConnection() : Reply.of(200, "ok"));
    assertThat(call(hook)).isEqualTo(WebhookResult.success("dropped", 200, "HTTP 200: ok", 2));
  }

  @Test
  void retriesUntilSuccess() {
    server.inOrder(Reply.of(500, "boom"), Reply.of(503, "busy"), Reply.of(200, "ok"));
    CanaryWebhook hook = hook("flaky", server.url("/"));
    hook.retries = 2;

    WebhookResult result = call(hook);

    assertThat(result).isEqualTo(WebhookResult.success("flaky", 200, "HTTP 200: ok", 3));
    assertThat(server.requests()).hasSize(3)
        .allSatisfy(r -> assertThat(r.json().getString("name")).isEqualTo("podinfo"));
  }

  @Test
  void givesUpAfterTheConfiguredRetries() {
    server.always(Reply.of(500, "boom"));
    CanaryWebhook hook = hook("broken", server.url("/"));
    hook.retries = 2;

    WebhookResult result = call(hook);

    assertThat(result).isEqualTo(WebhookResult.failure("broken", 500, "HTTP 500: boom", 3));
    assertThat(server.requests()).hasSize(3);
  }

  @Test
  void withoutRetriesCallsOnce() {
    server.always(Reply.of(500, "boom"));

    call(hook("once", server.url("/")));

    assertThat(server.requests()).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(ints = {403, 404, 501, 204})
  void clientErrorsAnd501AreNotRetried(int status) {
    server.always(Reply.of(status, "closed"));
    CanaryWebhook hook = hook("gate", server.url("/gate/check"));
    hook.retries = 3;

    WebhookResult result = call(hook);

    assertThat(result.success()).isFalse();
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void retriesConnectionErrors() {
    int port = RecordingServer.unusedPort();
    CanaryWebhook hook = hook("down", "http://127.0.0.1:" + port + "/");
    hook.retries = 2;

    WebhookResult result = call(hook);

    assertThat(result.success()).isFalse();
    assertThat(result.attempts()).isEqualTo(3);
  }

  @Test
  void retriesStopWithinTheRetryBudget() {
    WebhookCaller slowBackoff = new WebhookCaller(vertx, new RetryBackoff(Duration.ofMillis(300),
        Duration.ofMillis(300)));
    server.always(Reply.of(500, "boom"));
    CanaryWebhook hook = hook("flaky", server.url("/"));
    hook.retries = 20;

    long start = System.nanoTime();
    WebhookResult result = await(slowBackoff.call(hook, WebhookPayload.of(PODINFO, null), Duration.ofMillis(1000)));
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    slowBackoff.close();

    assertThat(result.success()).isFalse();
    assertThat(result.message()).isEqualTo("HTTP 500: boom (no retry left within the analysis interval)");
    assertThat(server.requests()).hasSizeBetween(2, 4);
    assertThat(result.attempts()).isEqualTo(server.requests().size());
    assertThat(elapsedMs).isLessThan(1500);
  }

  @Test
  void honoursRetryAfterOn429() {
    server.inOrder(new Reply(429, "slow down", 0, Map.of("Retry-After", "0")), Reply.of(200, "ok"));
    CanaryWebhook hook = hook("limited", server.url("/"));
    hook.retries = 1;

    assertThat(call(hook).success()).isTrue();
    assertThat(server.requests()).hasSize(2);
  }

  @Test
  void userInfoBecomesBasicAuthentication() {
    CanaryWebhook hook = hook("auth", server.url("/").replace("http://", "http://bob:s3cret@"));

    WebhookResult result = call(hook);

    assertThat(result.success()).isTrue();
    assertThat(server.requests()).singleElement().extracting(r -> r.header("Authorization"))
        .isEqualTo("Basic " + Base64.getEncoder().encodeToString("bob:s3cret".getBytes()));
  }

  @Test
  void invalidUrlFailsWithoutACall() {
    WebhookResult result = call(hook("bad", "loadtester.test/gate"));

    assertThat(result).isEqualTo(WebhookResult.failure("bad", 0,
        "invalid webhook URL <invalid url> (need an absolute http or https URL)", 0));
  }

  @Test
  void disableTlsAcceptsASelfSignedCertificate() {
    try (RecordingServer https = RecordingServer.https(vertx)) {
      CanaryWebhook strict = hook("strict", https.url("/"));
      CanaryWebhook lax = hook("lax", https.url("/"));
      lax.disableTLS = true;
      lax.retries = 2;
      strict.retries = 2;

      WebhookResult refused = call(strict);
      WebhookResult accepted = call(lax);

      assertThat(refused.success()).isFalse();
      assertThat(refused.message()).startsWith("TLS handshake failed");
      assertThat(refused.attempts()).as("certificate errors are not retried").isEqualTo(1);
      assertThat(accepted).isEqualTo(WebhookResult.success("lax", 200, "HTTP 200: OK", 1));
      assertThat(https.requests()).singleElement()
          .satisfies(r -> assertThat(r.json().getString("phase")).isEqualTo("Progressing"));
    }
  }
}
