package dev.bunting.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The queue's guarantees, on a manual clock: nothing here waits for time to pass, and every count is taken once the
 * queue has settled (nothing running, nothing ready), never after a sleep.
 */
class WorkQueueTest {
  private final Vertx vertx = Vertx.vertx();
  private final ManualScheduler clock = new ManualScheduler(Instant.parse("2026-11-26T10:00:00Z"));

  @AfterEach
  void close() {
    vertx.close();
  }

  private static void awaitSettled(WorkQueue q) {
    await().atMost(Duration.ofSeconds(5)).until(() -> q.running() == 0 && q.depth() == 0);
  }

  @Test
  void aKeyRunsOnceAtATimeAndEventsDuringARunCauseOneMoreRun() {
    Map<String, Promise<WorkQueue.Outcome>> running = new ConcurrentHashMap<>();
    AtomicInteger runs = new AtomicInteger();
    AtomicInteger concurrent = new AtomicInteger();
    AtomicInteger maxConcurrent = new AtomicInteger();
    WorkQueue q = new WorkQueue(vertx, "Test", 4, key -> {
      runs.incrementAndGet();
      maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
      Promise<WorkQueue.Outcome> p = Promise.promise();
      running.put(key, p);
      return p.future().onComplete(x -> concurrent.decrementAndGet());
    }, clock);
    q.enqueue("a");
    await().until(() -> running.containsKey("a"));
    q.enqueue("a");
    q.enqueue("a");
    q.enqueue("a");
    running.remove("a").complete(WorkQueue.Outcome.DONE);
    await().until(() -> running.containsKey("a"));
    running.remove("a").complete(WorkQueue.Outcome.DONE);
    awaitSettled(q);
    assertThat(runs.get()).as("three enqueues during a run collapse into one more run").isEqualTo(2);
    assertThat(maxConcurrent.get()).isEqualTo(1);
  }

  @Test
  void theLimitBoundsConcurrentReconciles() {
    List<Promise<WorkQueue.Outcome>> running = new CopyOnWriteArrayList<>();
    WorkQueue q = new WorkQueue(vertx, "Test", 2, key -> {
      Promise<WorkQueue.Outcome> p = Promise.promise();
      running.add(p);
      return p.future();
    }, clock);
    for (String k : List.of("a", "b", "c", "d")) {
      q.enqueue(k);
    }
    await().until(() -> q.running() == 2 && q.depth() == 2);
    assertThat(running).as("two run, two wait").hasSize(2);
    running.get(0).complete(WorkQueue.Outcome.DONE);
    await().until(() -> running.size() == 3 && q.running() == 2 && q.depth() == 1);
  }

  @Test
  void conflictsRetryAtOnce() {
    List<String> runs = new CopyOnWriteArrayList<>();
    WorkQueue q = new WorkQueue(vertx, "Test", 1, key -> {
      runs.add(key);
      return runs.size() <= 2 ? Future.failedFuture(new KubernetesClientException("conflict", 409, null))
          : Future.succeededFuture(WorkQueue.Outcome.DONE);
    }, clock, Duration.ofSeconds(30), Duration.ofMinutes(5));
    q.enqueue("a");
    awaitSettled(q);
    assertThat(runs).as("two conflicts and a success, without the clock moving").hasSize(3);
    assertThat(clock.pending()).isZero();
  }

  @Test
  void errorsBackOffExponentially() {
    WorkQueue plain = new WorkQueue(vertx, "Test", 1, key -> Future.succeededFuture(WorkQueue.Outcome.DONE), clock);
    assertThat(List.of(plain.backoff(1), plain.backoff(2), plain.backoff(3), plain.backoff(20)))
        .containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8), Duration.ofMinutes(5));

    List<Instant> runs = new CopyOnWriteArrayList<>();
    WorkQueue q = new WorkQueue(vertx, "Test", 1, key -> {
      runs.add(clock.now());
      return runs.size() <= 2 ? Future.failedFuture(new IllegalStateException("boom"))
          : Future.succeededFuture(WorkQueue.Outcome.DONE);
    }, clock, Duration.ofMillis(200), Duration.ofSeconds(5));
    q.enqueue("a");
    await().until(() -> runs.size() == 1 && clock.pending() == 1);
    assertThat(clock.nextDueIn()).isEqualTo(Duration.ofMillis(200));
    clock.advance(Duration.ofMillis(200));
    await().until(() -> runs.size() == 2 && clock.pending() == 1);
    assertThat(clock.nextDueIn()).as("the second failure waits twice as long").isEqualTo(Duration.ofMillis(400));
    clock.advance(Duration.ofMillis(399));
    assertThat(runs).as("not before the backoff has passed").hasSize(2);
    clock.advance(Duration.ofMillis(1));
    await().until(() -> runs.size() == 3);
    awaitSettled(q);
    assertThat(clock.pending()).as("a success clears the backoff").isZero();
  }

  @Test
  void requeueAfterRunsTheKeyAgainAndAnEarlierRequestWins() {
    List<String> runs = new CopyOnWriteArrayList<>();
    WorkQueue q = new WorkQueue(vertx, "Test", 1, key -> {
      runs.add(key);
      return Future.succeededFuture(runs.size() == 1 ? WorkQueue.Outcome.after(Duration.ofMillis(300))
          : WorkQueue.Outcome.DONE);
    }, clock);
    q.enqueue("a");
    await().until(() -> runs.size() == 1 && clock.pending() == 1);
    clock.advance(Duration.ofMillis(299));
    assertThat(runs).hasSize(1);
    clock.advance(Duration.ofMillis(1));
    await().until(() -> runs.size() == 2);
    awaitSettled(q);

    q.enqueueAfter("b", Duration.ofSeconds(30));
    await().until(() -> clock.pending() == 1);
    q.enqueueAfter("b", Duration.ofMillis(50));
    await().until(() -> Duration.ofMillis(50).equals(clock.nextDueIn()));
    assertThat(clock.pending()).as("the later request is replaced").isEqualTo(1);
    clock.advance(Duration.ofMillis(50));
    await().until(() -> runs.size() == 3);
    assertThat(runs).containsExactly("a", "a", "b");
  }

  @Test
  void aPausedQueueCollectsKeysOnceAndRunsThemWhenResumed() {
    List<String> runs = new CopyOnWriteArrayList<>();
    List<String> observed = new CopyOnWriteArrayList<>();
    WorkQueue q = new WorkQueue(vertx, "Test", 2, key -> {
      runs.add(key);
      return key.equals("b") ? Future.failedFuture(new IllegalStateException("boom"))
          : Future.succeededFuture(WorkQueue.Outcome.DONE);
    }, clock).paused();
    q.observe(new WorkQueue.Observer() {
      @Override
      public void started(String queue, Duration waited) {
        observed.add(queue + " started");
      }

      @Override
      public void finished(String queue, Duration took, Throwable error) {
        observed.add(queue + (error == null ? " ok" : " failed"));
      }
    });
    q.enqueue("a");
    q.enqueue("b");
    q.enqueue("a");
    await().until(() -> q.depth() == 2);
    assertThat(runs).as("a standby runs nothing").isEmpty();
    q.resume();
    await().until(() -> runs.size() == 2 && observed.size() == 4);
    awaitSettled(q);
    assertThat(runs).containsExactlyInAnyOrder("a", "b");
    assertThat(observed).containsOnly("Test started", "Test ok", "Test failed").filteredOn("Test started"::equals)
        .hasSize(2);
  }
}
