package dev.bunting.analysis;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** A local HTTP stand-in for a metrics API: records each request and answers with what the test says. */
final class ProviderStandIn implements AutoCloseable {

  /** One request as received. */
  record Request(String method, String path, MultiMap params, MultiMap headers, String body) {
    String param(String name) {
      return params.get(name);
    }

    String header(String name) {
      return headers.get(name);
    }
  }

  /** An answer: status, content type and body. */
  record Answer(int status, String contentType, String body) {
    static Answer json(String body) {
      return new Answer(200, "application/json", body);
    }
  }

  final List<Request> requests = new CopyOnWriteArrayList<>();
  volatile Function<Request, Answer> answers = r -> new Answer(404, "text/plain", "no answer set");
  private final HttpServer server;

  ProviderStandIn(Vertx vertx) throws Exception {
    server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      Request r = new Request(req.method().name(), req.path(),
          MultiMap.caseInsensitiveMultiMap().addAll(req.params()),
          MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), body.toString());
      requests.add(r);
      Answer a = answers.apply(r);
      req.response().setStatusCode(a.status()).putHeader("Content-Type", a.contentType()).end(a.body());
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  int port() {
    return server.actualPort();
  }

  Request last() {
    return requests.get(requests.size() - 1);
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
