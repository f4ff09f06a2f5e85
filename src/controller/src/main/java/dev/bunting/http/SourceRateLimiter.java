package dev.bunting.http;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token bucket per client address: {@code burst} requests at once, refilled at {@code perSecond}. The table of
 * addresses is bounded (least recently seen forgotten first), so a flood from many addresses cannot grow memory.
 * Called on an event loop; synchronized because one limiter serves every event loop of the server.
 */
public final class SourceRateLimiter {
  /** At most this many addresses are remembered. */
  static final int MAX_SOURCES = 10_000;

  private final double burst;
  private final double perSecond;
  private final Clock clock;
  private final Map<String, double[]> buckets = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, double[]> eldest) {
      return size() > MAX_SOURCES;
    }
  };

  public SourceRateLimiter(int burst, double perSecond, Clock clock) {
    if (burst < 1 || perSecond <= 0) {
      throw new IllegalArgumentException("burst must be at least 1 and the rate positive");
    }
    this.burst = burst;
    this.perSecond = perSecond;
    this.clock = clock;
  }

  /** Takes one token for {@code source}; false when its bucket is empty (the request should get 429). */
  public synchronized boolean tryAcquire(String source) {
    double now = clock.millis() / 1000.0;
    double[] b = buckets.computeIfAbsent(source == null ? "" : source, s -> new double[] {burst, now});
    b[0] = Math.min(burst, b[0] + (now - b[1]) * perSecond);
    b[1] = now;
    if (b[0] < 1) {
      return false;
    }
    b[0] -= 1;
    return true;
  }

  /** Whole seconds until {@code source} has a token again (for {@code Retry-After}). */
  public synchronized long retryAfterSeconds(String source) {
    double[] b = buckets.get(source == null ? "" : source);
    return b == null || b[0] >= 1 ? 0 : (long) Math.ceil((1 - b[0]) / perSecond);
  }
}
