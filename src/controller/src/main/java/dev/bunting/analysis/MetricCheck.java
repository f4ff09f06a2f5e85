package dev.bunting.analysis;

import java.util.Objects;

/**
 * One metric check of a Canary analysis, with what the judge needs to decide and to explain.
 *
 * @param metricName {@code analysis.metrics[].name}
 * @param kind how the value is judged (builtin success rate, builtin duration, or a custom query)
 * @param thresholdRange {@code thresholdRange}, or null to use the deprecated {@code threshold}
 * @param threshold the deprecated {@code threshold} (Flagger's zero default when absent)
 * @param provider for builtin metrics the metrics provider (e.g. {@code istio}); for custom metrics the
 *     provider type (e.g. {@code prometheus}); used in the "no values found" message
 * @param canaryName the Canary's name
 * @param namespace the Canary's namespace
 * @param targetName {@code spec.targetRef.name}
 */
public record MetricCheck(String metricName, Kind kind, ThresholdRange thresholdRange, double threshold,
    String provider, String canaryName, String namespace, String targetName) {

  /** How a metric is judged. */
  public enum Kind {
    /** Builtin {@code request-success-rate}: a percentage; the deprecated threshold is a minimum. */
    SUCCESS_RATE,
    /** Builtin {@code request-duration}: whole milliseconds; the deprecated threshold is a maximum. */
    DURATION,
    /** A MetricTemplate or inline query: the deprecated threshold is a maximum. */
    CUSTOM;

    /** The kind for a metric name: builtin names map to their kind, anything else is custom. */
    public static Kind forMetricName(String metricName) {
      return BuiltinMetric.byName(metricName)
          .map(m -> m == BuiltinMetric.REQUEST_SUCCESS_RATE ? SUCCESS_RATE : DURATION)
          .orElse(CUSTOM);
    }
  }

  public MetricCheck {
    Objects.requireNonNull(metricName, "metricName");
    Objects.requireNonNull(kind, "kind");
    provider = provider == null ? "" : provider;
    canaryName = canaryName == null ? "" : canaryName;
    namespace = namespace == null ? "" : namespace;
    targetName = targetName == null ? "" : targetName;
  }
}
