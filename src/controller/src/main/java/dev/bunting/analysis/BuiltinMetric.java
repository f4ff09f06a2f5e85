package dev.bunting.analysis;

import java.util.Arrays;
import java.util.Optional;

/** Flagger's two builtin metrics, recognised by their exact name. */
public enum BuiltinMetric {

  /** Percentage (0–100) of requests that did not answer 5xx. */
  REQUEST_SUCCESS_RATE("request-success-rate"),

  /** Request latency in whole milliseconds (P99 for most providers, an average for nginx and skipper). */
  REQUEST_DURATION("request-duration");

  private final String metricName;

  BuiltinMetric(String metricName) {
    this.metricName = metricName;
  }

  /** The name a Canary uses in {@code analysis.metrics[].name}. */
  public String metricName() {
    return metricName;
  }

  /** The builtin metric with exactly this name, if any. */
  public static Optional<BuiltinMetric> byName(String name) {
    return Arrays.stream(values()).filter(m -> m.metricName.equals(name)).findFirst();
  }
}
