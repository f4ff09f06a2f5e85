package dev.bunting.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.analysis.MetricCheck.Kind;
import dev.bunting.analysis.MetricVerdict.Outcome;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MetricJudgeTest {

  private static MetricCheck check(String name, Kind kind, ThresholdRange range, double threshold) {
    return new MetricCheck(name, kind, range, threshold, "istio", "podinfo", "test", "podinfo-target");
  }

  private static MetricVerdict judge(MetricCheck check, double value) {
    return MetricJudge.judge(check, MetricValue.of(value));
  }

  @Nested
  class SuccessRate {

    @ParameterizedTest(name = "{0} with min 99 -> {1}")
    @CsvSource(delimiter = '|', value = {
        "99     | ''",
        "100    | ''",
        "98.999 | Halt podinfo.test advancement success rate 99.00% < 99%",
        "98.99  | Halt podinfo.test advancement success rate 98.99% < 99%",
        "0      | Halt podinfo.test advancement success rate 0.00% < 99%"})
    void minimum(double value, String message) {
      MetricVerdict verdict = judge(check("request-success-rate", Kind.SUCCESS_RATE, ThresholdRange.atLeast(99), 0),
          value);
      assertThat(verdict.passed()).isEqualTo(message.isEmpty());
      assertThat(verdict.outcome()).isEqualTo(message.isEmpty() ? Outcome.PASSED : Outcome.FAILED);
      assertThat(verdict.message()).isEqualTo(message);
      assertThat(verdict.value()).isEqualTo(OptionalDouble.of(value));
    }

    @Test
    void fractionalBoundsPrintLikeGo() {
      assertThat(judge(check("request-success-rate", Kind.SUCCESS_RATE, ThresholdRange.atLeast(99.5), 0), 99.49)
          .message()).isEqualTo("Halt podinfo.test advancement success rate 99.49% < 99.5%");
    }

    @Test
    void maximum() {
      MetricCheck check = check("request-success-rate", Kind.SUCCESS_RATE, ThresholdRange.between(90, 100), 0);
      assertThat(judge(check, 100).passed()).isTrue();
      assertThat(judge(check, 90).passed()).isTrue();
      assertThat(judge(check, 100.5).message())
          .isEqualTo("Halt podinfo.test advancement success rate 100.50% > 100%");
    }

    @Test
    void deprecatedThresholdIsAMinimum() {
      MetricCheck check = check("request-success-rate", Kind.SUCCESS_RATE, null, 99);
      assertThat(judge(check, 99).passed()).isTrue();
      assertThat(judge(check, 98).message()).isEqualTo("Halt podinfo.test advancement success rate 98.00% < 99%");
    }

    @Test
    void withNeitherRangeNorThresholdEverythingPasses() {
      assertThat(judge(check("request-success-rate", Kind.SUCCESS_RATE, null, 0), 0).passed()).isTrue();
      assertThat(judge(check("request-success-rate", Kind.SUCCESS_RATE, new ThresholdRange(null, null), 50), 0)
          .passed()).as("a present but empty range ignores the deprecated threshold, as in Flagger").isTrue();
    }
  }

  @Nested
  class Duration {

    @ParameterizedTest(name = "{0} ms with max 500 -> {1}")
    @CsvSource(delimiter = '|', value = {
        "500  | ''",
        "0    | ''",
        "501  | Halt podinfo.test advancement request duration 501ms > 500ms"})
    void maximum(double ms, String message) {
      MetricVerdict verdict = judge(check("request-duration", Kind.DURATION, ThresholdRange.atMost(500), 0), ms);
      assertThat(verdict.message()).isEqualTo(message);
      assertThat(verdict.passed()).isEqualTo(message.isEmpty());
    }

    @Test
    void fractionalBoundsAreTruncatedToWholeMillisecondsLikeFlagger() {
      MetricCheck check = check("request-duration", Kind.DURATION, ThresholdRange.atMost(500.9), 0);
      assertThat(judge(check, 500).passed()).isTrue();
      assertThat(judge(check, 501).message()).isEqualTo("Halt podinfo.test advancement request duration 501ms > 500ms");
    }

    @Test
    void minimumAndLongDurations() {
      MetricCheck check = check("request-duration", Kind.DURATION, ThresholdRange.between(10, 1000), 0);
      assertThat(judge(check, 10).passed()).isTrue();
      assertThat(judge(check, 9).message()).isEqualTo("Halt podinfo.test advancement request duration 9ms < 10ms");
      assertThat(judge(check, 1500).message()).isEqualTo("Halt podinfo.test advancement request duration 1.5s > 1s");
      assertThat(judge(check, 90_500).message())
          .isEqualTo("Halt podinfo.test advancement request duration 1m30.5s > 1s");
    }

    @Test
    void deprecatedThresholdIsAMaximumInMilliseconds() {
      MetricCheck check = check("request-duration", Kind.DURATION, null, 500);
      assertThat(judge(check, 500).passed()).isTrue();
      assertThat(judge(check, 501).message()).isEqualTo("Halt podinfo.test advancement request duration 501ms > 500ms");
    }

    @Test
    void withNeitherRangeNorThresholdFlaggersZeroThresholdFailsAnyDuration() {
      MetricCheck check = check("request-duration", Kind.DURATION, null, 0);
      assertThat(judge(check, 0).passed()).isTrue();
      assertThat(judge(check, 1).message()).isEqualTo("Halt podinfo.test advancement request duration 1ms > 0s");
    }
  }

  @Nested
  class Custom {

    @Test
    void range() {
      MetricCheck check = check("error-rate", Kind.CUSTOM, ThresholdRange.between(1, 5), 0);
      assertThat(judge(check, 5).passed()).isTrue();
      assertThat(judge(check, 1).passed()).isTrue();
      assertThat(judge(check, 5.01).message()).isEqualTo("Halt podinfo.test advancement error-rate 5.01 > 5");
      assertThat(judge(check, 0.5).message()).isEqualTo("Halt podinfo.test advancement error-rate 0.50 < 1");
      assertThat(judge(check, Double.POSITIVE_INFINITY).message())
          .isEqualTo("Halt podinfo.test advancement error-rate +Inf > 5");
    }

    @Test
    void anInfiniteValueNeverPassesEvenWithinItsBounds() {
      MetricCheck rate = check("request-success-rate", Kind.SUCCESS_RATE, ThresholdRange.atLeast(99), 0);
      assertThat(judge(rate, Double.POSITIVE_INFINITY).message()).isEqualTo("Halt podinfo.test advancement "
          + "request-success-rate is +Inf: the query divides by zero or overflows; an infinite value is never a "
          + "measurement");
      MetricCheck below = check("saturation", Kind.CUSTOM, ThresholdRange.atMost(5), 0);
      assertThat(judge(below, Double.NEGATIVE_INFINITY).passed()).isFalse();
      assertThat(judge(below, Double.NEGATIVE_INFINITY).message()).contains("saturation is -Inf");
    }

    @Test
    void deprecatedThresholdIsAMaximum() {
      MetricCheck check = check("error-rate", Kind.CUSTOM, null, 10);
      assertThat(judge(check, 10).passed()).isTrue();
      assertThat(judge(check, -3).passed()).isTrue();
      assertThat(judge(check, 11).message()).isEqualTo("Halt podinfo.test advancement error-rate 11.00 > 10");
    }
  }

  @Test
  void noValuesIsAFailedCheckWithFlaggersMessage() {
    MetricVerdict verdict = MetricJudge.judge(
        check("request-success-rate", Kind.SUCCESS_RATE, ThresholdRange.atLeast(99), 0),
        MetricValue.noValues("no values found"));
    assertThat(verdict.passed()).isFalse();
    assertThat(verdict.outcome()).isEqualTo(Outcome.NO_VALUES);
    assertThat(verdict.value()).isEmpty();
    assertThat(verdict.message()).isEqualTo("Halt advancement no values found for istio metric request-success-rate "
        + "probably podinfo-target.test is not receiving traffic");
  }

  @Test
  void errorsAreFailedChecksCarryingTheirMessage() {
    MetricVerdict builtin = MetricJudge.judge(check("request-duration", Kind.DURATION, null, 500),
        MetricValue.failed("request failed: Connection refused"));
    assertThat(builtin.outcome()).isEqualTo(Outcome.ERROR);
    assertThat(builtin.passed()).isFalse();
    assertThat(builtin.message()).isEqualTo("Prometheus query failed: request failed: Connection refused");

    MetricVerdict custom = MetricJudge.judge(check("error-rate", Kind.CUSTOM, null, 1),
        MetricValue.failed("error response: HTTP 400: bad_data: parse error"));
    assertThat(custom.message()).isEqualTo("Metric query failed for error-rate: error response: HTTP 400: bad_data: "
        + "parse error");
  }

  @Test
  void kindFollowsTheMetricName() {
    assertThat(Kind.forMetricName("request-success-rate")).isEqualTo(Kind.SUCCESS_RATE);
    assertThat(Kind.forMetricName("request-duration")).isEqualTo(Kind.DURATION);
    assertThat(Kind.forMetricName("latency")).isEqualTo(Kind.CUSTOM);
  }
}
