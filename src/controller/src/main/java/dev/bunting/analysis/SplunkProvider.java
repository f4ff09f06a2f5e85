package dev.bunting.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Splunk Observability (SignalFx) SignalFlow, as Flagger's {@code SplunkProvider}. Flagger runs the program over
 * SignalFlow's WebSocket with the Go client; Bunting uses SignalFlow's HTTP transport (server-sent events): {@code POST
 * <stream address>/v2/signalflow/execute?start=<ms>&stop=<ms>&immediate=true} with the program as a {@code text/plain}
 * body and {@code X-SF-Token} from the Secret's {@code sf_token_key}; window now − 10 × the metric's interval to now.
 * The address is required and, as in Flagger, the API address becomes the stream address
 * ({@code https://api.<realm>.signalfx.com} → {@code https://stream.<realm>.signalfx.com}; {@code wss://} → {@code
 * https://}).
 *
 * <p>The value is that of the last data point; points without a value are dropped. None left: no values. Points of
 * more than one time series (tsId): an error, as in Flagger ({@code query returned multiple values}).
 */
final class SplunkProvider extends HttpMetricProvider {
  private final String executeUrl;
  private final String validationUrl;
  private final String token;
  private final long windowMs;

  SplunkProvider(WebClient client, Clock clock, ProviderSettings s) {
    super("splunk", client, clock, TIMEOUT);
    if (s.address() == null || s.address().isBlank()) {
      throw new IllegalArgumentException("splunk endpoint is not set (spec.provider.address)");
    }
    String address = s.address().strip().replaceFirst("^ws", "http");
    this.executeUrl = baseUrl(type, address.replaceFirst("api", "stream")) + "/v2/signalflow/execute";
    this.validationUrl = baseUrl(type, address.replaceFirst("stream", "api")) + "/v2/metric";
    this.token = s.required("sf_token_key");
    this.windowMs = s.interval().multipliedBy(10).toMillis();
  }

  @Override
  public Future<MetricValue> query(String query, Instant at) {
    long stop = end(at).toEpochMilli();
    HttpRequest<Buffer> request = client.postAbs(executeUrl)
        .addQueryParam("start", Long.toString(stop - windowMs))
        .addQueryParam("stop", Long.toString(stop))
        .addQueryParam("immediate", "true")
        .putHeader("Content-Type", "text/plain")
        .putHeader("X-SF-Token", token);
    return send(request, Buffer.buffer(query.strip()), SplunkProvider::value);
  }

  /** Reads the {@code data} events of a server-sent-event stream. */
  static MetricValue value(String body) {
    Set<String> series = new LinkedHashSet<>();
    Double last = null;
    String event = "message";
    StringBuilder data = new StringBuilder();
    for (String line : (body + "\n\n").split("\r?\n", -1)) {
      if (line.isEmpty()) {
        if (data.length() > 0) {
          JsonNode message = json(data.toString());
          if (event.equals("error") || message.has("error") && !event.equals("data")) {
            throw new IllegalArgumentException("error executing query: " + PrometheusResponse.excerpt(
                message.path("message").asText(message.path("error").asText(message.toString()))));
          }
          if (event.equals("data")) {
            for (JsonNode point : message.path("data")) {
              Double v = number(point.path("value"));
              if (v != null) {
                series.add(point.path("tsId").asText(""));
                last = v;
              }
            }
          }
        }
        event = "message";
        data.setLength(0);
      } else if (line.startsWith("event:")) {
        event = line.substring(6).strip();
      } else if (line.startsWith("data:")) {
        data.append(data.length() > 0 ? "\n" : "").append(line.substring(5).strip());
      }
    }
    if (last == null) {
      return MetricValue.noValues("no values found");
    }
    if (series.size() > 1) {
      return MetricValue.failed("query returned multiple values (" + series.size()
          + " time series; the analysis needs one)");
    }
    return MetricValue.of(last);
  }

  @Override
  public Future<Boolean> isOnline() {
    return onlineWhenOk(client.getAbs(validationUrl).addQueryParam("limit", "1").putHeader("X-SF-Token", token),
        null);
  }
}
