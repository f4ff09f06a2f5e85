package dev.bunting.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Instant;

/**
 * Google Cloud Monitoring (Stackdriver) MQL, as Flagger's {@code StackDriverProvider} (which uses the Go gRPC client):
 * Bunting calls the REST method {@code projects.timeSeries.query}, {@code POST
 * <address>/v3/projects/<project>/timeSeries:query} with {@code {"query": <MQL>}} and {@code Authorization: Bearer}
 * (address default {@code https://monitoring.googleapis.com}). The Secret's {@code project} is required;
 * {@code serviceAccountKey} (a JSON key file) is optional: without it the token comes from the GKE/GCE metadata
 * server, as with Flagger's default credentials.
 *
 * <p>The value is the first value of the first point of the first time series ({@code doubleValue}; Bunting also reads
 * {@code int64Value}, which Flagger reads as 0). No series, no points or no values: no values. MQL queries name their
 * own window; a given evaluation time is ignored.
 */
final class StackdriverProvider extends HttpMetricProvider {
  static final String DEFAULT_ADDRESS = "https://monitoring.googleapis.com";

  private final String url;
  private final String serviceAccountKey;
  private final GoogleTokens tokens;

  StackdriverProvider(WebClient client, Clock clock, ProviderSettings s, GoogleTokens tokens) {
    super("stackdriver", client, clock, TIMEOUT);
    if (!s.hasSecret()) {
      throw new IllegalArgumentException("stackdriver needs spec.provider.secretRef with a project key");
    }
    String project = s.secretValue("project");
    if (project == null || project.isBlank()) {
      throw new IllegalArgumentException("stackdriver credentials does not contain a project id");
    }
    this.url = baseUrl(type, s.addressOr(DEFAULT_ADDRESS)) + "/v3/projects/" + project.strip() + "/timeSeries:query";
    this.serviceAccountKey = s.secretValue("serviceAccountKey");
    this.tokens = tokens;
  }

  @Override
  public Future<MetricValue> query(String query, Instant at) {
    return tokens.token(serviceAccountKey)
        .compose(token -> send(request(token), new JsonObject().put("query", query.strip()).toBuffer(),
            StackdriverProvider::value))
        .otherwise(e -> MetricValue.failed("stackdriver: getting an access token failed: " + e.getMessage()));
  }

  private HttpRequest<Buffer> request(String token) {
    return client.postAbs(url).putHeader("Content-Type", "application/json").bearerTokenAuthentication(token);
  }

  static MetricValue value(String body) {
    JsonNode series = json(body).path("timeSeriesData");
    if (!series.isArray() || series.isEmpty()) {
      return MetricValue.noValues("no values found (no time series)");
    }
    JsonNode points = series.get(0).path("pointData");
    if (!points.isArray() || points.isEmpty()) {
      return MetricValue.noValues("no values found (the first time series has no points)");
    }
    JsonNode values = points.get(0).path("values");
    if (!values.isArray() || values.isEmpty()) {
      return MetricValue.noValues("no values found (the first point has no values)");
    }
    JsonNode v = values.get(0);
    Double d = v.has("doubleValue") ? number(v.get("doubleValue")) : v.has("int64Value") ? number(v.get("int64Value"))
        : null;
    if (d == null) {
      return v.has("doubleValue") || v.has("int64Value") ? MetricValue.noValues("no values found (NaN)")
          : MetricValue.failed("invalid response: the value is neither doubleValue nor int64Value: "
              + PrometheusResponse.excerpt(v.toString()));
    }
    return MetricValue.of(d);
  }

  @Override
  String httpError(int status, String body) {
    try {
      JsonNode error = json(body).path("error");
      if (error.isObject()) {
        return "error requesting stackdriver: HTTP " + status + " " + error.path("status").asText("") + ": "
            + PrometheusResponse.excerpt(error.path("message").asText(""));
      }
    } catch (RuntimeException e) {
      // not JSON
    }
    return super.httpError(status, body);
  }

  /** Flagger's check: an empty query must be refused as invalid (400), not as forbidden. */
  @Override
  public Future<Boolean> isOnline() {
    return tokens.token(serviceAccountKey)
        .compose(token -> exchange(request(token), new JsonObject().put("query", "").toBuffer()))
        .compose(r -> r.statusCode() == 200 || r.statusCode() == 400 ? Future.succeededFuture(true)
            : Future.failedFuture(new IllegalStateException("unexpected status code: " + r.statusCode())));
  }
}
