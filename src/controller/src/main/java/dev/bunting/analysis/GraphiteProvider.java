package dev.bunting.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Graphite's render URL API, as Flagger's {@code GraphiteProvider}: the query is the render API's URL query string
 * ({@code target=...&from=-1min}), whitespace collapsed; Bunting sends {@code GET <address>/render?<query>&format=json}
 * (the address may have a path; parameters sorted by name, as Go encodes them). With a {@code secretRef}, the Secret's
 * {@code username} and {@code password} are both required and sent as basic auth. The value is the last non-null
 * datapoint over all returned targets; none: no values.
 *
 * <p>The query names its own window ({@code from}/{@code until}); a given evaluation time is ignored.
 */
final class GraphiteProvider extends HttpMetricProvider {
  private final String renderUrl;
  private final String username;
  private final String password;

  GraphiteProvider(WebClient client, Clock clock, ProviderSettings s) {
    super("graphite", client, clock, TIMEOUT);
    this.renderUrl = baseUrl(type, s.address()) + "/render";
    if (s.hasSecret()) {
      if (s.secretValue("username") == null) {
        throw new IllegalArgumentException("graphite credentials does not contain a username");
      }
      if (s.secretValue("password") == null) {
        throw new IllegalArgumentException("graphite credentials does not contain a password");
      }
    }
    this.username = s.secretValue("username");
    this.password = s.secretValue("password");
  }

  @Override
  public Future<MetricValue> query(String query, Instant at) {
    HttpRequest<Buffer> request = client.getAbs(renderUrl);
    parameters(QueryText.normalize(query)).forEach((k, values) -> values.forEach(v -> request.addQueryParam(k, v)));
    if (username != null && !username.isEmpty() && password != null && !password.isEmpty()) {
      request.basicAuthentication(username, password);
    }
    return send(request, null, GraphiteProvider::value);
  }

  /** The query's parameters by name (sorted), {@code format} set to {@code json}. */
  static Map<String, List<String>> parameters(String query) {
    Map<String, List<String>> params = new TreeMap<>();
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      params.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
    params.put("format", List.of("json"));
    return params;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("graphite query is not a valid URL query: " + e.getMessage(), e);
    }
  }

  static MetricValue value(String body) {
    JsonNode targets = json(body);
    if (!targets.isArray()) {
      throw new IllegalArgumentException("error unmarshaling result: not a JSON array, '"
          + PrometheusResponse.excerpt(body) + "'");
    }
    Double last = null;
    for (JsonNode target : targets) {
      for (JsonNode point : target.path("datapoints")) {
        if (!point.isArray() || point.size() != 2) {
          throw new IllegalArgumentException("error unmarshaling data point: " + point);
        }
        Double v = number(point.get(0));
        if (v != null) {
          last = v;
        }
      }
    }
    return last == null ? MetricValue.noValues("no values found") : MetricValue.of(last);
  }

  @Override
  public Future<Boolean> isOnline() {
    return query("target=test", null).compose(v -> v instanceof MetricValue.Failed f
        ? Future.failedFuture(new IllegalStateException("running query failed: " + f.message()))
        : Future.succeededFuture(true));
  }
}
