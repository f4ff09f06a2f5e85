package dev.bunting.playground;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The playground's traffic, sent by the load tester's engine: held until ready, then steady, counted by status. */
class LoadGeneratorTest {
  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void sendsTheAppsHostAtTheRateOnceReadyAndCountsAnswersByStatus() throws Exception {
    List<String> hosts = new CopyOnWriteArrayList<>();
    AtomicInteger n = new AtomicInteger();
    HttpServer gateway = vertx.createHttpServer().requestHandler(req -> {
      hosts.add(req.authority().host());
      req.response().setStatusCode(n.incrementAndGet() % 5 == 0 ? 500 : 200).end();
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    AtomicBoolean ready = new AtomicBoolean();
    try (LoadGenerator load = new LoadGenerator(vertx, gateway.actualPort(), "podinfo.local", 40)) {
      load.startWhen(ready::get);
      Thread.sleep(400);
      assertThat(hosts).as("nothing before the route exists").isEmpty();
      assertThat(load.answers()).isEmpty();

      ready.set(true);
      long start = System.nanoTime();
      await().atMost(Duration.ofSeconds(10)).until(() -> load.total() >= 40);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("40 requests at 40/s take about a second, never less")
          .isGreaterThan(Duration.ofMillis(900));
      Map<Integer, Long> answers = load.answers();
      long total = answers.values().stream().mapToLong(Long::longValue).sum();
      assertThat(hosts).containsOnly("podinfo.local");
      assertThat(answers).containsOnlyKeys(200, 500);
      assertThat(answers.get(500)).as("one in five, give or take one in flight").isBetween(total / 5 - 1, total / 5 + 1);
      assertThat(load.requestsPerSecond()).isEqualTo(40);

      load.close();
      int sent = hosts.size();
      Thread.sleep(300);
      assertThat(hosts).as("nothing after close").hasSize(sent);
    }
  }

  @Test
  void requestsWithoutAnAnswerCountAsStatusZero() throws Exception {
    HttpServer probe = vertx.createHttpServer().requestHandler(r -> r.response().end()).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    int closedPort = probe.actualPort();
    probe.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    try (LoadGenerator load = new LoadGenerator(vertx, closedPort, "podinfo.local", 20)) {
      load.startWhen(() -> true);
      await().atMost(Duration.ofSeconds(5)).until(() -> load.answers().getOrDefault(0, 0L) >= 5);
      assertThat(load.answers()).containsOnlyKeys(0);
    }
  }
}
