package dev.bunting.kube;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.vertx.core.Context;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Client-side limit of the requests Bunting sends to the Kubernetes API server ({@code --kube-api-qps},
 * {@code --kube-api-burst}; Flagger's {@code -kubeconfig-qps}/{@code -kubeconfig-burst}): a token bucket holding up to
 * {@code burst} requests, refilled at {@code qps} per second, shared by every client of the process (the controller's
 * own and the impersonating ones of GitSync). A request that finds the bucket empty waits for its token, on the
 * thread that sends it: fabric8 calls are made from Bunting's worker pool, where waiting is fine. A request started on
 * a Vert.x event loop (a watch that reconnects) is never delayed, since an event loop must not block; it still takes its
 * token, so the requests after it wait longer.
 */
public final class ApiRateLimiter implements Interceptor {
  private final double qps;
  private final double burst;
  private final LongSupplier nanoClock;
  private double tokens;
  private long last;

  /**
   * @param qps requests per second, more than 0
   * @param burst requests that may go at once; 0 or less means {@code qps} rounded up (at least 1)
   */
  public ApiRateLimiter(double qps, int burst, LongSupplier nanoClock) {
    if (!(qps > 0) || Double.isInfinite(qps)) {
      throw new IllegalArgumentException("the API request rate must be a positive number, got " + qps);
    }
    this.qps = qps;
    this.burst = burst > 0 ? burst : Math.max(1, Math.ceil(qps));
    this.nanoClock = nanoClock;
    this.tokens = this.burst;
    this.last = nanoClock.getAsLong();
  }

  public ApiRateLimiter(double qps, int burst) {
    this(qps, burst, System::nanoTime);
  }

  public double qps() {
    return qps;
  }

  public int burst() {
    return (int) burst;
  }

  /** Takes one token; returns how long the caller must wait for it, in nanoseconds (0: go now). */
  synchronized long reserve() {
    long now = nanoClock.getAsLong();
    tokens = Math.min(burst, tokens + (now - last) * qps / 1e9);
    last = now;
    tokens -= 1;
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / qps * 1e9);
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    long wait = reserve();
    if (wait <= 0 || Context.isOnEventLoopThread()) {
      return;
    }
    try {
      TimeUnit.NANOSECONDS.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "ApiRateLimiter[qps=" + qps + ", burst=" + (int) burst + "]";
  }
}
