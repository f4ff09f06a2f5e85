package dev.bunting.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Instant;

/**
 * New Relic's Insights query API, as Flagger's {@code NewRelicProvider}: {@code GET
 * <address>/v1/accounts/<newrelic_account_id>/query?nrql=<query> SINCE <interval seconds> seconds ago} with the
 * header {@code X-Query-Key} from the Secret's {@code newrelic_query_key}. The answer must hold exactly one entry in
 * {@code results}; its {@code result} is the value. No entry, several entries, or a null {@code result}: no values.
 *
 * <p>NRQL has no "at" parameter: a given evaluation time is ignored and the window always ends now.
 */
final class NewRelicProvider extends HttpMetricProvider {
  static final String DEFAULT_ADDRESS = "https://insights-api.newrelic.com";

  private final String url;
  private final String queryKey;
  private final long since;

  NewRelicProvider(WebClient client, Clock clock, ProviderSettings s) {
    super("newrelic", client, clock, TIMEOUT);
    String account = s.required("newrelic_account_id");
    this.queryKey = s.required("newrelic_query_key");
    this.url = baseUrl(type, s.addressOr(DEFAULT_ADDRESS)) + "/v1/accounts/" + account.strip() + "/query";
    this.since = seconds(s.interval());
  }

  @Override
  public Future<MetricValue> query(String query, Instant at) {
    return send(request(query.strip() + " SINCE " + since + " seconds ago"), null, NewRelicProvider::value);
  }

  static MetricValue value(String body) {
    JsonNode results = json(body).path("results");
    if (!results.isArray() || results.size() != 1) {
      return MetricValue.noValues("no values found (" + (results.isArray() ? results.size() : 0)
          + " results, expected exactly one)");
    }
    Double v = number(results.get(0).path("result"));
    return v == null ? MetricValue.noValues("no values found (result is null)") : MetricValue.of(v);
  }

  @Override
  public Future<Boolean> isOnline() {
    return onlineWhenOk(request("SELECT * FROM Metric"), null);
  }

  private HttpRequest<Buffer> request(String nrql) {
    return client.getAbs(url).putHeader("X-Query-Key", queryKey).addQueryParam("nrql", nrql);
  }
}
