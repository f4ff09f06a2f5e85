package dev.bunting.metrics;

import dev.bunting.api.CanaryPhase;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;

/**
 * Flagger's metrics with their exact names, labels and meaning, so existing dashboards and alert rules (e.g.
 * {@code flagger_canary_status > 1}) work unchanged, plus Bunting's rollout duration and tick lateness. {@code name}
 * is the target's name, as in Flagger. Series of deleted canaries are removed ({@link #forget}), unlike Flagger.
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
  private final Gauge gitRevision;
  /** The revision label each canary's info series carries now (one series per canary, replaced on change). */
  private final java.util.Map<String, String[]> gitLabels = new java.util.concurrent.ConcurrentHashMap<>();

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
    gitRevision = Gauge.builder().name("bunting_canary_git_revision_info")
        .help("The Git commit behind the revision a canary analyses, when a GitSync applied it: 1 for the current one"
            + " (revision: the 7-hex commit; gitsync: namespace/name)")
        .labelNames("name", "namespace", "revision", "gitsync").register(registry);
  }

  /**
   * The canary's Git commit as an info series: one per canary, replaced when the commit changes, removed when there is
   * none. {@code revision} is the short commit id, so the label stays bounded.
   */
  public void setGitRevision(String target, String namespace, dev.bunting.api.CanaryGitRevision git) {
    String key = namespace + "/" + target;
    String[] now = git == null || git.shortSha().isEmpty() ? null : new String[] {target, namespace, git.shortSha(),
        git.gitSync == null ? "" : git.gitSync};
    String[] before = now == null ? gitLabels.remove(key) : gitLabels.put(key, now);
    if (before != null && !java.util.Arrays.equals(before, now)) {
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
    setGitRevision(target, namespace, null);
  }
}
