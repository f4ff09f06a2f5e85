package dev.bunting.hooks;

import java.time.Duration;

/**
 * Waits between webhook attempts, like go-retryablehttp's default: {@code min · 2^n}, capped at {@code max}
 * (1s, 2s, 4s, … 30s by default).
 *
 * @param min the wait before the first retry
 * @param max the longest wait
 */
public record RetryBackoff(Duration min, Duration max) {
  /** go-retryablehttp's defaults: 1s doubling up to 30s. */
  public static final RetryBackoff DEFAULT = new RetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

  public RetryBackoff {
    if (min.isNegative() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException("backoff needs 0 <= min <= max");
    }
  }

  /** The wait before retry number {@code retry} (0 for the first retry). */
  public Duration delay(int retry) {
    long minMs = min.toMillis();
    long maxMs = max.toMillis();
    int shift = Math.min(Math.max(retry, 0), 30);
    long ms = minMs << shift;
    if (ms < minMs || ms > maxMs) {
      ms = maxMs;
    }
    return Duration.ofMillis(ms);
  }
}
