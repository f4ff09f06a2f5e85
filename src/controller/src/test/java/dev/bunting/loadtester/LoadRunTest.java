package dev.bunting.loadtester;

import static dev.bunting.hooks.RecordingServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.bunting.hooks.RecordingServer;
import dev.bunting.hooks.RecordingServer.Reply;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The load engine against loopback servers: the open-model schedule, the concurrency bound, latency, error kinds. */
class LoadRunTest {
  private static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    await(vertx.close());
  }

  private static LoadSpec spec(String url, double rate, Duration duration, int concurrency) {
    return new LoadSpec(URI.create(url), rate, duration, concurrency, HttpMethod.GET, List.of(), "", null);
  }

  private static LoadReport run(LoadSpec spec) {
    Promise<LoadReport> report = Promise.promise();
    vertx.runOnContext(v -> new LoadRun(vertx, spec, LoadRun.Observer.NONE).start().onComplete(report));
    return await(report.future());
  }

  @Test
  void requestsStartAtTheRateWhateverTheLatency() {
    try (RecordingServer slow = RecordingServer.http(vertx).always(Reply.of(200).delayed(300))) {
      long start = System.nanoTime();
      LoadReport r = run(spec(slow.url("/"), 50, Duration.ofSeconds(1), 100));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(r.requests()).as("50/s for 1s, not limited by the 300 ms answers").isEqualTo(50);
      assertThat(r.completed()).isEqualTo(50);
      assertThat(r.dropped()).isZero();
      assertThat(r.state()).isEqualTo("completed");
      assertThat(took).as("the last request starts near 1s and takes 300 ms")
          .isBetween(Duration.ofMillis(1100), Duration.ofSeconds(5));
      assertThat(r.latencyMs().p50()).isBetween(295.0, 700.0);
      assertThat(r.statusCodes()).containsEntry(200, 50L);
    }
  }

  @Test
  void atMostConcurrencyRequestsAreInFlightAndTheRestAreCountedAsDropped() throws Exception {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    HttpServer server = await(vertx.createHttpServer().requestHandler(req -> {
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      vertx.setTimer(200, id -> {
        inFlight.decrementAndGet();
        req.response().end("ok");
      });
    }).listen(0, "127.0.0.1"));
    try {
      LoadReport r = run(spec("http://127.0.0.1:" + server.actualPort() + "/", 100, Duration.ofMillis(500), 3));
      assertThat(maxInFlight.get()).isEqualTo(3);
      assertThat(r.requests() + r.dropped()).as("every request the schedule called for").isEqualTo(50);
      assertThat(r.dropped()).isGreaterThan(30);
      assertThat(r.toJson().getLong("dropped")).isEqualTo(r.dropped());
    } finally {
      await(server.close());
    }
  }

  @Test
  void failuresAreCountedByKind() {
    int closed = RecordingServer.unusedPort();
    LoadReport refused = run(spec("http://127.0.0.1:" + closed + "/", 20, Duration.ofMillis(250), 10));
    assertThat(refused.errors()).containsOnlyKeys("connection refused");
    assertThat(refused.errorPercentage()).isEqualTo(100.0);
    assertThat(refused.statusCodes()).isEmpty();

    try (RecordingServer hanging = RecordingServer.http(vertx).always(Reply.of(200).delayed(5_000))) {
      LoadSpec s = new LoadSpec(URI.create(hanging.url("/")), 10, Duration.ofMillis(100), 5, HttpMethod.GET,
          List.of(), "", Duration.ofMillis(300));
      assertThat(run(s).errors()).containsOnlyKeys("timeout");
    }

    try (RecordingServer failing = RecordingServer.http(vertx).inOrder(Reply.of(500), Reply.of(404))) {
      LoadReport r = run(spec(failing.url("/"), 40, Duration.ofMillis(250), 1));
      assertThat(r.statusCodes()).containsEntry(500, 1L).containsEntry(404, r.completed() - 1);
      assertThat(r.errors()).as("5xx answers are errors, 4xx are not").containsExactly(Map.entry("HTTP 500", 1L));
    }
  }

  @Test
  void aRunUntilStoppedKeepsSendingUntilStopped() throws Exception {
    try (RecordingServer target = RecordingServer.http(vertx)) {
      LoadRun run = new LoadRun(vertx, spec(target.url("/"), 50, Duration.ofSeconds(1), 10).untilStopped(),
          LoadRun.Observer.NONE);
      vertx.runOnContext(v -> run.start());
      // past its 1 s duration it keeps going
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> run.report().requests() > 60);
      assertThat(run.report().state()).isEqualTo("running");
      vertx.runOnContext(v -> run.stop());
      LoadReport last = await(run.done());
      assertThat(last.state()).isEqualTo("stopped");
      assertThat(last.toJson().getString("duration")).isNull();
      // requests still in flight at the stop may arrive late; nothing beyond what the run sent may ever arrive
      long sent = last.requests();
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).during(Duration.ofMillis(500))
          .until(() -> target.requests().size() <= sent);
      assertThat(target.requests().size()).isBetween((int) last.completed(), (int) sent);
    }
  }

  @Test
  void theHistogramGivesPercentilesWithinTwoPercent() {
    LatencyHistogram h = new LatencyHistogram();
    for (int ms = 1; ms <= 1000; ms++) {
      h.record(ms * 1_000_000L);
    }
    assertThat(h.count()).isEqualTo(1000);
    assertThat(h.percentileMillis(0.5)).isCloseTo(500, within(10.0));
    assertThat(h.percentileMillis(0.9)).isCloseTo(900, within(18.0));
    assertThat(h.percentileMillis(0.99)).isCloseTo(990, within(20.0));
    assertThat(h.maxMillis()).isEqualTo(1000);
    assertThat(h.meanMillis()).isCloseTo(500.5, within(0.01));
    assertThat(new LatencyHistogram().percentileMillis(0.5)).isZero();
  }
}
