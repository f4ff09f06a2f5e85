package dev.bunting.metrics;

import dev.bunting.api.CanaryGitRevision;
import dev.bunting.api.CanaryPhase;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Flagger's metrics with their exact names, labels and meaning, so existing dashboards and alert rules (e.g.
 * {@code flagger_canary_status > 1}) work unchanged, plus Bunting's rollout duration, tick lateness and the threshold
 * range of each analysis metric ({@code bunting_canary_metric_threshold{bound="min|max"}}, in the unit of
 * {@code flagger_canary_metric_analysis}, so a panel can draw both). {@code name} is the target's name, as in Flagger.
 * Series of deleted canaries are removed ({@link #forget}), unlike Flagger.
 */
public final class FlaggerMetrics {
  private final Gauge info;
  private final Gauge total;
  private final Gauge status;
  private final Gauge weight;
  private final Histogram duration;
  private final Gauge metricAnalysis;
  private final Counter successes;
  private final Counter failures;
  private final Histogram rolloutDuration;
  private final Histogram tickLateness;
  private final Gauge threshold;
  private final Gauge phase;
  private final Gauge failedChecks;
  private final Gauge failedChecksThreshold;
  private final Gauge lastTransition;
  private final Gauge gitRevision;
  /** The revision label each canary's info series carries now (one series per canary, replaced on change). */
  private final Map<String, String[]> gitLabels = new ConcurrentHashMap<>();
  /** namespace/target → the threshold bounds set last ({@link #setThresholds}). */
  private final Map<String, List<Threshold>> thresholds = new ConcurrentHashMap<>();

  public FlaggerMetrics(PrometheusRegistry registry, String version, String meshProvider) {
    info = Gauge.builder().name("flagger_info").help("Flagger version and mesh provider information")
        .labelNames("version", "mesh_provider").register(registry);
    info.labelValues(version, meshProvider).set(1);
    total = Gauge.builder().name("flagger_canary_total").help("Total number of canary object")
        .labelNames("namespace").register(registry);
    status = Gauge.builder().name("flagger_canary_status")
        .help("Last canary analysis result (0: running, 1: successful, 2: failed)")
        .labelNames("name", "namespace").register(registry);
    weight = Gauge.builder().name("flagger_canary_weight").help("The virtual service destination weight current value")
        .labelNames("workload", "namespace").register(registry);
    duration = Histogram.builder().name("flagger_canary_duration_seconds")
        .help("Seconds spent performing canary analysis.").labelNames("name", "namespace")
        .classicOnly().classicUpperBounds(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10).register(registry);
    metricAnalysis = Gauge.builder().name("flagger_canary_metric_analysis")
        .help("Last canary analysis result per metric").labelNames("name", "namespace", "metric").register(registry);
    successes = Counter.builder().name("flagger_canary_successes_total").help("Total number of canary successes")
        .labelNames("name", "namespace", "deployment_strategy", "analysis_status").register(registry);
    failures = Counter.builder().name("flagger_canary_failures_total").help("Total number of canary failures")
        .labelNames("name", "namespace", "deployment_strategy", "analysis_status").register(registry);
    rolloutDuration = Histogram.builder().name("bunting_canary_rollout_duration_seconds")
        .help("Seconds from a new revision's detection to its promotion or rollback")
        .labelNames("name", "namespace", "result").classicOnly()
        .classicUpperBounds(30, 60, 120, 300, 600, 900, 1800, 3600, 7200).register(registry);
    tickLateness = Histogram.builder().name("bunting_canary_tick_lateness_seconds")
        .help("Seconds between when a canary's analysis tick was due and when its reconcile started")
        .classicOnly().classicUpperBounds(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60)
        .register(registry);
    threshold = Gauge.builder().name("bunting_canary_metric_threshold")
        .help("The thresholdRange bound of an analysis metric (bound: min or max), in the unit of "
            + "flagger_canary_metric_analysis (seconds for request-duration)")
        .labelNames("name", "namespace", "metric", "bound").register(registry);
    phase = Gauge.builder().name("bunting_canary_phase")
        .help("The canary's phase as a number: 0 New, 1 Initializing, 2 Initialized, 3 Waiting, 4 Progressing, "
            + "5 WaitingPromotion, 6 Promoting, 7 Finalising, 8 Succeeded, 9 Failed, 10 Terminating, 11 Terminated")
        .labelNames("name", "namespace").register(registry);
    failedChecks = Gauge.builder().name("bunting_canary_failed_checks")
        .help("Failed checks of the current analysis (status.failedChecks)")
        .labelNames("name", "namespace").register(registry);
    failedChecksThreshold = Gauge.builder().name("bunting_canary_failed_checks_threshold")
        .help("Failed checks at which the canary is rolled back (analysis.threshold)")
        .labelNames("name", "namespace").register(registry);
    lastTransition = Gauge.builder().name("bunting_canary_last_transition_timestamp_seconds")
        .help("Unix time of the canary's last status change (status.lastTransitionTime): a step, a check, a phase")
        .labelNames("name", "namespace").register(registry);
    gitRevision = Gauge.builder().name("bunting_canary_git_revision_info")
        .help("The Git commit behind the revision a canary analyses, when a GitSync applied it: 1 for the current one"
            + " (revision: the 7-hex commit; gitsync: namespace/name)")
        .labelNames("name", "namespace", "revision", "gitsync").register(registry);
  }

  /** The code {@code bunting_canary_phase} gives a phase (stable: dashboards map these numbers to names). */
  public static int phaseCode(CanaryPhase p) {
    return switch (p) {
      case NEW -> 0;
      case INITIALIZING -> 1;
      case INITIALIZED -> 2;
      case WAITING -> 3;
      case PROGRESSING -> 4;
      case WAITING_PROMOTION -> 5;
      case PROMOTING -> 6;
      case FINALISING -> 7;
      case SUCCEEDED -> 8;
      case FAILED -> 9;
      case TERMINATING -> 10;
      case TERMINATED -> 11;
    };
  }

  /** The exact phase ({@code bunting_canary_phase}) and failed checks against their threshold. */
  public void setProgress(String target, String namespace, CanaryPhase p, int failed, int failedThreshold,
      Instant lastTransitionTime) {
    phase.labelValues(target, namespace).set(phaseCode(p));
    if (lastTransitionTime != null) {
      lastTransition.labelValues(target, namespace).set(lastTransitionTime.toEpochMilli() / 1000.0);
    }
    failedChecks.labelValues(target, namespace).set(failed);
    failedChecksThreshold.labelValues(target, namespace).set(failedThreshold);
  }

  /**
   * A release started: its rollout-duration series exist from now on, at zero, so the one observation at its end
   * shows as an increase (a series born at its first observation would not).
   */
  public void rolloutStarted(String target, String namespace) {
    rolloutDuration.labelValues(target, namespace, "succeeded");
    rolloutDuration.labelValues(target, namespace, "failed");
  }

  /** One bound of an analysis metric's threshold range; {@code bound} is {@code min} or {@code max}. */
  public record Threshold(String metric, String bound, double value) {}

  /**
   * Sets the threshold bounds of a canary's analysis metrics, and drops those it no longer has. Called at every
   * reconcile: does nothing when the bounds are those set last (the common case), so its cost does not grow with the
   * number of canaries (dropping by a scan of every series would).
   */
  public void setThresholds(String target, String namespace, List<Threshold> bounds) {
    List<Threshold> now = List.copyOf(bounds);
    List<Threshold> before = thresholds.put(namespace + "/" + target, now);
    if (now.equals(before)) {
      return;
    }
    Set<List<String>> keep = new HashSet<>();
    for (Threshold t : now) {
      threshold.labelValues(target, namespace, t.metric(), t.bound()).set(t.value());
      keep.add(List.of(t.metric(), t.bound()));
    }
    if (before != null) {
      before.stream().filter(t -> !keep.contains(List.of(t.metric(), t.bound())))
          .forEach(t -> threshold.remove(target, namespace, t.metric(), t.bound()));
    }
  }

  /**
   * The canary's Git commit as an info series: one per canary, replaced when the commit changes, removed when there is
   * none. {@code revision} is the short commit id, so the label stays bounded.
   */
  public void setGitRevision(String target, String namespace, CanaryGitRevision git) {
    String key = namespace + "/" + target;
    String[] now = git == null || git.shortSha().isEmpty() ? null : new String[] {target, namespace, git.shortSha(),
        git.gitSync == null ? "" : git.gitSync};
    String[] before = now == null ? gitLabels.remove(key) : gitLabels.put(key, now);
    if (before != null && !Arrays.equals(before, now)) {
      gitRevision.remove(before);
    }
    if (now != null) {
      gitRevision.labelValues(now).set(1);
    }
  }

  public void setTotal(String namespace, int count) {
    total.labelValues(namespace).set(count);
  }

  public void removeTotal(String namespace) {
    total.remove(namespace);
  }

  /** Flagger's encoding: 0 while Progressing, 2 when Failed, 1 for every other phase. */
  public void setStatus(String target, String namespace, CanaryPhase phase) {
    status.labelValues(target, namespace).set(phase == CanaryPhase.PROGRESSING ? 0 : phase == CanaryPhase.FAILED ? 2 : 1);
  }

  /** Two series: {@code workload="<target>-primary"} and {@code workload="<target>"}. */
  public void setWeights(String target, String namespace, int primaryWeight, int canaryWeight) {
    weight.labelValues(target + "-primary", namespace).set(primaryWeight);
    weight.labelValues(target, namespace).set(canaryWeight);
  }

  public void observeTick(String target, String namespace, Duration d) {
    duration.labelValues(target, namespace).observe(d.toNanos() / 1e9);
  }

  public void setMetricValue(String target, String namespace, String metric, double value) {
    metricAnalysis.labelValues(target, namespace, metric).set(value);
  }

  public void countCompletion(String target, String namespace, boolean succeeded, String strategy,
      String analysisStatus) {
    (succeeded ? successes : failures).labelValues(target, namespace, strategy, analysisStatus).inc();
  }

  /** How late a due analysis tick started (all canaries together: queueing and pools, not a canary's own state). */
  public void observeTickLateness(Duration late) {
    tickLateness.observe(Math.max(0, late.toNanos()) / 1e9);
  }

  public void observeRollout(String target, String namespace, boolean succeeded, Duration d) {
    rolloutDuration.labelValues(target, namespace, succeeded ? "succeeded" : "failed").observe(d.toSeconds());
  }

  /** Drops the gauges of a deleted canary (counters and histograms keep their history). */
  public void forget(String target, String namespace) {
    status.remove(target, namespace);
    weight.remove(target + "-primary", namespace);
    weight.remove(target, namespace);
    metricAnalysis.removeIf(labels -> labels.get(0).equals(target) && labels.get(1).equals(namespace));
    threshold.removeIf(labels -> labels.get(0).equals(target) && labels.get(1).equals(namespace));
    thresholds.remove(namespace + "/" + target);
    phase.remove(target, namespace);
    failedChecks.remove(target, namespace);
    failedChecksThreshold.remove(target, namespace);
    lastTransition.remove(target, namespace);
    setGitRevision(target, namespace, null);
  }
}
