package dev.bunting.cli;

import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives memory back when the controller goes idle. The serial collector (the image's default) resizes the heap only
 * when it collects the whole heap, which it does only when the old generation fills up: after a burst of work (the
 * first sync of a large fleet, a release of thousands of canaries) the heap keeps the size the burst grew it to,
 * hundreds of MiB more than it holds, for as long as the controller stays quiet. (G1 can do this by itself with
 * {@code G1PeriodicGCInterval}; this works for any collector.)
 *
 * <p>Every minute it looks at the controller's writes to the API server (every step of a release is one): when there
 * has been none for {@code idleAfter} and the heap's committed size is more than {@link #SLACK} over its initial size
 * (below which the collector does not shrink it), it asks for one full collection ({@code System.gc()}, on a worker
 * thread: it stops every thread for a fraction of a second) and logs the heap's size before and after. With the image's
 * {@code -XX:-ShrinkHeapInSteps} that collection shrinks the heap at once to what {@code MaxHeapFreeRatio} allows; it
 * does not ask again until the heap has grown past what that collection left.
 *
 * <p>It does not try to guess first how much of the heap is live: what the last full collection left is no guide
 * (one that ran in the middle of a burst, with the burst's objects still referenced, leaves a heap that looks full of
 * live data and later holds mostly garbage). One collection per growth of the heap is cheap enough.
 */
final class IdleHeapCollector {
  private static final Logger LOG = LoggerFactory.getLogger(IdleHeapCollector.class);
  /** Less excess than this is left alone. */
  static final long SLACK = 32L << 20;
  private static final long CHECK_MS = 60_000;

  private final long idleAfterNanos;
  private final LongSupplier writes;
  private long lastWrites = -1;
  private long quietSince;
  /** The heap's committed bytes after the last collection asked for here: not asked again unless it grew past it. */
  private volatile long committedAfterCollection;

  /** {@code writes}: the count of writes to the API server so far (any counter of the controller's activity). */
  IdleHeapCollector(Duration idleAfter, LongSupplier writes) {
    this.idleAfterNanos = idleAfter.toNanos();
    this.writes = writes;
  }

  /**
   * One check: whether to collect now, given the writes made so far, the heap's committed bytes and its initial size.
   */
  boolean due(long nowNanos, long writeCount, long committed, long initial) {
    if (writeCount != lastWrites) {
      lastWrites = writeCount;
      quietSince = nowNanos;
      return false;
    }
    if (nowNanos - quietSince < idleAfterNanos) {
      return false;
    }
    quietSince = nowNanos;
    return committed > committedAfterCollection && committed - initial > SLACK;
  }

  /** What a collection left: no collection is asked for again until the heap has grown past it. */
  void collected(long committedAfter) {
    committedAfterCollection = committedAfter;
  }

  /** Checks every minute, on the event loop; the collection itself runs on a worker. Returns the timer's id. */
  long start(Vertx vertx) {
    return vertx.setPeriodic(CHECK_MS, id -> {
      MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
      long committed = heap.getCommitted();
      if (!due(System.nanoTime(), writes.getAsLong(), committed, Math.max(0, heap.getInit()))) {
        return;
      }
      vertx.executeBlocking(() -> {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
      }, false).onSuccess(after -> {
        collected(after.getCommitted());
        LOG.info("idle for {}s: collected the heap, committed {} MiB -> {} MiB ({} MiB in use)",
            Duration.ofNanos(idleAfterNanos).toSeconds(), committed >> 20, after.getCommitted() >> 20,
            after.getUsed() >> 20);
      });
    });
  }
}
