package dev.bunting.analysis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * What the HTTP metric providers share: the shared {@link WebClient}, Flagger's 5 s deadline, and one way of turning
 * transport problems and HTTP errors into {@link MetricValue.Failed}. Subclasses build the request and read the answer;
 * nothing here blocks, and no message carries a credential (request headers are never echoed; response bodies are cut
 * to a short excerpt).
 */
abstract class HttpMetricProvider implements MetricProvider {
  static final ObjectMapper JSON = new ObjectMapper();
  /** Flagger's per-query deadline. */
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  protected final String type;
  protected final WebClient client;
  protected final Clock clock;
  protected final Duration timeout;

  HttpMetricProvider(String type, WebClient client, Clock clock, Duration timeout) {
    this.type = Objects.requireNonNull(type, "type");
    this.client = Objects.requireNonNull(client, "client");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.timeout = timeout == null ? TIMEOUT : timeout;
  }

  @Override
  public String type() {
    return type;
  }

  /** The end of the window: {@code at}, or now. */
  protected Instant end(Instant at) {
    return at == null ? clock.instant() : at;
  }

  /**
   * Sends a request (with {@code body} when not null) and reads a 2xx answer with {@code answer}; anything else
   * becomes {@code failed}. {@code answer} may throw: its message becomes the failure.
   */
  protected Future<MetricValue> send(HttpRequest<Buffer> request, Buffer body, Function<String, MetricValue> answer) {
    return exchange(request, body).map(response -> {
      String text = response.bodyAsString();
      text = text == null ? "" : text;
      if (response.statusCode() < 200 || response.statusCode() > 299) {
        return MetricValue.failed(httpError(response.statusCode(), text));
      }
      try {
        return answer.apply(text);
      } catch (RuntimeException e) {
        return MetricValue.failed(e.getMessage() == null ? e.toString() : e.getMessage());
      }
    }).otherwise(e -> MetricValue.failed(requestFailed(e)));
  }

  /** Sends a request with the deadline; the future fails on transport problems only. */
  protected Future<HttpResponse<Buffer>> exchange(HttpRequest<Buffer> request, Buffer body) {
    long ms = timeout.toMillis();
    request.timeout(ms);
    Future<HttpResponse<Buffer>> sent = body == null ? request.send() : request.sendBuffer(body);
    return sent.timeout(ms, TimeUnit.MILLISECONDS);
  }

  /**
   * Flagger's {@code IsOnline} for providers that check with one request: online when the answer's status is 200.
   */
  protected Future<Boolean> onlineWhenOk(HttpRequest<Buffer> request, Buffer body) {
    return exchange(request, body).recover(e -> Future.failedFuture(new IllegalStateException(requestFailed(e))))
        .compose(r -> r.statusCode() == 200 ? Future.succeededFuture(true)
            : Future.failedFuture(new IllegalStateException(httpError(r.statusCode(),
                r.bodyAsString() == null ? "" : r.bodyAsString()))));
  }

  String httpError(int status, String body) {
    return "error response from " + type + ": HTTP " + status + (body.isBlank() ? "" : ": "
        + PrometheusResponse.excerpt(body));
  }

  String requestFailed(Throwable e) {
    if (e instanceof TimeoutException) {
      return "request to " + type + " failed: no answer within " + timeout.toMillis() + "ms";
    }
    return "request to " + type + " failed: " + (e.getMessage() == null ? e.getClass().getSimpleName()
        : e.getMessage());
  }

  /** Parses a JSON answer, or throws with Flagger's {@code error unmarshaling result} and an excerpt. */
  static JsonNode json(String body) {
    try {
      JsonNode node = JSON.readTree(body);
      if (node == null) {
        throw new IllegalArgumentException("error unmarshaling result: empty body");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("error unmarshaling result: " + e.getOriginalMessage() + ", '"
          + PrometheusResponse.excerpt(body) + "'", e);
    }
  }

  /** A JSON number (or numeric string), or null for JSON null, a missing value or NaN. */
  static Double number(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return null;
    }
    if (v.isNumber()) {
      return v.asDouble();
    }
    if (v.isTextual()) {
      Double d = PrometheusResponse.parseGoFloat(v.asText());
      if (d == null) {
        throw new IllegalArgumentException("invalid value \"" + PrometheusResponse.excerpt(v.asText()) + "\"");
      }
      return d.isNaN() ? null : d;
    }
    throw new IllegalArgumentException("invalid value of type " + v.getNodeType());
  }

  /**
   * The base URL of {@code address} without a trailing slash (Flagger appends the API path to the address).
   *
   * @throws IllegalArgumentException {@code <type> address X is not a valid URL}
   */
  static String baseUrl(String type, String address) {
    PrometheusEndpoint.parseAddress(type, address);
    return address.strip().replaceAll("/+$", "");
  }

  /** Go's {@code time.Duration.Seconds()} truncated to whole seconds, at least 1. */
  static long seconds(Duration d) {
    return Math.max(1, d.toSeconds());
  }

  @Override
  public String toString() {
    return getClass().getSimpleName();
  }
}
