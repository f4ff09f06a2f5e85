package dev.bunting.analysis;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A fake Prometheus API for tests: answers {@code /api/v1/query} (under any base path) with a configurable
 * status and body, and records every request it receives.
 */
final class StubPrometheus {

  /** What the stub received. */
  record Request(String path, MultiMap params, MultiMap headers) {
    String param(String name) {
      return params.get(name);
    }

    String header(String name) {
      return headers.get(name);
    }
  }

  /** What the stub answers; a null body means "never answer". */
  record Answer(int status, String body) {}

  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private volatile Function<Request, Answer> answers = r -> vector("1");
  private HttpServer server;

  static Answer vector(String value) {
    return new Answer(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
        + "[{\"metric\":{},\"value\":[1700000000.123,\"" + value + "\"]}]}}");
  }

  static Answer json(int status, String body) {
    return new Answer(status, body);
  }

  static Answer noAnswer() {
    return new Answer(200, null);
  }

  Future<StubPrometheus> start(Vertx vertx) {
    return start(vertx, new HttpServerOptions());
  }

  Future<StubPrometheus> start(Vertx vertx, HttpServerOptions options) {
    server = vertx.createHttpServer(options.setHost("127.0.0.1")).requestHandler(req -> {
      Request recorded = new Request(req.path(), MultiMap.caseInsensitiveMultiMap().addAll(req.params()),
          MultiMap.caseInsensitiveMultiMap().addAll(req.headers()));
      requests.add(recorded);
      Answer answer = answers.apply(recorded);
      if (answer.body() == null) {
        return; // hang
      }
      req.response().setStatusCode(answer.status()).putHeader("Content-Type", "application/json")
          .end(answer.body());
    });
    return server.listen(0).map(s -> this);
  }

  StubPrometheus answering(Function<Request, Answer> answers) {
    this.answers = answers;
    return this;
  }

  StubPrometheus answering(Answer answer) {
    return answering(r -> answer);
  }

  int port() {
    return server.actualPort();
  }

  String url() {
    return "http://127.0.0.1:" + port();
  }

  List<Request> requests() {
    return requests;
  }

  Request lastRequest() {
    return requests.get(requests.size() - 1);
  }
}
