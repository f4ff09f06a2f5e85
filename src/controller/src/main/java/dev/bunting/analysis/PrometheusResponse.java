package dev.bunting.analysis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Turns the answer of Prometheus' {@code /api/v1/query} into a {@link MetricValue} (and of
 * {@code /api/v1/query_range} into {@link MetricSamples}). Pure: no I/O, never throws.
 *
 * <ul>
 *   <li>HTTP status 400 or more: failed, with Prometheus' error (or a short excerpt of the body);
 *   <li>an instant vector with one sample: that value; with none: "no values found"; with several: failed,
 *       naming how many series came back (Flagger silently keeps the last one);
 *   <li>a scalar: its value (Flagger cannot read scalars);
 *   <li>a NaN sample: "no values found", like Flagger;
 *   <li>a range vector (matrix) or a string: failed.
 * </ul>
 */
final class PrometheusResponse {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int EXCERPT = 300;
  static final String NO_VALUES = "no values found";

  private PrometheusResponse() {}

  static MetricValue toMetricValue(int status, String body) {
    String text = body == null ? "" : body;
    String problem = problem(status, text);
    if (problem != null) {
      return MetricValue.failed(problem);
    }
    JsonNode data = readData(text);
    JsonNode result = data.path("result");
    String resultType = data.path("resultType").asText("");
    switch (resultType) {
      case "scalar":
        return sample(result, "scalar");
      case "matrix":
        return MetricValue.failed("query returned a range vector (matrix); the analysis needs an instant vector "
            + "or a scalar: remove the top-level [range] selector");
      case "string":
        return MetricValue.failed("query returned a string; the analysis needs a number");
      case "vector":
      case "":
        return vector(result);
      default:
        return MetricValue.failed("query returned an unknown result type \"" + resultType + "\"");
    }
  }

  /**
   * Turns the answer of {@code /api/v1/query_range} into samples: a matrix with no series is zero samples, one series
   * its values (NaN left out), several series a failure naming how many came back.
   */
  static MetricSamples toSamples(int status, String body) {
    String text = body == null ? "" : body;
    String problem = problem(status, text);
    if (problem != null) {
      return new MetricSamples.Failed(problem);
    }
    JsonNode data = readData(text);
    String resultType = data.path("resultType").asText("");
    if (!resultType.equals("matrix")) {
      return new MetricSamples.Failed("range query returned \"" + resultType + "\", not a matrix");
    }
    JsonNode result = data.path("result");
    if (!result.isArray() || result.isEmpty()) {
      return MetricSamples.of();
    }
    if (result.size() > 1) {
      return new MetricSamples.Failed(tooManySeries(result));
    }
    JsonNode values = result.get(0).path("values");
    double[] out = new double[values.size()];
    for (int i = 0; i < values.size(); i++) {
      Double v = parseGoFloat(values.get(i).path(1).asText(""));
      if (v == null) {
        return new MetricSamples.Failed("invalid sample value \"" + values.get(i).path(1).asText("") + "\"");
      }
      out[i] = v;
    }
    return MetricSamples.of(out);
  }

  /** An HTTP error, unreadable JSON or an API error as a message; null for a usable answer. */
  private static String problem(int status, String text) {
    if (status >= 400) {
      return "error response: HTTP " + status + describeError(text);
    }
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return "error unmarshaling result: " + e.getOriginalMessage() + ", '" + excerpt(text) + "'";
    }
    if (root == null || !root.isObject()) {
      return "error unmarshaling result: not a JSON object, '" + excerpt(text) + "'";
    }
    String apiStatus = root.path("status").asText("");
    if (!apiStatus.isEmpty() && !apiStatus.equals("success")) {
      return "query failed: " + errorText(root);
    }
    return null;
  }

  /** {@code data} of an answer {@link #problem} accepted. */
  private static JsonNode readData(String text) {
    try {
      return JSON.readTree(text).path("data");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String tooManySeries(JsonNode result) {
    List<String> series = new ArrayList<>();
    for (int i = 0; i < Math.min(3, result.size()); i++) {
      series.add(labels(result.get(i).path("metric")));
    }
    return "query returned " + result.size() + " series but the analysis needs exactly one "
        + "(aggregate them, e.g. with sum() or max()); first series: " + String.join(", ", series)
        + (result.size() > 3 ? ", ..." : "");
  }

  private static MetricValue vector(JsonNode result) {
    if (result.isMissingNode() || result.isNull()) {
      return MetricValue.noValues(NO_VALUES);
    }
    if (!result.isArray()) {
      return MetricValue.failed("error unmarshaling result: data.result is not an array");
    }
    if (result.isEmpty()) {
      return MetricValue.noValues(NO_VALUES);
    }
    if (result.size() > 1) {
      return MetricValue.failed(tooManySeries(result));
    }
    JsonNode series = result.get(0);
    if (series.has("values") && !series.has("value")) {
      return MetricValue.failed("query returned a range vector (matrix); the analysis needs an instant vector "
          + "or a scalar: remove the top-level [range] selector");
    }
    return sample(series.path("value"), "sample");
  }

  /** Reads {@code [timestamp, "value"]}. */
  private static MetricValue sample(JsonNode pair, String what) {
    if (!pair.isArray() || pair.size() < 2) {
      return MetricValue.failed("error unmarshaling result: " + what + " is not a [time, value] pair");
    }
    JsonNode v = pair.get(1);
    if (!v.isTextual() && !v.isNumber()) {
      return MetricValue.failed("error unmarshaling result: " + what + " value is " + v.getNodeType());
    }
    String raw = v.asText();
    Double value = parseGoFloat(raw);
    if (value == null) {
      return MetricValue.failed("invalid sample value \"" + raw + "\"");
    }
    if (value.isNaN()) {
      return MetricValue.noValues(NO_VALUES + " (the query returned NaN)");
    }
    return MetricValue.of(value);
  }

  /** Go's {@code strconv.ParseFloat}: also accepts {@code +Inf}, {@code -Inf}, {@code Inf}, {@code NaN}. */
  static Double parseGoFloat(String s) {
    String t = s.strip();
    String lower = t.toLowerCase();
    switch (lower) {
      case "nan":
        return Double.NaN;
      case "inf", "+inf", "infinity", "+infinity":
        return Double.POSITIVE_INFINITY;
      case "-inf", "-infinity":
        return Double.NEGATIVE_INFINITY;
      default:
        break;
    }
    if (t.isEmpty() || lower.endsWith("d") || lower.endsWith("f")) {
      return null;
    }
    try {
      return Double.parseDouble(t);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String labels(JsonNode metric) {
    StringBuilder b = new StringBuilder("{");
    Iterator<Map.Entry<String, JsonNode>> fields = metric.fields();
    boolean first = true;
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      if (!first) {
        b.append(", ");
      }
      first = false;
      b.append(f.getKey()).append("=\"").append(f.getValue().asText()).append('"');
    }
    return b.append('}').toString();
  }

  private static String describeError(String body) {
    if (body.isBlank()) {
      return "";
    }
    try {
      JsonNode root = JSON.readTree(body);
      if (root != null && root.isObject() && root.has("error")) {
        return ": " + errorText(root);
      }
    } catch (JsonProcessingException e) {
      // not JSON: show the text
    }
    return ": " + excerpt(body);
  }

  private static String errorText(JsonNode root) {
    String type = root.path("errorType").asText("");
    String error = root.path("error").asText("unknown error");
    return type.isEmpty() ? error : type + ": " + error;
  }

  /** The start of a body, whitespace collapsed, at most 300 characters. */
  static String excerpt(String body) {
    String t = QueryText.normalize(body);
    return t.length() <= EXCERPT ? t : t.substring(0, EXCERPT) + "...";
  }
}
