package dev.bunting.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The controller's {@link Scheduler} on Vert.x timers. */
class SchedulerTest {
  @Test
  void aTaskNeverRunsBeforeItsDelayHasPassed() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Scheduler scheduler = Scheduler.of(vertx, Clock.systemUTC());
      // 2.9 ms: a timer of whole milliseconds rounded down (2 ms) would run these early, and a canary's tick with them
      Duration delay = Duration.ofNanos(2_900_000);
      int n = 20;
      List<Long> elapsed = new CopyOnWriteArrayList<>();
      CountDownLatch done = new CountDownLatch(n);
      for (int i = 0; i < n; i++) {
        long start = System.nanoTime();
        scheduler.schedule(delay, () -> {
          elapsed.add(System.nanoTime() - start);
          done.countDown();
        });
      }
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(elapsed).hasSize(n).allSatisfy(ns -> assertThat(ns).isGreaterThanOrEqualTo(delay.toNanos()));
    } finally {
      vertx.close().await();
    }
  }
}
