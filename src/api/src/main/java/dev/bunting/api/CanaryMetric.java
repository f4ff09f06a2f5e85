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

  // Bunting's additions (docs/analysis.md); Flagger's CRD does not have them, Flagger ignores them.

  /** {@code primary}: judge the canary against the primary (Mann-Whitney U over samples) instead of a threshold. */
  public String compare;
  /** With {@code compare}: {@code higher-is-worse}, {@code lower-is-worse} or {@code either}. */
  public String direction;
  /** With {@code compare}: how much worse the canary's mean may be, as a fraction of the primary's (default 0.1). */
  public Double tolerance;
  /** With {@code compare}: confidence level of the test (default 0.98, Kayenta's). */
  public Double confidence;
  /** With {@code compare}: fewest samples per side before the comparison judges (default 10). */
  public Integer minSamples;
  /** Fewest requests the canary must have served in the metric's window before it is judged. */
  public Integer minRequests;
  /** What not enough data means: {@code fail} (default, Flagger's behaviour), {@code skip} or {@code wait}. */
  public String noData;
  /** The score group this metric counts in ({@code analysis.score}); default {@code default}. */
  public String group;

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
