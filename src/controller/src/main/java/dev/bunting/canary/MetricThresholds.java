package dev.bunting.canary;

import dev.bunting.analysis.MetricCheck;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryMetric;
import dev.bunting.metrics.FlaggerMetrics.Threshold;
import java.util.ArrayList;
import java.util.List;

/**
 * The threshold bounds of a canary's analysis metrics, as {@code bunting_canary_metric_threshold} exports them: in the
 * unit of {@code flagger_canary_metric_analysis} (seconds for the builtin request-duration, whose thresholds are
 * written in milliseconds), from {@code thresholdRange} or, failing that, the deprecated {@code threshold} (a minimum
 * for request-success-rate, a maximum otherwise, as the judge reads it).
 */
final class MetricThresholds {
  private MetricThresholds() {}

  static List<Threshold> of(Canary canary) {
    List<Threshold> out = new ArrayList<>();
    List<CanaryMetric> metrics = canary.getSpec() == null ? null : canary.getSpec().effectiveAnalysis().metrics;
    if (metrics == null) {
      return out;
    }
    for (CanaryMetric m : metrics) {
      if (m.name == null) {
        continue;
      }
      MetricCheck.Kind kind = m.templateRef != null || (m.query != null && !m.query.isEmpty())
          ? MetricCheck.Kind.CUSTOM : MetricCheck.Kind.forMetricName(m.name);
      double scale = kind == MetricCheck.Kind.DURATION ? 1 / 1000.0 : 1;
      if (m.thresholdRange != null) {
        if (m.thresholdRange.min != null) {
          out.add(new Threshold(m.name, "min", m.thresholdRange.min * scale));
        }
        if (m.thresholdRange.max != null) {
          out.add(new Threshold(m.name, "max", m.thresholdRange.max * scale));
        }
      } else if (m.threshold != null) {
        out.add(new Threshold(m.name, kind == MetricCheck.Kind.SUCCESS_RATE ? "min" : "max", m.threshold * scale));
      }
    }
    return out;
  }
}
