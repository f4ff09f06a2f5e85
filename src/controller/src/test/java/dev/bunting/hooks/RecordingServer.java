package dev.bunting.hooks;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A loopback HTTP(S) server for tests: it records every request (method, path, headers, body) and answers with
 * a scripted {@link Reply}. Shared by the hooks and notify tests.
 */
public final class RecordingServer implements AutoCloseable {

  /** One request as the receiver saw it. */
  public record Recorded(String method, String path, String query, MultiMap headers, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public String header(String name) {
      return headers.get(name);
    }
  }

  /**
   * What to answer: status, body, an optional delay and extra headers; or, with {@link #hang()} and
   * {@link #dropConnection()}, no answer at all.
   */
  public record Reply(int status, String body, long delayMs, Map<String, String> headers) {
    private static final int HANG = -1;
    private static final int DROP = -2;

    /** Never answer: the request is read and the connection left open. */
    public static Reply hang() {
      return new Reply(HANG, "", 0, Map.of());
    }

    /** Close the connection as soon as the request has been read, without a status line. */
    public static Reply dropConnection() {
      return new Reply(DROP, "", 0, Map.of());
    }

    public static Reply of(int status) {
      return new Reply(status, "", 0, Map.of());
    }

    public static Reply of(int status, String body) {
      return new Reply(status, body, 0, Map.of());
    }

    public Reply delayed(long ms) {
      return new Reply(status, body, ms, headers);
    }
  }

  private final Vertx vertx;
  private final boolean tls;
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private volatile Function<Recorded, Reply> responder = r -> Reply.of(200, "OK");
  private HttpServer server;

  private RecordingServer(Vertx vertx, boolean tls) {
    this.vertx = vertx;
    this.tls = tls;
  }

  /** A plain HTTP server on a free loopback port. */
  public static RecordingServer http(Vertx vertx) {
    return new RecordingServer(vertx, false).listen(new HttpServerOptions());
  }

  /** An HTTPS server with a freshly generated self-signed certificate. */
  public static RecordingServer https(Vertx vertx) {
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    return new RecordingServer(vertx, true)
        .listen(new HttpServerOptions().setSsl(true).setKeyCertOptions(cert.keyCertOptions()));
  }

  private RecordingServer listen(HttpServerOptions options) {
    server = vertx.createHttpServer(options.setHost("127.0.0.1").setPort(0))
        .requestHandler(req -> req.body().onSuccess(body -> handle(req, body.toString())));
    await(server.listen());
    return this;
  }

  private void handle(HttpServerRequest req, String body) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(req.headers());
    Recorded recorded = new Recorded(req.method().name(), req.path(), req.query(), headers, body);
    requests.add(recorded);
    Reply reply = responder.apply(recorded);
    if (reply.status() == Reply.HANG) {
      return;
    }
    if (reply.status() == Reply.DROP) {
      req.connection().close();
      return;
    }
    Runnable answer = () -> {
      reply.headers().forEach(req.response()::putHeader);
      req.response().setStatusCode(reply.status()).end(reply.body());
    };
    if (reply.delayMs() > 0) {
      vertx.setTimer(reply.delayMs(), id -> {
        if (!req.response().closed()) {
          answer.run();
        }
      });
    } else {
      answer.run();
    }
  }

  /** Answer every request with the result of {@code responder}. */
  public RecordingServer respond(Function<Recorded, Reply> responder) {
    this.responder = responder;
    return this;
  }

  /** Answer every request with {@code reply}. */
  public RecordingServer always(Reply reply) {
    return respond(r -> reply);
  }

  /** Answer the n-th request with the n-th reply; the last reply repeats. */
  public RecordingServer inOrder(Reply... replies) {
    return respond(r -> replies[Math.min(requests.size() - 1, replies.length - 1)]);
  }

  public List<Recorded> requests() {
    return List.copyOf(requests);
  }

  public int port() {
    return server.actualPort();
  }

  /** The absolute URL of {@code path} on this server. */
  public String url(String path) {
    return (tls ? "https" : "http") + "://127.0.0.1:" + port() + path;
  }

  @Override
  public void close() {
    await(server.close());
  }

  /** Waits for {@code future} from a test thread (never call on an event loop). */
  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("future did not complete: " + e, e);
    }
  }

  /** Sockets that hold the ports of {@link #unusedPort()}: bound, never listening, open while the test JVM runs. */
  private static final List<Socket> RESERVED = new CopyOnWriteArrayList<>();

  /**
   * A port on which nothing listens and nothing will: a socket of this JVM stays bound to it without listening, so a
   * connection is refused, and no other server (another test, another fork) can be given the port meanwhile, as it
   * could once a probe had released it.
   */
  public static int unusedPort() {
    try {
      Socket holder = new Socket();
      holder.setReuseAddress(false);
      holder.bind(new InetSocketAddress("127.0.0.1", 0));
      RESERVED.add(holder);
      return holder.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static <T> CompletableFuture<T> completable(Future<T> future) {
    return future.toCompletionStage().toCompletableFuture();
  }
}
