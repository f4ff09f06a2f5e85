package dev.bunting.playground;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Steady traffic for the demo app, like a user population: {@code GET /} through the gateway at a fixed rate (sent
 * in small batches every 100 ms), with the app's host name. Counts what came back by status code; a request that
 * got no answer counts as status 0.
 */
public final class LoadGenerator implements AutoCloseable {
  private static final long TICK_MS = 100;

  private final Vertx vertx;
  private final int gatewayPort;
  private final String host;
  private final double requestsPerSecond;
  private final HttpClient client;
  private final Map<Integer, AtomicLong> byStatus = new ConcurrentHashMap<>();
  private double owed;
  private boolean started;
  private long timer = -1;

  public LoadGenerator(Vertx vertx, int gatewayPort, String host, double requestsPerSecond) {
    this.vertx = vertx;
    this.gatewayPort = gatewayPort;
    this.host = host;
    this.requestsPerSecond = requestsPerSecond;
    this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(2_000).setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(20));
  }

  /** Starts sending once {@code ready} says so (checked every 100 ms), then keeps sending until closed. */
  public void startWhen(BooleanSupplier ready) {
    timer = vertx.setPeriodic(TICK_MS, id -> {
      if (!started) {
        started = ready.getAsBoolean();
        return;
      }
      owed += requestsPerSecond * TICK_MS / 1000.0;
      while (owed >= 1) {
        owed -= 1;
        send();
      }
    });
  }

  private void send() {
    client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gatewayPort)
            .setURI("/").putHeader("Host", host).setTimeout(10_000))
        .compose(r -> r.send().compose(resp -> resp.body().map(b -> resp.statusCode())))
        .onComplete(ar -> count(ar.succeeded() ? ar.result() : 0));
  }

  private void count(int status) {
    byStatus.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
  }

  public double requestsPerSecond() {
    return requestsPerSecond;
  }

  /** Answers so far by HTTP status (0: no answer). */
  public Map<Integer, Long> answers() {
    Map<Integer, Long> out = new TreeMap<>();
    byStatus.forEach((s, n) -> out.put(s, n.get()));
    return out;
  }

  /** All answers so far. */
  public long total() {
    return byStatus.values().stream().mapToLong(AtomicLong::get).sum();
  }

  @Override
  public void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    client.close();
  }
}
