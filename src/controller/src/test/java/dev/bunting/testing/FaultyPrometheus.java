package dev.bunting.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Prometheus stand-in in front of a real Prometheus (or of nothing) that can be switched to a fault at any moment:
 * down (nothing listens on its port), answering 500, never answering, an empty result, NaN, +Inf, several series.
 * {@link Fault#NONE} forwards every request to the upstream, or, without one, answers a fixed healthy value.
 */
public final class FaultyPrometheus implements AutoCloseable {

  /** What the stand-in does with the next request. */
  public enum Fault {
    /** Forwards to the upstream Prometheus (or answers {@link #healthyValue}). */
    NONE,
    /** Nothing listens: connections are refused. */
    DOWN,
    /** HTTP 500 with Prometheus' error body. */
    ERROR_500,
    /** Accepts the request and never answers. */
    TIMEOUT,
    /** A success with an empty vector. */
    EMPTY,
    /** One sample, NaN. */
    NAN,
    /** One sample, +Inf. */
    INF,
    /** Two series where the analysis needs one. */
    SEVERAL_SERIES
  }

  private final Vertx vertx;
  private volatile URI upstream;
  private final HttpClient client;
  private final AtomicLong requests = new AtomicLong();
  private volatile Fault fault = Fault.NONE;
  private volatile String healthyValue = "99.9";
  private HttpServer server;
  private int port;

  private FaultyPrometheus(Vertx vertx, String upstream) {
    this.vertx = vertx;
    this.upstream = upstream == null ? null : URI.create(upstream);
    this.client = vertx.createHttpClient();
  }

  /** Starts on a free loopback port, forwarding to {@code upstream} (null: answer {@link #healthyValue}). */
  public static FaultyPrometheus start(Vertx vertx, String upstream) throws Exception {
    FaultyPrometheus p = new FaultyPrometheus(vertx, upstream);
    p.listen(0);
    return p;
  }

  private void listen(int at) throws Exception {
    server = vertx.createHttpServer().requestHandler(this::handle);
    server.listen(at, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    port = server.actualPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Requests received while listening. */
  public long requests() {
    return requests.get();
  }

  public Fault fault() {
    return fault;
  }

  /** Forwards healthy requests to {@code url} from now on (e.g. a Prometheus started after this stand-in). */
  public FaultyPrometheus forwardTo(String url) {
    this.upstream = URI.create(url);
    return this;
  }

  /** The value a healthy answer carries when there is no upstream. */
  public FaultyPrometheus healthyValue(String value) {
    this.healthyValue = value;
    return this;
  }

  /** Switches to {@code next}; {@link Fault#DOWN} closes the port, anything else listens on it again. */
  public synchronized FaultyPrometheus inject(Fault next) throws Exception {
    if (next == Fault.DOWN && server != null) {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      server = null;
    } else if (next != Fault.DOWN && server == null) {
      listen(port);
    }
    fault = next;
    return this;
  }

  private void handle(HttpServerRequest req) {
    requests.incrementAndGet();
    switch (fault) {
      case TIMEOUT -> { } // never answers
      case ERROR_500 -> json(req, 500, "{\"status\":\"error\",\"errorType\":\"internal\","
          + "\"error\":\"injected fault: storage unavailable\"}");
      case EMPTY -> json(req, 200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
      case NAN -> json(req, 200, vector("NaN"));
      case INF -> json(req, 200, vector("+Inf"));
      case SEVERAL_SERIES -> json(req, 200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
          + "\"result\":[{\"metric\":{\"pod\":\"a\"},\"value\":[1,\"99\"]},"
          + "{\"metric\":{\"pod\":\"b\"},\"value\":[1,\"98\"]}]}}");
      default -> {
        URI to = upstream;
        if (to == null) {
          json(req, 200, vector(healthyValue));
        } else {
          forward(req, to);
        }
      }
    }
  }

  private static String vector(String value) {
    return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":"
        + "[1700000000,\"" + value + "\"]}]}}";
  }

  private static void json(HttpServerRequest req, int status, String body) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
  }

  private void forward(HttpServerRequest req, URI upstream) {
    req.pause();
    RequestOptions options = new RequestOptions().setMethod(req.method() == null ? HttpMethod.GET : req.method())
        .setHost(upstream.getHost()).setPort(upstream.getPort()).setURI(req.uri());
    req.headers().forEach(h -> {
      if (!"host".equalsIgnoreCase(h.getKey())) {
        options.addHeader(h.getKey(), h.getValue());
      }
    });
    client.request(options)
        .compose(out -> {
          req.resume();
          return req.body().compose(out::send);
        })
        .compose(res -> res.body().map(body -> new Forwarded(res.statusCode(), body)))
        .onComplete(ar -> {
          if (ar.failed()) {
            json(req, 502, "{\"status\":\"error\",\"error\":\"upstream unreachable\"}");
          } else {
            req.response().setStatusCode(ar.result().status()).putHeader("Content-Type", "application/json")
                .end(ar.result().body());
          }
        });
  }

  private record Forwarded(int status, Buffer body) {
  }

  @Override
  public synchronized void close() throws Exception {
    if (server != null) {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      server = null;
    }
    client.close();
  }
}
