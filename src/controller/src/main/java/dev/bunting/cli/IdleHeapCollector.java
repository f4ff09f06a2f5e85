package dev.bunting.cli;

import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
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
 * has been none for {@code idleAfter} and the heap's committed size is more than half again what the last collections
 * left (and at least {@link #SLACK} more), it asks for one full collection ({@code System.gc()}, on a worker thread:
 * it stops every thread for a fraction of a second) and logs the heap's size before and after. With the image's
 * {@code -XX:-ShrinkHeapInSteps} that collection shrinks the heap at once to what {@code MaxHeapFreeRatio} allows (never
 * below its initial size); it does not ask again until the heap has grown past what that collection left.
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
   * One check: whether to collect now, given the writes made so far, the heap's committed bytes and the bytes its
   * pools held after their last collections.
   */
  boolean due(long nowNanos, long writeCount, long committed, long liveAfterLastCollections) {
    if (writeCount != lastWrites) {
      lastWrites = writeCount;
      quietSince = nowNanos;
      return false;
    }
    if (nowNanos - quietSince < idleAfterNanos) {
      return false;
    }
    quietSince = nowNanos;
    long excess = committed - liveAfterLastCollections;
    return committed > committedAfterCollection && excess > SLACK
        && committed > liveAfterLastCollections + liveAfterLastCollections / 2;
  }

  /** What a collection left: a heap that could not shrink (at its initial size) is not collected again for nothing. */
  void collected(long committedAfter) {
    committedAfterCollection = committedAfter;
  }

  /** Checks every minute, on the event loop; the collection itself runs on a worker. Returns the timer's id. */
  long start(Vertx vertx) {
    return vertx.setPeriodic(CHECK_MS, id -> {
      long committed = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
      if (!due(System.nanoTime(), writes.getAsLong(), committed, liveAfterLastCollections())) {
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

  private static long liveAfterLastCollections() {
    long live = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage after = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
      live += after == null ? 0 : after.getUsed();
    }
    return live;
  }
}
