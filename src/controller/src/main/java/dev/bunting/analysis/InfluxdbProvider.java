package dev.bunting.analysis;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * InfluxDB 2's Flux query API, as Flagger's {@code InfluxdbProvider} (which uses the Go client): {@code POST
 * <address>/api/v2/query?org=<org>} with the JSON body {@code {"query": ..., "type": "flux", "dialect": {annotations
 * datatype, group, default; header; ","}}} and {@code Authorization: Token <token>}. With a {@code secretRef}, the
 * Secret's {@code token} and {@code org} are both required. Deadline 15 s, as Flagger's.
 *
 * <p>The answer is annotated CSV; the value is {@code _value} of the first record. A null value (empty cell, no
 * default) is no values. Where Bunting differs from Flagger, on purpose: an answer without records is no values
 * (Flagger returns 0, which could pass a threshold and promote); {@code long} and {@code unsignedLong} values are read
 * as numbers (Flagger accepts only {@code double}); an error table in the answer is a failure with its message.
 *
 * <p>Flux queries name their own range; a given evaluation time is ignored.
 */
final class InfluxdbProvider extends HttpMetricProvider {
  static final Duration INFLUX_TIMEOUT = Duration.ofSeconds(15);

  private final String url;
  private final String org;
  private final String token;

  InfluxdbProvider(WebClient client, Clock clock, ProviderSettings s) {
    super("influxdb", client, clock, INFLUX_TIMEOUT);
    this.url = baseUrl(type, s.address()) + "/api/v2/query";
    if (s.hasSecret()) {
      if (s.secretValue("token") == null) {
        throw new IllegalArgumentException("influxdb credentials does not contain an authentication token");
      }
      if (s.secretValue("org") == null) {
        throw new IllegalArgumentException("influxdb credentials does not contain an organisation");
      }
    }
    this.token = s.secretValue("token");
    this.org = s.secretValue("org") == null ? "" : s.secretValue("org");
  }

  @Override
  public Future<MetricValue> query(String query, Instant at) {
    return send(request(), body(query), InfluxdbProvider::value);
  }

  private HttpRequest<Buffer> request() {
    HttpRequest<Buffer> request = client.postAbs(url).addQueryParam("org", org)
        .putHeader("Content-Type", "application/json");
    if (token != null) {
      request.putHeader("Authorization", "Token " + token);
    }
    return request;
  }

  static Buffer body(String query) {
    JsonObject dialect = new JsonObject()
        .put("annotations", new JsonArray().add("datatype").add("group").add("default"))
        .put("delimiter", ",")
        .put("header", true);
    return new JsonObject().put("query", query).put("type", "flux").put("dialect", dialect).toBuffer();
  }

  /** Reads the first record's {@code _value} from annotated CSV. */
  static MetricValue value(String body) {
    List<String> datatypes = List.of();
    List<String> defaults = List.of();
    List<String> header = null;
    for (List<String> row : csv(body)) {
      if (row.size() == 1 && row.get(0).isEmpty()) {
        header = null; // a blank line ends a table
        datatypes = List.of();
        defaults = List.of();
        continue;
      }
      String first = row.get(0);
      if (first.startsWith("#")) {
        if (first.equals("#datatype")) {
          datatypes = row;
        } else if (first.equals("#default")) {
          defaults = row;
        }
        continue;
      }
      if (header == null) {
        header = row;
        continue;
      }
      int error = header.indexOf("error");
      if (error >= 0 && header.indexOf("_value") < 0) {
        String message = error < row.size() ? row.get(error) : "";
        return MetricValue.failed("influxdb query error: " + PrometheusResponse.excerpt(message));
      }
      int column = header.indexOf("_value");
      if (column < 0) {
        return MetricValue.failed("invalid response: the first table has no _value column");
      }
      String cell = column < row.size() ? row.get(column) : "";
      if (cell.isEmpty() && column < defaults.size()) {
        cell = defaults.get(column);
      }
      if (cell.isEmpty()) {
        return MetricValue.noValues("no values found (the first record's _value is null)");
      }
      String datatype = column < datatypes.size() ? datatypes.get(column) : "double";
      if (!datatype.isEmpty() && !List.of("double", "long", "unsignedLong").contains(datatype)) {
        return MetricValue.failed("invalid response: _value is a " + datatype + ", not a number");
      }
      Double v = PrometheusResponse.parseGoFloat(cell);
      if (v == null) {
        return MetricValue.failed("invalid response: _value \"" + PrometheusResponse.excerpt(cell)
            + "\" is not a number");
      }
      return v.isNaN() ? MetricValue.noValues("no values found (NaN)") : MetricValue.of(v);
    }
    return MetricValue.noValues("no values found (no records)");
  }

  /** RFC 4180 rows; a blank line is a row with one empty cell. */
  static List<List<String>> csv(String text) {
    List<List<String>> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        row.add(cell.toString());
        cell.setLength(0);
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
        row.add(cell.toString());
        cell.setLength(0);
        rows.add(row);
        row = new ArrayList<>();
      } else {
        cell.append(c);
      }
    }
    if (cell.length() > 0 || !row.isEmpty()) {
      row.add(cell.toString());
      rows.add(row);
    }
    return rows;
  }

  @Override
  public Future<Boolean> isOnline() {
    return onlineWhenOk(request(), body("from(bucket: \"default\") |> range(start: -2h)"));
  }
}
