package dev.bunting.analysis;

import dev.bunting.gotemplate.GoFormat;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Decides whether a metric value passes its check, with Flagger's semantics and messages
 * ({@code pkg/controller/scheduler_metrics.go}). Pure functions.
 *
 * <ul>
 *   <li>{@code thresholdRange}: fail if the value is below {@code min} or above {@code max}; bounds pass.
 *       For durations both the value and the bounds are whole milliseconds (Flagger truncates a fractional
 *       bound: {@code max: 500.9} means 500 ms).
 *   <li>Deprecated {@code threshold} (no range): the success rate fails if {@code threshold > value}; the
 *       duration fails if {@code value > threshold} ms; a custom query fails if {@code value > threshold}. With
 *       neither set, Flagger's zero threshold applies (any duration or positive custom value fails).
 *   <li>No values (empty result or NaN): a failed check, "Halt advancement no values found for
 *       &lt;provider&gt; metric &lt;name&gt; probably &lt;target&gt;.&lt;namespace&gt; is not receiving
 *       traffic".
 *   <li>An error: a failed check carrying the error message.
 *   <li>An infinite value that its bounds would let through (e.g. {@code +Inf} against a {@code min}): a failed check
 *       (Flagger passes it). An infinity is a division by zero or an overflow in the query, never a measurement.
 * </ul>
 */
public final class MetricJudge {

  private MetricJudge() {}

  /** Judges one value. */
  public static MetricVerdict judge(MetricCheck check, MetricValue value) {
    if (value instanceof MetricValue.NoValues) {
      return new MetricVerdict(check.metricName(), MetricVerdict.Outcome.NO_VALUES, OptionalDouble.empty(),
          "Halt advancement no values found for " + check.provider() + " metric " + check.metricName()
              + " probably " + check.targetName() + "." + check.namespace() + " is not receiving traffic");
    }
    if (value instanceof MetricValue.Failed failed) {
      String message = check.kind() == MetricCheck.Kind.CUSTOM
          ? "Metric query failed for " + check.metricName() + ": " + failed.message()
          : "Prometheus query failed: " + failed.message();
      return new MetricVerdict(check.metricName(), MetricVerdict.Outcome.ERROR, OptionalDouble.empty(), message);
    }
    double v = ((MetricValue.Value) value).value();
    String failure = switch (check.kind()) {
      case SUCCESS_RATE -> successRate(check, v);
      case DURATION -> duration(check, v);
      case CUSTOM -> custom(check, v);
    };
    if (failure == null && Double.isInfinite(v)) {
      failure = halt(check) + check.metricName() + " is " + (v > 0 ? "+Inf" : "-Inf")
          + ": the query divides by zero or overflows; an infinite value is never a measurement";
    }
    return new MetricVerdict(check.metricName(),
        failure == null ? MetricVerdict.Outcome.PASSED : MetricVerdict.Outcome.FAILED, OptionalDouble.of(v),
        failure);
  }

  private static String successRate(MetricCheck check, double v) {
    ThresholdRange range = check.thresholdRange();
    if (range != null) {
      if (range.isBelow(v)) {
        return halt(check) + "success rate " + percent(v) + " < " + GoFormat.floatString(range.min()) + "%";
      }
      if (range.isAbove(v)) {
        return halt(check) + "success rate " + percent(v) + " > " + GoFormat.floatString(range.max()) + "%";
      }
      return null;
    }
    if (check.threshold() > v) {
      return halt(check) + "success rate " + percent(v) + " < " + GoFormat.floatString(check.threshold()) + "%";
    }
    return null;
  }

  private static String duration(MetricCheck check, double ms) {
    long value = (long) ms;
    ThresholdRange range = check.thresholdRange();
    if (range != null) {
      if (range.min() != null && value < (long) range.min().doubleValue()) {
        return halt(check) + "request duration " + millis(value) + " < " + millis((long) range.min().doubleValue());
      }
      if (range.max() != null && value > (long) range.max().doubleValue()) {
        return halt(check) + "request duration " + millis(value) + " > " + millis((long) range.max().doubleValue());
      }
      return null;
    }
    long threshold = (long) check.threshold();
    if (value > threshold) {
      return halt(check) + "request duration " + millis(value) + " > " + millis(threshold);
    }
    return null;
  }

  private static String custom(MetricCheck check, double v) {
    ThresholdRange range = check.thresholdRange();
    String prefix = halt(check) + check.metricName() + " " + twoDecimals(v);
    if (range != null) {
      if (range.isBelow(v)) {
        return prefix + " < " + GoFormat.floatString(range.min());
      }
      if (range.isAbove(v)) {
        return prefix + " > " + GoFormat.floatString(range.max());
      }
      return null;
    }
    if (v > check.threshold()) {
      return prefix + " > " + GoFormat.floatString(check.threshold());
    }
    return null;
  }

  private static String halt(MetricCheck check) {
    return "Halt " + check.canaryName() + "." + check.namespace() + " advancement ";
  }

  private static String percent(double v) {
    return twoDecimals(v) + "%";
  }

  private static String twoDecimals(double v) {
    return GoFormat.sprintf("%.2f", List.of(v));
  }

  /** Go's {@code time.Duration} string of whole milliseconds, e.g. {@code 500ms}, {@code 1.5s}. */
  private static String millis(long ms) {
    long limit = Long.MAX_VALUE / 1_000_000L;
    return GoFormat.duration(Math.max(-limit, Math.min(limit, ms)) * 1_000_000L);
  }
}
