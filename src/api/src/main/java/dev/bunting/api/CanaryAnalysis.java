package dev.bunting.api;

import java.time.Duration;
import java.util.List;

/** {@code spec.analysis}: how a new revision is analysed and how traffic moves. Defaults follow Flagger. */
public class CanaryAnalysis extends ApiObject {
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);
  public static final Duration MIN_INTERVAL = Duration.ofSeconds(10);
  public static final int MAX_WEIGHT = 100;

  public String interval;
  public Integer iterations;
  public Boolean mirror;
  public Integer mirrorWeight;
  public Integer maxWeight;
  public Integer stepWeight;
  public List<Integer> stepWeights;
  public Integer stepWeightPromotion;
  public Integer threshold;
  public Integer primaryReadyThreshold;
  public Integer canaryReadyThreshold;
  public List<CanaryAlert> alerts;
  public List<CanaryMetric> metrics;
  public List<CanaryWebhook> webhooks;
  public List<HttpMatchRequest> match;
  public SessionAffinity sessionAffinity;
  /**
   * Bunting: {@code interval} (default: every metric over its own interval, Flagger's queries byte for byte) or
   * {@code release} (builtin queries over the interval clipped to the release's analysis start, and only the canary pods
   * of this revision where the series carry pod names). See docs/analysis.md.
   */
  public String window;
  /** Bunting: judge each tick by a score (share of passing metrics, weighted by group) instead of "every metric passes". */
  public Score score;

  /** {@code analysis.score}: Kayenta's pass and marginal thresholds (0–100) and group weights. */
  public static class Score extends ApiObject {
    /** A tick passes at this score or above (default 95). */
    public Double pass;
    /** Below {@code pass} but at least this: a failed check; below it: the release is rolled back at once (default 75). */
    public Double marginal;
    /** Weight per metric group (groups without one share what is left of 100 equally). */
    public java.util.Map<String, Double> groupWeights;
  }

  /** The analysis interval: default 60s, unparsable 60s, raised to Flagger's minimum of 10s. */
  public Duration intervalDuration() {
    Duration d = GoDuration.parse(interval).orElse(DEFAULT_INTERVAL);
    return d.compareTo(MIN_INTERVAL) < 0 ? MIN_INTERVAL : d;
  }

  /** Failed checks before rollback; values {@code <= 0} mean 1. */
  public int thresholdOrDefault() {
    return threshold == null || threshold <= 0 ? 1 : threshold;
  }

  /** {@code maxWeight}, default 100; with {@code stepWeights} the last step (at most 100). */
  public int maxWeightOrDefault() {
    if (stepWeights != null && !stepWeights.isEmpty()) {
      return Math.min(stepWeights.get(stepWeights.size() - 1), MAX_WEIGHT);
    }
    return maxWeight == null || maxWeight <= 0 ? MAX_WEIGHT : maxWeight;
  }

  public int iterationsOrZero() {
    return iterations == null ? 0 : iterations;
  }

  public int stepWeightOrZero() {
    return stepWeight == null ? 0 : stepWeight;
  }

  public int stepWeightPromotionOrZero() {
    return stepWeightPromotion == null ? 0 : stepWeightPromotion;
  }

  public int primaryReadyThresholdOrDefault() {
    return primaryReadyThreshold == null || primaryReadyThreshold <= 0 ? 100 : primaryReadyThreshold;
  }

  public int canaryReadyThresholdOrDefault() {
    return canaryReadyThreshold == null || canaryReadyThreshold <= 0 ? 100 : canaryReadyThreshold;
  }

  public boolean mirrorEnabled() {
    return Boolean.TRUE.equals(mirror);
  }

  /** Flagger's strategy selection: A/B when there is a match and iterations, blue/green with iterations, else canary. */
  public DeploymentStrategy strategy() {
    if (match != null && !match.isEmpty() && iterationsOrZero() > 0) {
      return DeploymentStrategy.AB_TESTING;
    }
    if (iterationsOrZero() > 0) {
      return DeploymentStrategy.BLUE_GREEN;
    }
    return DeploymentStrategy.CANARY;
  }
}
