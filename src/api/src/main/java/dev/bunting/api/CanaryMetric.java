package dev.bunting.api;

import java.util.Map;

/** {@code analysis.metrics[]}: a builtin metric ({@code request-success-rate}, {@code request-duration}) or a MetricTemplate reference. */
public class CanaryMetric extends ApiObject {
  public static final String REQUEST_SUCCESS_RATE = "request-success-rate";
  public static final String REQUEST_DURATION = "request-duration";
  public static final String DEFAULT_INTERVAL = "1m";

  public String name;
  public String interval;
  /** Deprecated: use {@link #thresholdRange}. */
  public Double threshold;
  public ThresholdRange thresholdRange;
  /** Deprecated inline PromQL. */
  public String query;
  public NamedReference templateRef;
  public Map<String, String> templateVariables;

  public String intervalOrDefault() {
    return interval == null || interval.isEmpty() ? DEFAULT_INTERVAL : interval;
  }

  public boolean isBuiltin() {
    return REQUEST_SUCCESS_RATE.equals(name) || REQUEST_DURATION.equals(name);
  }

  /** {@code thresholdRange}: both bounds inclusive, either optional. */
  public static class ThresholdRange extends ApiObject {
    public Double min;
    public Double max;

    public ThresholdRange() {}

    public ThresholdRange(Double min, Double max) {
      this.min = min;
      this.max = max;
    }
  }
}
