package dev.bunting.hooks;

import static dev.bunting.hooks.RecordingServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bunting.api.CanaryPhase;
import dev.bunting.api.CanaryWebhook;
import dev.bunting.api.WebhookType;
import dev.bunting.hooks.RecordingServer.Recorded;
import dev.bunting.hooks.RecordingServer.Reply;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookRunnerTest {
  private static final WebhookContext CONTEXT =
      new WebhookContext("podinfo", "test", CanaryPhase.PROGRESSING, "sum", Duration.ofSeconds(30));

  private Vertx vertx;
  private RecordingServer server;
  private WebhookCaller caller;
  private WebhookRunner runner;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    // The path decides the answer: /ok/... → 200, /deny/... → 403, /fail/... → 500.
    server = RecordingServer.http(vertx).respond(r -> r.path().startsWith("/ok") ? Reply.of(200, "OK")
        : r.path().startsWith("/deny") ? Reply.of(403, "Forbidden") : Reply.of(500, "boom"));
    caller = new WebhookCaller(vertx, new RetryBackoff(Duration.ofMillis(5), Duration.ofMillis(5)));
    runner = new WebhookRunner(caller);
  }

  @AfterEach
  void tearDown() {
    caller.close();
    server.close();
    await(vertx.close());
  }

  private CanaryWebhook hook(String type, String name, String outcome) {
    CanaryWebhook hook = new CanaryWebhook();
    hook.type = type;
    hook.name = name;
    hook.url = server.url("/" + outcome + "/" + name);
    return hook;
  }

  private List<String> calledPaths() {
    return server.requests().stream().map(Recorded::path).toList();
  }

  @Test
  void gateStopsAtTheFirstFailure() {
    List<CanaryWebhook> hooks = List.of(
        hook("pre-rollout", "a", "ok"),
        hook("rollout", "other-type", "ok"),
        hook("pre-rollout", "b", "deny"),
        hook("pre-rollout", "c", "ok"));

    WebhookRun run = await(runner.run(WebhookType.PRE_ROLLOUT, hooks, CONTEXT));

    assertThat(calledPaths()).containsExactly("/ok/a", "/deny/b");
    assertThat(run.passed()).isFalse();
    assertThat(run.firstFailure()).get().isEqualTo(WebhookResult.failure("b", 403, "HTTP 403: Forbidden", 1));
    assertThat(run.results()).hasSize(2);
  }

  @Test
  void gatePassesWhenEveryHookSucceeds() {
    List<CanaryWebhook> hooks = List.of(hook("confirm-promotion", "a", "ok"), hook("confirm-promotion", "b", "ok"));

    WebhookRun run = await(runner.run(WebhookType.CONFIRM_PROMOTION, hooks, CONTEXT));

    assertThat(run.passed()).isTrue();
    assertThat(calledPaths()).containsExactly("/ok/a", "/ok/b");
  }

  @Test
  void emptyTypeIsRollout() {
    List<CanaryWebhook> hooks = List.of(
        hook(null, "untyped", "ok"),
        hook("", "empty", "ok"),
        hook("rollout", "typed", "ok"),
        hook("confirm-rollout", "not-me", "ok"));

    WebhookRun run = await(runner.run(WebhookType.ROLLOUT, hooks, CONTEXT));

    assertThat(run.passed()).isTrue();
    assertThat(calledPaths()).containsExactly("/ok/untyped", "/ok/empty", "/ok/typed");
  }

  @Test
  void noHooksOfTheTypePass() {
    WebhookRun run = await(runner.run(WebhookType.CONFIRM_TRAFFIC_INCREASE,
        List.of(hook("rollout", "a", "fail")), CONTEXT));

    assertThat(run.empty()).isTrue();
    assertThat(run.passed()).isTrue();
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void rollbackStopsAtTheFirstSuccess() {
    List<CanaryWebhook> hooks = List.of(
        hook("rollback", "closed", "deny"),
        hook("rollback", "open", "ok"),
        hook("rollback", "never", "ok"));

    WebhookRun run = await(runner.run(WebhookType.ROLLBACK, hooks, CONTEXT.withPhase(CanaryPhase.WAITING)));

    assertThat(run.rollbackRequested()).isTrue();
    assertThat(run.firstSuccess()).get().extracting(WebhookResult::hook).isEqualTo("open");
    assertThat(calledPaths()).containsExactly("/deny/closed", "/ok/open");
    assertThat(server.requests()).allSatisfy(r -> assertThat(r.json().getString("phase")).isEqualTo("Waiting"));
  }

  @Test
  void rollbackHooksThatFailMeanCarryOn() {
    List<CanaryWebhook> hooks = List.of(hook("rollback", "a", "deny"), hook("rollback", "b", "fail"));

    WebhookRun run = await(runner.run(WebhookType.ROLLBACK, hooks, CONTEXT));

    assertThat(run.rollbackRequested()).isFalse();
    assertThat(calledPaths()).containsExactly("/deny/a", "/fail/b");
  }

  @Test
  void postRolloutCallsEveryHookAndReportsFailures() {
    List<CanaryWebhook> hooks = List.of(hook("post-rollout", "a", "fail"), hook("post-rollout", "b", "ok"));

    WebhookRun run = await(runner.run(WebhookType.POST_ROLLOUT,
        hooks, CONTEXT.withPhase(CanaryPhase.SUCCEEDED)));

    assertThat(calledPaths()).containsExactly("/fail/a", "/ok/b");
    assertThat(run.passed()).isFalse();
    assertThat(run.results()).extracting(WebhookResult::success).containsExactly(false, true);
    assertThat(server.requests()).allSatisfy(r -> assertThat(r.json().getString("phase")).isEqualTo("Succeeded"));
  }

  @Test
  void eachHookSendsItsOwnMetadata() {
    CanaryWebhook a = hook("rollout", "a", "ok");
    a.metadata = Map.of("cmd", "curl a");
    CanaryWebhook b = hook("rollout", "b", "ok");

    await(runner.run(WebhookType.ROLLOUT, List.of(a, b), CONTEXT));

    assertThat(server.requests()).extracting(Recorded::body).containsExactly(
        "{\"name\":\"podinfo\",\"namespace\":\"test\",\"phase\":\"Progressing\",\"checksum\":\"sum\","
            + "\"metadata\":{\"cmd\":\"curl a\"}}",
        "{\"name\":\"podinfo\",\"namespace\":\"test\",\"phase\":\"Progressing\",\"checksum\":\"sum\"}");
  }

  @Test
  void eventHooksAreNotRunHere() {
    assertThatThrownBy(() -> runner.run(WebhookType.EVENT, List.of(), CONTEXT))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
