package dev.bunting.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusResponseTest {

  private static MetricValue parse(String body) {
    return PrometheusResponse.toMetricValue(200, body);
  }

  @Test
  void stringResultsFail() {
    assertThat(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[1,\"x\"]}}"))
        .isEqualTo(MetricValue.failed("query returned a string; the analysis needs a number"));
  }

  @Test
  void anErrorStatusFailsEvenWithHttp200() {
    assertThat(parse("{\"status\":\"error\",\"errorType\":\"timeout\",\"error\":\"query timed out\"}"))
        .isEqualTo(MetricValue.failed("query failed: timeout: query timed out"));
  }

  @Test
  void invalidSampleValuesFail() {
    assertThat(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
        + "[{\"metric\":{},\"value\":[1,\"12abc\"]}]}}"))
        .isEqualTo(MetricValue.failed("invalid sample value \"12abc\""));
    assertThat(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
        + "[{\"metric\":{},\"value\":[1]}]}}"))
        .isEqualTo(MetricValue.failed("error unmarshaling result: sample is not a [time, value] pair"));
  }

  @Test
  void aMissingResultIsNoValues() {
    assertThat(parse("{\"status\":\"success\",\"data\":{}}")).isEqualTo(MetricValue.noValues("no values found"));
  }

  @Test
  void goFloatSyntax() {
    assertThat(PrometheusResponse.parseGoFloat("-Inf")).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(PrometheusResponse.parseGoFloat("1e-3")).isEqualTo(0.001);
    assertThat(PrometheusResponse.parseGoFloat("1.5d")).isNull();
    assertThat(PrometheusResponse.parseGoFloat("")).isNull();
  }

  @Test
  void emptyErrorBodiesStillNameTheStatus() {
    assertThat(PrometheusResponse.toMetricValue(502, "")).isEqualTo(MetricValue.failed("error response: HTTP 502"));
  }

  @org.junit.jupiter.api.Test
  void aRangeAnswerIsTheSeriesValuesWithoutNaN() {
    String one = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},"
        + "\"values\":[[1,\"20.5\"],[2,\"NaN\"],[3,\"21\"]]}]}}";
    org.assertj.core.api.Assertions.assertThat(PrometheusResponse.toSamples(200, one))
        .isEqualTo(new MetricSamples.Points(new double[] {20.5, 21}));
    String none = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}";
    org.assertj.core.api.Assertions.assertThat(PrometheusResponse.toSamples(200, none))
        .isEqualTo(new MetricSamples.Points(new double[0]));
    String two = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"pod\":\"a\"},"
        + "\"values\":[]},{\"metric\":{\"pod\":\"b\"},\"values\":[]}]}}";
    org.assertj.core.api.Assertions.assertThat(PrometheusResponse.toSamples(200, two))
        .isEqualTo(new MetricSamples.Failed("query returned 2 series but the analysis needs exactly one (aggregate "
            + "them, e.g. with sum() or max()); first series: {pod=\"a\"}, {pod=\"b\"}"));
    org.assertj.core.api.Assertions.assertThat(PrometheusResponse.toSamples(503, "down"))
        .isEqualTo(new MetricSamples.Failed("error response: HTTP 503: down"));
  }
}
