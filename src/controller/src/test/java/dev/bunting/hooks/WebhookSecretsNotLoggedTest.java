package dev.bunting.hooks;

import static dev.bunting.hooks.RecordingServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.CanaryPhase;
import dev.bunting.api.CanaryWebhook;
import dev.bunting.api.WebhookType;
import dev.bunting.hooks.RecordingServer.Reply;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookSecretsNotLoggedTest {
  private static final String PASSWORD = "pa55w0rd-secret";
  private static final String TOKEN = "t0k3n-in-query";
  private static final WebhookContext CONTEXT =
      new WebhookContext("podinfo", "test", CanaryPhase.PROGRESSING, "sum", Duration.ofSeconds(30));

  private Vertx vertx;
  private RecordingServer server;
  private WebhookCaller caller;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    server = RecordingServer.http(vertx).always(Reply.of(500, "nope"));
    caller = new WebhookCaller(vertx, new RetryBackoff(Duration.ofMillis(5), Duration.ofMillis(5)));
  }

  @AfterEach
  void tearDown() {
    caller.close();
    server.close();
    await(vertx.close());
  }

  private CanaryWebhook hook(String name, String type, String url) {
    CanaryWebhook hook = new CanaryWebhook();
    hook.name = name;
    hook.type = type;
    hook.url = url;
    hook.retries = 1;
    return hook;
  }

  @Test
  void urlsWithCredentialsNeverReachTheLogsOrResults() {
    String secretUrl = server.url("/hook?token=" + TOKEN).replace("http://", "http://alice:" + PASSWORD + "@");
    String deadUrl = "http://alice:" + PASSWORD + "@127.0.0.1:" + RecordingServer.unusedPort()
        + "/down?token=" + TOKEN;
    List<WebhookResult> results = new ArrayList<>();

    try (LogCapture logs = new LogCapture()) {
      WebhookRunner runner = new WebhookRunner(caller);
      results.addAll(await(runner.run(WebhookType.ROLLOUT,
          List.of(hook("load", "rollout", secretUrl)), CONTEXT)).results());
      results.addAll(await(runner.run(WebhookType.POST_ROLLOUT,
          List.of(hook("cleanup", "post-rollout", deadUrl)), CONTEXT)).results());
      results.addAll(await(new EventWebhookDispatcher(caller, Clock.systemUTC(), Optional.empty())
          .dispatch(List.of(hook("events", "event", secretUrl)), CONTEXT, "msg", EventType.NORMAL)));

      assertThat(results).hasSize(3).allSatisfy(r -> assertThat(r.success()).isFalse());
      assertThat(logs.lines())
          .as("the failures were logged, with the redacted URL")
          .anySatisfy(l -> assertThat(l).contains("load").contains(server.url("/hook")))
          .anySatisfy(l -> assertThat(l).contains("cleanup").contains("/down"))
          .anySatisfy(l -> assertThat(l).contains("events"));
      assertThat(logs.lines()).noneSatisfy(l -> assertThat(l).containsAnyOf(PASSWORD, TOKEN, "alice"));
    }
    assertThat(results).noneSatisfy(r -> assertThat(r.message()).containsAnyOf(PASSWORD, TOKEN, "alice"));
    assertThat(server.requests()).as("the receiver still got the query string").hasSize(4)
        .allSatisfy(r -> assertThat(r.query()).isEqualTo("token=" + TOKEN));
  }
}
