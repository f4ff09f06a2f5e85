package dev.bunting.playground;

import dev.bunting.loadtester.LoadReport;
import dev.bunting.loadtester.LoadRun;
import dev.bunting.loadtester.LoadSpec;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * Steady traffic for the demo app, like a user population: {@code GET /} through the gateway at a fixed rate, with the
 * app's host name, sent by the load tester's own engine ({@link LoadRun}, the {@code load} task of
 * {@code bunting loadtester}) running until the playground stops. Counts what came back by status code; a request
 * that got no answer counts as status 0.
 */
public final class LoadGenerator implements AutoCloseable {
  private static final long READY_CHECK_MS = 100;
  /** Requests in flight at most; more than the demo app's slowest revision ever needs at the playground's rates. */
  private static final int CONCURRENCY = 100;

  private final Vertx vertx;
  private final LoadSpec spec;
  private volatile LoadRun run;
  private long timer = -1;

  public LoadGenerator(Vertx vertx, int gatewayPort, String host, double requestsPerSecond) {
    this.vertx = vertx;
    this.spec = new LoadSpec(URI.create("http://127.0.0.1:" + gatewayPort + "/"), requestsPerSecond, null,
        CONCURRENCY, HttpMethod.GET, List.of(new LoadSpec.Header("Host", host)), "", Duration.ofSeconds(10));
  }

  /** Starts sending once {@code ready} says so (checked every 100 ms), then keeps sending until closed. */
  public void startWhen(BooleanSupplier ready) {
    timer = vertx.setPeriodic(READY_CHECK_MS, id -> {
      if (ready.getAsBoolean()) {
        vertx.cancelTimer(id);
        run = new LoadRun(vertx, spec, LoadRun.Observer.NONE);
        run.start();
      }
    });
  }

  public double requestsPerSecond() {
    return spec.rate();
  }

  /** Answers so far by HTTP status (0: no answer). */
  public Map<Integer, Long> answers() {
    Map<Integer, Long> out = new TreeMap<>();
    LoadRun current = run;
    if (current == null) {
      return out;
    }
    LoadReport report = current.report();
    out.putAll(report.statusCodes());
    long unanswered = report.errors().entrySet().stream().filter(e -> !e.getKey().startsWith("HTTP "))
        .mapToLong(Map.Entry::getValue).sum();
    if (unanswered > 0) {
      out.put(0, unanswered);
    }
    return out;
  }

  /** All answers so far. */
  public long total() {
    return answers().values().stream().mapToLong(Long::longValue).sum();
  }

  @Override
  public void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    LoadRun current = run;
    if (current != null) {
      current.stop();
    }
  }
}
