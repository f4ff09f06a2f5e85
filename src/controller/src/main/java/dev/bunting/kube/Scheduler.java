package dev.bunting.kube;

import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Time as the work queues see it: the current instant and tasks to run later. The controller's runs on Vert.x timers
 * and its one {@link Clock}; tests use a manual one they advance, so that backoff and requeue delays are checked
 * without waiting for them.
 */
public interface Scheduler {
  Instant now();

  /** Runs {@code task} once {@code delay} has passed (on a thread of the scheduler's choosing); an id to cancel it. */
  long schedule(Duration delay, Runnable task);

  void cancel(long id);

  static Scheduler of(Vertx vertx, Clock clock) {
    return new Scheduler() {
      @Override
      public Instant now() {
        return clock.instant();
      }

      @Override
      public long schedule(Duration delay, Runnable task) {
        // whole milliseconds, rounded up: never before the delay has passed
        long ms = delay.isNegative() ? 0 : (delay.toNanos() + 999_999) / 1_000_000;
        return vertx.setTimer(Math.max(1, ms), id -> task.run());
      }

      @Override
      public void cancel(long id) {
        vertx.cancelTimer(id);
      }
    };
  }
}
