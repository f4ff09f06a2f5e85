package dev.bunting.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Datadog's metrics query API, as Flagger's {@code DatadogProvider}: {@code GET <address>/api/v1/query} with
 * {@code query}, {@code from} = now − 10 × the metric's interval and {@code to} = now (epoch seconds), and the headers
 * {@code DD-API-KEY} / {@code DD-APPLICATION-KEY} from the Secret's {@code datadog_api_key} /
 * {@code datadog_application_key}. The value is the <em>oldest</em> point of the first series (the newest bucket is
 * usually incomplete). No series, no points, or a null oldest point: no values.
 */
final class DatadogProvider extends HttpMetricProvider {
  static final String DEFAULT_ADDRESS = "https://api.datadoghq.com";

  private final String base;
  private final String apiKey;
  private final String applicationKey;
  private final Duration window;

  DatadogProvider(WebClient client, Clock clock, ProviderSettings s) {
    super("datadog", client, clock, TIMEOUT);
    this.base = baseUrl(type, s.addressOr(DEFAULT_ADDRESS));
    this.apiKey = s.required("datadog_api_key");
    this.applicationKey = s.required("datadog_application_key");
    this.window = s.interval().multipliedBy(10);
  }

  @Override
  public Future<MetricValue> query(String query, Instant at) {
    long to = end(at).getEpochSecond();
    HttpRequest<Buffer> request = authenticated(client.getAbs(base + "/api/v1/query"))
        .addQueryParam("query", query.strip())
        .addQueryParam("from", Long.toString(to - window.toSeconds()))
        .addQueryParam("to", Long.toString(to));
    return send(request, null, DatadogProvider::value);
  }

  static MetricValue value(String body) {
    JsonNode series = json(body).path("series");
    if (!series.isArray() || series.isEmpty()) {
      return MetricValue.noValues("no values found (no series)");
    }
    JsonNode points = series.get(0).path("pointlist");
    if (!points.isArray() || points.isEmpty()) {
      return MetricValue.noValues("no values found (the first series has no points)");
    }
    JsonNode oldest = points.get(0);
    Double v = oldest.isArray() && oldest.size() >= 2 ? number(oldest.get(1)) : null;
    return v == null ? MetricValue.noValues("no values found (the oldest point has no value)") : MetricValue.of(v);
  }

  @Override
  public Future<Boolean> isOnline() {
    return onlineWhenOk(authenticated(client.getAbs(base + "/api/v1/validate")), null);
  }

  private HttpRequest<Buffer> authenticated(HttpRequest<Buffer> request) {
    return request.putHeader("DD-API-KEY", apiKey).putHeader("DD-APPLICATION-KEY", applicationKey);
  }
}
