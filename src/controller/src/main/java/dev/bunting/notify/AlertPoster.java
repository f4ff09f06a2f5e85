package dev.bunting.notify;

import dev.bunting.api.GoDuration;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * POSTs alert payloads: {@code Content-Type: application/json}, {@code Authorization: Bearer} when the target has a
 * token, {@link AlertSignature#HEADER} when it has a signing key, the target's proxy, and one timeout for the whole
 * request. A 2xx answer is a delivery. One shared client.
 */
final class AlertPoster implements AutoCloseable {
  private static final int EXCERPT_CHARS = 200;

  private final WebClient client;
  private final Duration timeout;

  AlertPoster(Vertx vertx, Duration timeout) {
    this.client = WebClient.create(vertx, new WebClientOptions().setUserAgent("bunting").setFollowRedirects(false));
    this.timeout = timeout;
  }

  /** Posts {@code payload} to {@code target}; the future fails with a message free of secrets. */
  Future<String> post(AlertTarget target, JsonObject payload) {
    HttpRequest<Buffer> request;
    try {
      request = client.postAbs(target.postUrl());
    } catch (RuntimeException e) {
      return Future.failedFuture(new AlertDeliveryException("invalid address"));
    }
    long timeoutMs = timeout.toMillis();
    request.putHeader(HttpHeaders.CONTENT_TYPE.toString(), "application/json").timeout(timeoutMs);
    if (target.token() != null) {
      request.bearerTokenAuthentication(target.token());
    }
    target.proxyOptions().ifPresent(request::proxy);
    Buffer body = payload.toBuffer();
    if (target.signingKey() != null) {
      request.putHeader(AlertSignature.HEADER, AlertSignature.of(body.getBytes(), target.signingKey()));
    }
    return request.sendBuffer(body)
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .transform(ar -> ar.succeeded() ? fromResponse(ar.result(), target)
            : Future.failedFuture(new AlertDeliveryException(describe(ar.cause(), target))));
  }

  private static Future<String> fromResponse(HttpResponse<Buffer> response, AlertTarget target) {
    int status = response.statusCode();
    String body = response.bodyAsString() == null ? "" : response.bodyAsString().replaceAll("\\s+", " ").trim();
    if (body.length() > EXCERPT_CHARS) {
      body = body.substring(0, EXCERPT_CHARS) + "…";
    }
    String message = target.scrub(body.isEmpty() ? "HTTP " + status : "HTTP " + status + ": " + body);
    return status >= 200 && status < 300
        ? Future.succeededFuture(message)
        : Future.failedFuture(new AlertDeliveryException(message));
  }

  private String describe(Throwable error, AlertTarget target) {
    if (error instanceof TimeoutException) {
      return "timed out after " + GoDuration.format(timeout);
    }
    return target.scrub("sending failed: " + error.getMessage());
  }

  @Override
  public void close() {
    client.close();
  }

  /** A failed delivery; the message is safe to log. */
  static final class AlertDeliveryException extends RuntimeException {
    AlertDeliveryException(String message) {
      super(message, null, false, false);
    }
  }
}
