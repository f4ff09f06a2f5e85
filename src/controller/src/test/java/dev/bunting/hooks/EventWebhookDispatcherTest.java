package dev.bunting.hooks;

import static dev.bunting.hooks.RecordingServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bunting.api.CanaryPhase;
import dev.bunting.api.CanaryWebhook;
import dev.bunting.hooks.RecordingServer.Recorded;
import dev.bunting.hooks.RecordingServer.Reply;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventWebhookDispatcherTest {
  private static final Instant NOW = Instant.parse("2026-01-02T03:04:05.678Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final WebhookContext CONTEXT =
      new WebhookContext("podinfo", "test", CanaryPhase.PROGRESSING, "sum", Duration.ofSeconds(30));

  private Vertx vertx;
  private RecordingServer server;
  private WebhookCaller caller;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    server = RecordingServer.http(vertx);
    caller = new WebhookCaller(vertx, new RetryBackoff(Duration.ofMillis(5), Duration.ofMillis(5)));
  }

  @AfterEach
  void tearDown() {
    caller.close();
    server.close();
    await(vertx.close());
  }

  private CanaryWebhook eventHook(String name, String path) {
    CanaryWebhook hook = new CanaryWebhook();
    hook.name = name;
    hook.type = "event";
    hook.url = server.url(path);
    return hook;
  }

  @Test
  void eventPayloadMergesMetadataAndFlaggersKeysWin() {
    CanaryWebhook hook = eventHook("events", "/events");
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("eventType", "spoofed");
    metadata.put("environment", "prod");
    hook.metadata = metadata;
    EventWebhookDispatcher dispatcher = new EventWebhookDispatcher(caller, CLOCK, Optional.empty());

    List<WebhookResult> results = await(dispatcher.dispatch(List.of(hook), CONTEXT,
        "Starting canary analysis for podinfo.test", EventType.WARNING));

    assertThat(results).containsExactly(WebhookResult.success("events", 200, "HTTP 200: OK", 1));
    assertThat(server.requests()).singleElement().satisfies(r -> {
      assertThat(r.header("Content-Type")).isEqualTo("application/json");
      assertThat(r.json()).isEqualTo(new JsonObject()
          .put("name", "podinfo").put("namespace", "test").put("phase", "Progressing").put("checksum", "sum")
          .put("metadata", new JsonObject()
              .put("eventMessage", "Starting canary analysis for podinfo.test")
              .put("eventType", "Warning")
              .put("timestamp", "1767323045678")
              .put("environment", "prod")));
    });
  }

  @Test
  void slowReceiverDoesNotDelayTheCaller() {
    EventWebhookDispatcher dispatcher = new EventWebhookDispatcher(caller, CLOCK, Optional.empty());
    await(dispatcher.dispatch(List.of(eventHook("warm-up", "/warm-up")), CONTEXT, "warm up", EventType.NORMAL));
    server.always(Reply.of(200).delayed(1500));

    long start = System.nanoTime();
    Future<List<WebhookResult>> delivered = dispatcher.dispatch(List.of(eventHook("slow", "/slow")), CONTEXT,
        "New revision detected", EventType.NORMAL);
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;

    assertThat(delivered.isComplete()).isFalse();
    assertThat(elapsedMs).isLessThan(500);
    assertThat(dispatcher.pending()).isEqualTo(1);
    assertThat(await(delivered)).singleElement().extracting(WebhookResult::success).isEqualTo(true);
    assertThat(dispatcher.pending()).isZero();
  }

  @Test
  void dropsWithAWarningWhenTheQueueIsFull() {
    server.always(Reply.of(200).delayed(1000));
    EventWebhookDispatcher dispatcher = new EventWebhookDispatcher(caller, CLOCK, Optional.empty(), 2, 1);
    List<Future<List<WebhookResult>>> deliveries = new ArrayList<>();

    try (LogCapture logs = new LogCapture()) {
      for (int i = 0; i < 4; i++) {
        deliveries.add(dispatcher.dispatch(List.of(eventHook("e" + i, "/e" + i)), CONTEXT, "event " + i,
            EventType.NORMAL));
      }

      assertThat(dispatcher.droppedCount()).isEqualTo(2);
      assertThat(deliveries.get(2).isComplete()).isTrue();
      assertThat(await(deliveries.get(3))).singleElement()
          .isEqualTo(WebhookResult.failure("e3", 0, "dropped: event queue full (2 pending)", 0));
      assertThat(await(deliveries.get(0))).singleElement().extracting(WebhookResult::success).isEqualTo(true);
      assertThat(await(deliveries.get(1))).singleElement().extracting(WebhookResult::success).isEqualTo(true);
      assertThat(server.requests()).extracting(Recorded::path).containsExactly("/e0", "/e1");
      assertThat(logs.lines()).filteredOn(l -> l.startsWith("WARN") && l.contains("dropped")).hasSize(2);
    }
  }

  @Test
  void canaryEventHooksReplaceTheGlobalEventWebhook() {
    EventWebhookDispatcher dispatcher =
        new EventWebhookDispatcher(caller, CLOCK, Optional.of(server.url("/global")));

    await(dispatcher.dispatch(List.of(eventHook("own", "/own")), CONTEXT, "with own hook", EventType.NORMAL));
    CanaryWebhook rolloutOnly = eventHook("gate", "/gate");
    rolloutOnly.type = "rollout";
    List<WebhookResult> global = await(dispatcher.dispatch(List.of(rolloutOnly), CONTEXT, "without", EventType.NORMAL));

    assertThat(server.requests()).extracting(Recorded::path).containsExactly("/own", "/global");
    assertThat(global).singleElement().extracting(WebhookResult::hook).isEqualTo("events");
    assertThat(server.requests().get(1).json().getJsonObject("metadata").getString("eventMessage"))
        .isEqualTo("without");
  }

  @Test
  void nothingToDeliverWithoutHooksOrGlobalUrl() {
    EventWebhookDispatcher dispatcher = new EventWebhookDispatcher(caller, CLOCK, Optional.empty());

    assertThat(await(dispatcher.dispatch(null, CONTEXT, "x", EventType.NORMAL))).isEmpty();
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void failuresAreReportedNotThrown() {
    server.always(Reply.of(500, "receiver down"));
    EventWebhookDispatcher dispatcher = new EventWebhookDispatcher(caller, CLOCK, Optional.empty());

    try (LogCapture logs = new LogCapture()) {
      List<WebhookResult> results = await(dispatcher.dispatch(List.of(eventHook("e", "/e")), CONTEXT, "x",
          EventType.WARNING));

      assertThat(results).containsExactly(WebhookResult.failure("e", 500, "HTTP 500: receiver down", 1));
      await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(logs.lines())
          .anyMatch(l -> l.startsWith("WARN") && l.contains("event hook e") && l.contains("HTTP 500")));
    }
  }
}
