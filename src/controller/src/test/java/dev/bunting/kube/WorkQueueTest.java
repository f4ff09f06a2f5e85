package dev.bunting.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkQueueTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close();
  }

  @Test
  void aKeyRunsOnceAtATimeAndEventsDuringARunCauseOneMoreRun() {
    Map<String, Promise<WorkQueue.Outcome>> running = new ConcurrentHashMap<>();
    AtomicInteger runs = new AtomicInteger();
    AtomicInteger concurrent = new AtomicInteger();
    AtomicInteger maxConcurrent = new AtomicInteger();
    WorkQueue q = new WorkQueue(vertx, "test", 4, key -> {
      runs.incrementAndGet();
      maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
      Promise<WorkQueue.Outcome> p = Promise.promise();
      running.put(key, p);
      return p.future().onComplete(x -> concurrent.decrementAndGet());
    });
    q.enqueue("a");
    Awaitility.await().until(() -> running.containsKey("a"));
    q.enqueue("a");
    q.enqueue("a");
    q.enqueue("a");
    running.remove("a").complete(WorkQueue.Outcome.DONE);
    Awaitility.await().until(() -> running.containsKey("a"));
    running.remove("a").complete(WorkQueue.Outcome.DONE);
    Awaitility.await().pollDelay(Duration.ofMillis(200)).until(() -> true);
    assertThat(runs.get()).as("three enqueues during a run collapse into one more run").isEqualTo(2);
    assertThat(maxConcurrent.get()).isEqualTo(1);
  }

  @Test
  void theGlobalLimitBoundsConcurrentReconciles() {
    List<Promise<WorkQueue.Outcome>> running = new CopyOnWriteArrayList<>();
    WorkQueue q = new WorkQueue(vertx, "test", 2, key -> {
      Promise<WorkQueue.Outcome> p = Promise.promise();
      running.add(p);
      return p.future();
    });
    for (String k : List.of("a", "b", "c", "d")) {
      q.enqueue(k);
    }
    Awaitility.await().until(() -> running.size() == 2);
    Awaitility.await().pollDelay(Duration.ofMillis(200)).until(() -> true);
    assertThat(running).hasSize(2);
    running.get(0).complete(WorkQueue.Outcome.DONE);
    Awaitility.await().until(() -> running.size() == 3);
  }

  @Test
  void errorsBackOffExponentiallyAndConflictsRetryAtOnce() {
    WorkQueue q = new WorkQueue(vertx, "test", 1, key -> Future.succeededFuture(WorkQueue.Outcome.DONE));
    assertThat(List.of(q.backoff(1), q.backoff(2), q.backoff(3), q.backoff(20)))
        .containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8), Duration.ofMinutes(5));

    List<Long> conflictRuns = new CopyOnWriteArrayList<>();
    WorkQueue conflicts = new WorkQueue(vertx, "test", 1, key -> {
      conflictRuns.add(System.nanoTime());
      return conflictRuns.size() <= 2 ? Future.failedFuture(new KubernetesClientException("conflict", 409, null))
          : Future.succeededFuture(WorkQueue.Outcome.DONE);
    }, Duration.ofSeconds(30), Duration.ofMinutes(5));
    conflicts.enqueue("a");
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> conflictRuns.size() == 3);

    List<Long> errorRuns = new CopyOnWriteArrayList<>();
    WorkQueue errors = new WorkQueue(vertx, "test", 1, key -> {
      errorRuns.add(System.nanoTime());
      return errorRuns.size() <= 2 ? Future.failedFuture(new IllegalStateException("boom"))
          : Future.succeededFuture(WorkQueue.Outcome.DONE);
    }, Duration.ofMillis(200), Duration.ofSeconds(5));
    errors.enqueue("a");
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> errorRuns.size() == 3);
    long first = errorRuns.get(1) - errorRuns.get(0);
    long second = errorRuns.get(2) - errorRuns.get(1);
    assertThat(Duration.ofNanos(first)).isGreaterThanOrEqualTo(Duration.ofMillis(190));
    assertThat(Duration.ofNanos(second)).isGreaterThanOrEqualTo(Duration.ofMillis(390));
  }

  @Test
  void requeueAfterRunsTheKeyAgainAndAnEarlierRequestWins() {
    List<Long> runs = new CopyOnWriteArrayList<>();
    long start = System.nanoTime();
    WorkQueue q = new WorkQueue(vertx, "test", 1, key -> {
      runs.add(System.nanoTime() - start);
      return Future.succeededFuture(runs.size() == 1 ? WorkQueue.Outcome.after(Duration.ofMillis(300))
          : WorkQueue.Outcome.DONE);
    });
    q.enqueue("a");
    Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> runs.size() == 2);
    assertThat(Duration.ofNanos(runs.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(290));

    q.enqueueAfter("b", Duration.ofSeconds(30));
    q.enqueueAfter("b", Duration.ofMillis(50));
    Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> runs.size() == 3);
  }
}
