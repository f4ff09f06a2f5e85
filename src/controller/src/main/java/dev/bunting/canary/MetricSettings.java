package dev.bunting.canary;

import dev.bunting.analysis.AnalysisScore;
import dev.bunting.analysis.BuiltinMetric;
import dev.bunting.analysis.BuiltinObserver;
import dev.bunting.analysis.BuiltinQueries;
import dev.bunting.analysis.ComparisonJudge;
import dev.bunting.analysis.MetricCheck;
import dev.bunting.analysis.NoDataPolicy;
import dev.bunting.analysis.ThresholdRange;
import dev.bunting.api.CanaryAnalysis;
import dev.bunting.api.CanaryMetric;
import dev.bunting.api.GoDuration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One {@code analysis.metrics[]} entry read into what the analysis needs, with Bunting's additions checked: the judge
 * (a threshold, or {@code compare: primary}), the no-data rules and, for builtin metrics, the observer. Bad values
 * (an unknown {@code noData}, {@code compare} on a metric without a query, ...) are {@link #problems} the observer turns
 * into an {@code InvalidSpec} condition, so the canary holds with a clear message and nothing else changes.
 *
 * @param observer for a builtin metric, the provider's observer; empty for a MetricTemplate or inline query
 * @param comparison with {@code compare: primary}, how to compare; empty for the threshold judge
 */
record MetricSettings(CanaryMetric metric, MetricCheck.Kind kind, Optional<BuiltinMetric> builtin,
    Optional<BuiltinObserver> observer, ThresholdRange range, Optional<ComparisonJudge.Settings> comparison,
    NoDataPolicy noData, int minRequests, Duration interval, String group) {

  static final String WINDOW_INTERVAL = "interval";
  static final String WINDOW_RELEASE = "release";

  /**
   * Reads a metric. {@code provider} is the provider whose builtin queries the canary uses.
   *
   * @throws IllegalArgumentException with the message a user reads, for a setting Bunting cannot run
   */
  static MetricSettings of(CanaryMetric m, String provider) {
    boolean custom = m.templateRef != null || (m.query != null && !m.query.isEmpty());
    MetricCheck.Kind kind = custom ? MetricCheck.Kind.CUSTOM : MetricCheck.Kind.forMetricName(m.name);
    Optional<BuiltinMetric> builtin = custom ? Optional.empty() : BuiltinMetric.byName(m.name);
    if (!custom && builtin.isEmpty()) {
      throw new IllegalArgumentException("metric " + m.name + " has neither a query nor a templateRef"
          + (m.compare != null ? " (compare: " + m.compare + " needs a query to run for the canary and the primary)"
              : ""));
    }
    Optional<BuiltinObserver> observer = builtin.flatMap(b -> BuiltinQueries.find(provider));
    NoDataPolicy noData = NoDataPolicy.parse(m.noData).orElseThrow(() -> new IllegalArgumentException(
        "metric " + m.name + ": noData \"" + m.noData + "\" is not one of fail, skip, wait"));
    Duration interval = GoDuration.parse(m.intervalOrDefault()).filter(d -> !d.isZero() && !d.isNegative())
        .orElseThrow(() -> new IllegalArgumentException("metric " + m.name + ": interval \"" + m.interval
            + "\" is not a duration"));
    if (m.minRequests != null && m.minRequests > 0 && BuiltinQueries.find(provider).isEmpty()) {
      throw new IllegalArgumentException("metric " + m.name + ": minRequests counts the canary's requests with the "
          + "builtin request counter of its provider, and provider " + provider + " has none");
    }
    ThresholdRange range = m.thresholdRange == null ? null
        : new ThresholdRange(m.thresholdRange.min, m.thresholdRange.max);
    Optional<ComparisonJudge.Settings> comparison = Optional.empty();
    if (m.compare != null) {
      if (!m.compare.equals("primary")) {
        throw new IllegalArgumentException("metric " + m.name + ": compare \"" + m.compare
            + "\" is not supported (supported: primary)");
      }
      if (m.thresholdRange != null || m.threshold != null) {
        throw new IllegalArgumentException("metric " + m.name + ": compare: primary replaces the threshold; remove "
            + "thresholdRange/threshold or compare");
      }
      if (observer.isPresent() && !observer.get().comparesWithPrimary()) {
        throw new IllegalArgumentException("metric " + m.name + ": compare: primary is not available for the builtin "
            + "queries of provider " + provider + " (they select the canary by its Service or route); use a "
            + "MetricTemplate that selects the workload by {{ target }}");
      }
      ComparisonJudge.Direction direction = m.direction == null
          ? (builtin.orElse(null) == BuiltinMetric.REQUEST_SUCCESS_RATE ? ComparisonJudge.Direction.LOWER_IS_WORSE
              : ComparisonJudge.Direction.HIGHER_IS_WORSE)
          : ComparisonJudge.Direction.parse(m.direction).orElseThrow(() -> new IllegalArgumentException(
              "metric " + m.name + ": direction \"" + m.direction
                  + "\" is not one of higher-is-worse, lower-is-worse, either"));
      double tolerance = m.tolerance == null ? ComparisonJudge.DEFAULT_TOLERANCE : m.tolerance;
      double confidence = m.confidence == null ? ComparisonJudge.DEFAULT_CONFIDENCE : m.confidence;
      if (tolerance < 0 || !(confidence > 0 && confidence < 1)) {
        throw new IllegalArgumentException("metric " + m.name + ": tolerance must be at least 0 and confidence "
            + "between 0 and 1");
      }
      comparison = Optional.of(new ComparisonJudge.Settings(direction, tolerance, confidence,
          m.minSamples == null ? ComparisonJudge.DEFAULT_MIN_SAMPLES : m.minSamples));
    } else if (m.direction != null || m.tolerance != null || m.confidence != null || m.minSamples != null) {
      throw new IllegalArgumentException("metric " + m.name + ": direction, tolerance, confidence and minSamples "
          + "apply to compare: primary only");
    }
    return new MetricSettings(m, kind, builtin, observer, range, comparison, noData,
        m.minRequests == null ? 0 : Math.max(0, m.minRequests), interval,
        m.group == null || m.group.isBlank() ? AnalysisScore.DEFAULT_GROUP : m.group);
  }

  /** What is wrong with the Bunting analysis settings of a canary's metrics, one message each. */
  static List<String> problems(CanaryAnalysis analysis, String provider) {
    List<String> out = new ArrayList<>();
    if (analysis.window != null && !analysis.window.equals(WINDOW_INTERVAL) && !analysis.window.equals(WINDOW_RELEASE)) {
      out.add("analysis.window \"" + analysis.window + "\" is not one of interval, release");
    }
    if (analysis.score != null) {
      double pass = analysis.score.pass == null ? AnalysisScore.DEFAULT_PASS : analysis.score.pass;
      double marginal = analysis.score.marginal == null ? AnalysisScore.DEFAULT_MARGINAL : analysis.score.marginal;
      if (marginal > pass) {
        out.add("analysis.score: marginal " + marginal + " is above pass " + pass);
      }
    }
    if (analysis.metrics != null) {
      for (CanaryMetric m : analysis.metrics) {
        if (m.templateRef == null && (m.query == null || m.query.isEmpty()) && !m.isBuiltin()) {
          continue; // reported as "has neither a query nor a templateRef" already
        }
        try {
          of(m, provider);
        } catch (IllegalArgumentException e) {
          out.add(e.getMessage());
        }
      }
    }
    return out;
  }

  boolean compares() {
    return comparison.isPresent();
  }
}
