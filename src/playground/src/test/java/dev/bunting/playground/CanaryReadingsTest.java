package dev.bunting.playground;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.analysis.BuiltinMetric;
import dev.bunting.analysis.BuiltinObserver;
import dev.bunting.analysis.QueryModel;
import org.junit.jupiter.api.Test;

class CanaryReadingsTest {
  private final CanaryReadings readings = new CanaryReadings("http://127.0.0.1:1", "demo", "podinfo",
      java.time.Clock.fixed(java.time.Instant.parse("2026-11-26T10:00:00Z"), java.time.ZoneOffset.UTC));

  private static String squash(String s) {
    return s.replaceAll("\\s+", "");
  }

  @Test
  void theSuccessRateIsTheQueryBuntingSendsForGatewayApi() {
    String engine = BuiltinObserver.HTTP.query(BuiltinMetric.REQUEST_SUCCESS_RATE,
        QueryModel.of("podinfo", "demo", "podinfo").withInterval("1m"));
    assertThat(squash(readings.successRateQuery("1m"))).isEqualTo(squash(engine));
  }

  @Test
  void theLatencyIsTheQueryBuntingSendsInMilliseconds() {
    String engine = BuiltinObserver.HTTP.query(BuiltinMetric.REQUEST_DURATION,
        QueryModel.of("podinfo", "demo", "podinfo").withInterval("30s"));
    assertThat(squash(readings.p99Query("30s"))).isEqualTo(squash(engine) + "*1000");
  }

  @Test
  void readsTheFirstValueAndTreatsNaNAsNoData() {
    assertThat(CanaryReadings.value("""
        {"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000.1,"99.5"]}]}}
        """)).hasValue(99.5);
    assertThat(CanaryReadings.value("""
        {"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000.1,"NaN"]}]}}
        """)).isEmpty();
    assertThat(CanaryReadings.value("""
        {"status":"success","data":{"resultType":"vector","result":[]}}
        """)).isEmpty();
  }

  @Test
  void anUnreachablePrometheusGivesNoReading() {
    assertThat(readings.now(java.util.Optional.empty())).isEqualTo(CanaryReadings.Reading.NONE);
    assertThat(readings.now(java.util.Optional.of(java.time.Instant.parse("2026-11-26T09:59:59Z"))))
        .as("a release that started a second ago has no window yet").isEqualTo(CanaryReadings.Reading.NONE);
  }
}
