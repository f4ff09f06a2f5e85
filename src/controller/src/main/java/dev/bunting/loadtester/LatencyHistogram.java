package dev.bunting.loadtester;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Request latencies in log-scaled buckets, from 1 µs to about an hour with 2 % relative precision, so a run of any
 * length takes the same small, fixed memory (about 9 KB). Safe to record from one thread while others read
 * percentiles.
 */
final class LatencyHistogram {
  private static final double GROWTH = 1.02;
  private static final double LOG_GROWTH = Math.log(GROWTH);
  private static final long MAX_MICROS = 3_600_000_000L;
  private static final int BUCKETS = bucket(MAX_MICROS) + 1;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
  private final AtomicLong total = new AtomicLong();
  private final AtomicLong sumMicros = new AtomicLong();
  private final AtomicLong maxMicros = new AtomicLong();

  /** Records one latency, in nanoseconds; values beyond an hour count as an hour. */
  void record(long nanos) {
    long micros = Math.max(1, Math.min(MAX_MICROS, nanos / 1000));
    counts.incrementAndGet(bucket(micros));
    sumMicros.addAndGet(micros);
    maxMicros.accumulateAndGet(micros, Math::max);
    total.incrementAndGet();
  }

  long count() {
    return total.get();
  }

  /**
   * The latency below which a fraction {@code q} (0 to 1) of the recorded ones fall, in milliseconds (the upper bound
   * of its bucket, never above the largest value seen); 0 when nothing was recorded.
   */
  double percentileMillis(double q) {
    long n = total.get();
    if (n == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(q * n));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts.get(i);
      if (seen >= rank) {
        return Math.min(upperBoundMicros(i), maxMicros.get()) / 1000.0;
      }
    }
    return maxMicros.get() / 1000.0;
  }

  double meanMillis() {
    long n = total.get();
    return n == 0 ? 0 : sumMicros.get() / (double) n / 1000.0;
  }

  double maxMillis() {
    return maxMicros.get() / 1000.0;
  }

  private static int bucket(long micros) {
    return (int) Math.floor(Math.log(micros) / LOG_GROWTH);
  }

  private static long upperBoundMicros(int bucket) {
    return (long) Math.ceil(Math.pow(GROWTH, bucket + 1));
  }
}
