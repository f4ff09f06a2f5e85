package dev.bunting.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Instant;

/**
 * Dynatrace's metrics API v2, as Flagger's {@code DynatraceProvider}: {@code GET <address>/api/v2/metrics/query} with
 * {@code metricSelector}, {@code resolution=Inf}, {@code from} = now − 10 × the metric's interval and {@code to} = now
 * (epoch milliseconds), and {@code Authorization: Api-Token <dynatrace_token>}. The address is required (the
 * environment's URL, e.g. {@code https://abc12345.live.dynatrace.com}). The value is the first value of the
 * <em>last</em> data entry of the first result; no result, no data or no values (or a null value): no values.
 */
final class DynatraceProvider extends HttpMetricProvider {
  private final String base;
  private final String token;
  private final long windowMs;

  DynatraceProvider(WebClient client, Clock clock, ProviderSettings s) {
    super("dynatrace", client, clock, TIMEOUT);
    if (s.address() == null || s.address().isBlank()) {
      throw new IllegalArgumentException("dynatrace endpoint is not set (spec.provider.address)");
    }
    this.base = baseUrl(type, s.address());
    this.token = s.required("dynatrace_token");
    this.windowMs = s.interval().multipliedBy(10).toMillis();
  }

  @Override
  public Future<MetricValue> query(String query, Instant at) {
    long to = end(at).getEpochSecond() * 1000;
    HttpRequest<Buffer> request = authenticated(client.getAbs(base + "/api/v2/metrics/query"))
        .addQueryParam("metricSelector", query.strip())
        .addQueryParam("resolution", "Inf")
        .addQueryParam("from", Long.toString(to - windowMs))
        .addQueryParam("to", Long.toString(to));
    return send(request, null, DynatraceProvider::value);
  }

  static MetricValue value(String body) {
    JsonNode result = json(body).path("result");
    if (!result.isArray() || result.isEmpty()) {
      return MetricValue.noValues("no values found (no result)");
    }
    JsonNode data = result.get(0).path("data");
    if (!data.isArray() || data.isEmpty()) {
      return MetricValue.noValues("no values found (no data)");
    }
    JsonNode values = data.get(data.size() - 1).path("values");
    if (!values.isArray() || values.isEmpty()) {
      return MetricValue.noValues("no values found (no values)");
    }
    Double v = number(values.get(0));
    return v == null ? MetricValue.noValues("no values found (the value is null)") : MetricValue.of(v);
  }

  @Override
  public Future<Boolean> isOnline() {
    return onlineWhenOk(authenticated(client.getAbs(base + "/api/v2/metrics").addQueryParam("pageSize", "1")), null);
  }

  private HttpRequest<Buffer> authenticated(HttpRequest<Buffer> request) {
    return request.putHeader("Authorization", "Api-Token " + token);
  }
}
