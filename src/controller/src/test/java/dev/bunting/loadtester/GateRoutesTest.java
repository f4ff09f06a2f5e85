package dev.bunting.loadtester;

import static dev.bunting.hooks.RecordingServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.CanaryPhase;
import dev.bunting.api.CanaryWebhook;
import dev.bunting.api.WebhookType;
import dev.bunting.hooks.RetryBackoff;
import dev.bunting.hooks.WebhookCaller;
import dev.bunting.hooks.WebhookContext;
import dev.bunting.hooks.WebhookRun;
import dev.bunting.hooks.WebhookRunner;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GateRoutesTest {
  private static final JsonObject PODINFO = new JsonObject().put("name", "podinfo").put("namespace", "test")
      .put("phase", "Progressing").put("checksum", "abc");

  private Vertx vertx;
  private HttpServer server;
  private WebClient client;
  private InMemoryGateStore gates;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    gates = new InMemoryGateStore();
    Router router = new GateRoutes(gates).mount(Router.router(vertx));
    server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    client = WebClient.create(vertx);
  }

  @AfterEach
  void tearDown() {
    client.close();
    await(server.close());
    await(vertx.close());
  }

  private HttpResponse<Buffer> post(String path, JsonObject body) {
    return await(client.post(server.actualPort(), "127.0.0.1", path).sendJsonObject(body));
  }

  private static String answer(HttpResponse<Buffer> response) {
    return response.statusCode() + " " + (response.bodyAsString() == null ? "" : response.bodyAsString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"POST", "GET"})
  void approveAndHaltAlwaysAnswerTheSame(String method) {
    HttpMethod m = HttpMethod.valueOf(method);
    assertThat(answer(await(client.request(m, server.actualPort(), "127.0.0.1", "/gate/approve").send())))
        .isEqualTo("200 OK");
    assertThat(answer(await(client.request(m, server.actualPort(), "127.0.0.1", "/gate/halt").send())))
        .isEqualTo("403 Forbidden");
  }

  @Test
  void gateIsClosedUntilOpenedAndClosesAgain() {
    assertThat(answer(post("/gate/check", PODINFO))).isEqualTo("403 Forbidden");

    assertThat(answer(post("/gate/open", new JsonObject().put("name", "podinfo").put("namespace", "test"))))
        .isEqualTo("202 ");
    assertThat(answer(post("/gate/check", PODINFO))).isEqualTo("200 Approved");
    assertThat(answer(post("/gate/check", PODINFO.copy().put("namespace", "prod")))).isEqualTo("403 Forbidden");

    assertThat(answer(post("/gate/close", PODINFO))).isEqualTo("202 ");
    assertThat(answer(post("/gate/check", PODINFO))).isEqualTo("403 Forbidden");
  }

  @Test
  void rollbackGatesAreSeparateFromPromotionGates() {
    post("/gate/open", PODINFO);
    assertThat(answer(post("/rollback/check", PODINFO))).isEqualTo("403 Forbidden");

    assertThat(answer(post("/rollback/open", PODINFO))).isEqualTo("202 ");
    assertThat(answer(post("/rollback/check", PODINFO))).isEqualTo("200 Approved");
    assertThat(await(gates.isOpen("rollback.podinfo.test"))).isTrue();
    assertThat(await(gates.isOpen("podinfo.test"))).isTrue();

    assertThat(answer(post("/rollback/close", PODINFO))).isEqualTo("202 ");
    assertThat(answer(post("/rollback/check", PODINFO))).isEqualTo("403 Forbidden");
    assertThat(answer(post("/gate/check", PODINFO))).isEqualTo("200 Approved");
  }

  @Test
  void malformedPayloadsAreRejected() {
    String expected = "400 expected a JSON payload with name and namespace";
    assertThat(answer(await(client.post(server.actualPort(), "127.0.0.1", "/gate/check")
        .sendBuffer(Buffer.buffer("not json"))))).isEqualTo(expected);
    assertThat(answer(await(client.post(server.actualPort(), "127.0.0.1", "/gate/open").send())))
        .isEqualTo(expected);
    assertThat(answer(post("/gate/open", new JsonObject().put("name", "podinfo")))).isEqualTo(expected);
    assertThat(await(gates.isOpen("podinfo."))).isFalse();
  }

  @Test
  void failingStoreAnswers500() {
    GateStore broken = new GateStore() {
      @Override
      public Future<Boolean> isOpen(String key) {
        return Future.failedFuture("down");
      }

      @Override
      public Future<Void> open(String key) {
        return Future.failedFuture("down");
      }

      @Override
      public Future<Void> close(String key) {
        return Future.failedFuture("down");
      }
    };
    Router router = new GateRoutes(broken).mount(Router.router(vertx));
    HttpServer other = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    try {
      assertThat(answer(await(client.post(other.actualPort(), "127.0.0.1", "/gate/check").sendJsonObject(PODINFO))))
          .isEqualTo("500 gate store unavailable");
    } finally {
      await(other.close());
    }
  }

  @Test
  void canaryWebhooksDriveTheGates() {
    WebhookCaller caller = new WebhookCaller(vertx, new RetryBackoff(Duration.ofMillis(5), Duration.ofMillis(5)));
    WebhookRunner runner = new WebhookRunner(caller);
    WebhookContext context =
        new WebhookContext("podinfo", "test", CanaryPhase.PROGRESSING, "abc", Duration.ofSeconds(30));
    String base = "http://127.0.0.1:" + server.actualPort();
    CanaryWebhook promotionGate = new CanaryWebhook();
    promotionGate.name = "ask for promotion";
    promotionGate.type = "confirm-promotion";
    promotionGate.url = base + "/gate/check";
    CanaryWebhook rollbackGate = new CanaryWebhook();
    rollbackGate.name = "rollback";
    rollbackGate.type = "rollback";
    rollbackGate.url = base + "/rollback/check";
    List<CanaryWebhook> hooks = List.of(promotionGate, rollbackGate);
    try {
      WebhookRun closed = await(runner.run(WebhookType.CONFIRM_PROMOTION, hooks, context));
      assertThat(closed.passed()).isFalse();
      assertThat(closed.firstFailure()).get().extracting(r -> r.message()).isEqualTo("HTTP 403: Forbidden");
      assertThat(await(runner.run(WebhookType.ROLLBACK, hooks, context)).rollbackRequested()).isFalse();

      post("/gate/open", PODINFO);
      post("/rollback/open", PODINFO);

      assertThat(await(runner.run(WebhookType.CONFIRM_PROMOTION, hooks, context)).passed()).isTrue();
      assertThat(await(runner.run(WebhookType.ROLLBACK, hooks, context)).rollbackRequested()).isTrue();
    } finally {
      caller.close();
    }
  }
}
