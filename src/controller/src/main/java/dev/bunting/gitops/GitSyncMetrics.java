package dev.bunting.gitops;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** GitSync's Prometheus series, labelled by the GitSync's namespace and name. */
final class GitSyncMetrics {
  final Histogram syncDuration;
  final Gauge lastApplied;
  final Gauge ready;
  final Counter objectsApplied;
  final Counter objectsPruned;
  final Counter errors;
  private final Gauge revision;
  /** The revision label each GitSync's info series carries now ({@code namespace/name} → revision). */
  private final Map<String, String> revisions = new ConcurrentHashMap<>();

  GitSyncMetrics(PrometheusRegistry registry) {
    syncDuration = Histogram.builder().name("bunting_gitsync_sync_duration_seconds")
        .help("Duration of one GitSync sync (ls-remote, fetch if needed, render, dry run, apply, prune), by result")
        .labelNames("namespace", "name", "result")
        .classicOnly()
        .classicUpperBounds(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120)
        .register(registry);
    lastApplied = Gauge.builder().name("bunting_gitsync_last_applied_revision_timestamp_seconds")
        .help("Unix time when the GitSync's current revision was last applied and found healthy")
        .labelNames("namespace", "name")
        .register(registry);
    ready = Gauge.builder().name("bunting_gitsync_ready")
        .help("1 when the GitSync's Ready condition is True, 0 otherwise")
        .labelNames("namespace", "name")
        .register(registry);
    objectsApplied = Counter.builder().name("bunting_gitsync_objects_applied")
        .help("Objects written by GitSync (created or configured; unchanged objects are not written)")
        .labelNames("namespace", "name", "action")
        .register(registry);
    objectsPruned = Counter.builder().name("bunting_gitsync_objects_pruned")
        .help("Objects deleted by GitSync because they left the repository")
        .labelNames("namespace", "name")
        .register(registry);
    errors = Counter.builder().name("bunting_gitsync_errors")
        .help("Failed GitSync syncs, by condition reason")
        .labelNames("namespace", "name", "reason")
        .register(registry);
    revision = Gauge.builder().name("bunting_gitsync_revision_info")
        .help("Always 1: the GitSync's last applied revision (branch@sha1:...) as a label; one series per GitSync, "
            + "replaced when the revision changes")
        .labelNames("namespace", "name", "revision")
        .register(registry);
  }

  /** Points the GitSync's info series at {@code rev} (the one of the previous revision is removed). */
  void revision(String namespace, String name, String rev) {
    String before = revisions.put(namespace + "/" + name, rev);
    if (rev.equals(before)) {
      return;
    }
    if (before != null) {
      revision.remove(namespace, name, before);
    }
    revision.labelValues(namespace, name, rev).set(1);
  }

  void forget(String namespace, String name) {
    syncDuration.removeIf(l -> l.size() >= 2 && namespace.equals(l.get(0)) && name.equals(l.get(1)));
    lastApplied.remove(namespace, name);
    ready.remove(namespace, name);
    objectsApplied.removeIf(l -> l.size() >= 2 && namespace.equals(l.get(0)) && name.equals(l.get(1)));
    objectsPruned.remove(namespace, name);
    errors.removeIf(l -> l.size() >= 2 && namespace.equals(l.get(0)) && name.equals(l.get(1)));
    String rev = revisions.remove(namespace + "/" + name);
    if (rev != null) {
      revision.remove(namespace, name, rev);
    }
  }
}
