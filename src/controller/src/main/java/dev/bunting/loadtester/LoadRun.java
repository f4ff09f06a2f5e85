package dev.bunting.loadtester;

import dev.bunting.hooks.RedactedUrl;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.codec.BodyCodec;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;

/**
 * One run of the built-in load generator, on Vert.x, with no external binary. Requests are started on a fixed
 * schedule, {@code rate} per second from the moment the run starts (an open model, as real users arrive: a slow
 * answer does not delay the next request). When {@code concurrency} requests are already in flight, a request that
 * falls due is not sent and counts as {@code dropped}, so the report never hides an overloaded target behind a lower
 * rate. Answers are read and discarded; their latency goes into a {@link LatencyHistogram}.
 *
 * <p>All scheduling and bookkeeping happens on the event loop of the context that called {@link #start()}; nothing
 * blocks. {@link #report()} may be called from any thread.
 */
public final class LoadRun {
  /** Told about every request, e.g. to export metrics. Called on the run's event loop. */
  public interface Observer {
    Observer NONE = new Observer() {};

    /** A request got an answer with {@code status} after {@code nanos}. */
    default void answered(int status, long nanos) {}

    /** A request failed without an answer, of {@code kind} (see {@link LoadReport#errors()}). */
    default void failed(String kind) {}

    /** A request fell due while {@code concurrency} were in flight and was not sent. */
    default void dropped() {}
  }

  static final long TICK_MS = 10;

  private final Vertx vertx;
  private final LoadSpec spec;
  private final Observer observer;
  private final WebClient client;
  private final Promise<LoadReport> done = Promise.promise();
  private final LatencyHistogram latency = new LatencyHistogram();
  private final Map<Integer, AtomicLong> statusCodes = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final long planned;
  private volatile long startNanos;
  private volatile long endNanos;
  private volatile String state = "running";
  private long scheduled;
  private long timer = -1;

  public LoadRun(Vertx vertx, LoadSpec spec, Observer observer) {
    this.vertx = vertx;
    this.spec = spec;
    this.observer = observer;
    int timeoutMs = (int) Math.min(Integer.MAX_VALUE, spec.requestTimeout().toMillis());
    this.client = WebClient.create(vertx, new WebClientOptions().setUserAgent("bunting-loadtester")
            .setFollowRedirects(false).setKeepAlive(true).setConnectTimeout(timeoutMs),
        new PoolOptions().setHttp1MaxSize(spec.concurrency()).setMaxWaitQueueSize(spec.concurrency()));
    this.planned = spec.durationIfBounded()
        .map(d -> Math.max(1, Math.round(spec.rate() * d.toNanos() / 1e9)))
        .orElse(Long.MAX_VALUE);
  }

  public LoadSpec spec() {
    return spec;
  }

  /**
   * Starts sending. The future completes with the final report once the duration is over and every request sent has
   * an answer or failed, or at once after {@link #stop()}. It never fails.
   */
  public Future<LoadReport> start() {
    startNanos = System.nanoTime();
    tick();
    timer = vertx.setPeriodic(TICK_MS, id -> tick());
    return done.future();
  }

  /** Stops sending and abandons the requests in flight. */
  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    finish("stopped");
  }

  /** The future of {@link #start()}. */
  public Future<LoadReport> done() {
    return done.future();
  }

  private void tick() {
    if (done.future().isComplete()) {
      return;
    }
    double elapsedSeconds = (System.nanoTime() - startNanos) / 1e9;
    long due = Math.min(planned, (long) Math.floor(spec.rate() * elapsedSeconds) + 1);
    while (scheduled < due) {
      scheduled++;
      if (sent.get() - completed.get() >= spec.concurrency()) {
        dropped.incrementAndGet();
        observer.dropped();
      } else {
        send();
      }
    }
    finishIfDone();
  }

  private void finishIfDone() {
    if (scheduled >= planned && completed.get() >= sent.get()) {
      vertx.cancelTimer(timer);
      finish("completed");
    }
  }

  private void finish(String finalState) {
    if (done.future().isComplete()) {
      return;
    }
    endNanos = System.nanoTime();
    state = finalState;
    client.close();
    done.complete(report());
  }

  private void send() {
    sent.incrementAndGet();
    HttpRequest<Buffer> request = client.requestAbs(spec.method(), spec.url().toString())
        .idleTimeout(spec.requestTimeout().toMillis());
    spec.headers().forEach(h -> request.putHeader(h.name(), h.value()));
    long start = System.nanoTime();
    Future<HttpResponse<Void>> answer = spec.body().isEmpty()
        ? request.as(BodyCodec.none()).send()
        : request.as(BodyCodec.none()).sendBuffer(Buffer.buffer(spec.body()));
    answer.onComplete(ar -> {
      if (done.future().isComplete()) {
        return;
      }
      completed.incrementAndGet();
      if (ar.succeeded()) {
        long nanos = System.nanoTime() - start;
        int status = ar.result().statusCode();
        latency.record(nanos);
        statusCodes.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
        if (status >= 500) {
          errors.computeIfAbsent("HTTP " + status, s -> new AtomicLong()).incrementAndGet();
        }
        observer.answered(status, nanos);
      } else {
        String kind = kindOf(ar.cause());
        errors.computeIfAbsent(kind, s -> new AtomicLong()).incrementAndGet();
        observer.failed(kind);
      }
      if (scheduled >= planned) {
        finishIfDone();
      }
    });
  }

  /** The kind of a request failure, as counted in {@link LoadReport#errors()}. */
  static String kindOf(Throwable error) {
    for (Throwable e = error; e != null; e = e.getCause()) {
      if (e instanceof TimeoutException || e instanceof ConnectTimeoutException
          || e.getClass().getSimpleName().contains("Timeout")) {
        return "timeout";
      }
      if (e instanceof ConnectException) {
        return "connection refused";
      }
      if (e instanceof HttpClosedException) {
        return "connection closed";
      }
      if (e instanceof UnknownHostException) {
        return "unknown host";
      }
      if (e instanceof SSLException) {
        return "tls";
      }
    }
    return "other";
  }

  /** What the run has done so far; callable from any thread. */
  public LoadReport report() {
    long end = endNanos != 0 ? endNanos : System.nanoTime();
    Map<Integer, Long> codes = new TreeMap<>();
    statusCodes.forEach((s, n) -> codes.put(s, n.get()));
    Map<String, Long> kinds = new TreeMap<>();
    errors.forEach((k, n) -> kinds.put(k, n.get()));
    long sentNow = sent.get();
    long completedNow = Math.min(completed.get(), sentNow);
    Duration elapsed = Duration.ofNanos(startNanos == 0 ? 0 : end - startNanos);
    return new LoadReport(state, RedactedUrl.of(spec.url().toString()), spec.rate(), spec.concurrency(),
        spec.duration(), elapsed, sentNow, completedNow, dropped.get(), codes, kinds,
        new LoadReport.Latency(latency.percentileMillis(0.5), latency.percentileMillis(0.9),
            latency.percentileMillis(0.99), latency.maxMillis(), latency.meanMillis()));
  }
}
