package dev.bunting.metrics;

import dev.bunting.api.WebhookType;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;

/**
 * Bunting's own operational series (Flagger's are in {@link FlaggerMetrics}): how the work queues keep up, how long
 * reconciles, webhooks and metric queries take and how often they fail, and whether this instance leads. Every label
 * has a bounded set of values: kinds, webhook types, providers, and the canaries' own names and metrics.
 *
 * <ul>
 *   <li>{@code bunting_workqueue_depth{queue}}: keys waiting to run; {@code bunting_workqueue_running{queue}};
 *   <li>{@code bunting_workqueue_wait_seconds{queue}}: from ready to started;
 *   <li>{@code bunting_reconcile_duration_seconds{kind,result}} ({@code result}: success or error);
 *   <li>{@code bunting_webhook_duration_seconds{type}} and {@code bunting_webhook_errors_total{name,namespace,type}};
 *   <li>{@code bunting_metric_provider_duration_seconds{provider}} and
 *       {@code bunting_metric_provider_errors_total{name,namespace,metric,reason}} ({@code reason}: error or no_data);
 *   <li>{@code bunting_leader{selector}}: 1 on the instance that acts (the lease holder, or any instance without
 *       leader election), 0 on a standby; {@code selector} is its {@code --watch-label-selector} (empty: all).
 * </ul>
 * {@code name} is the canary's target, as in Flagger's series, so one dashboard variable selects both.
 */
public final class ControllerMetrics {
  private static final double[] FAST = {.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30};

  private final Gauge depth;
  private final Gauge running;
  private final Histogram wait;
  private final Histogram reconcile;
  private final Histogram webhookDuration;
  private final Counter webhookErrors;
  private final Histogram queryDuration;
  private final Counter queryErrors;
  private final Gauge leader;

  public ControllerMetrics(PrometheusRegistry registry) {
    depth = Gauge.builder().name("bunting_workqueue_depth").help("Keys waiting in a work queue to be reconciled")
        .labelNames("queue").register(registry);
    running = Gauge.builder().name("bunting_workqueue_running").help("Reconciles of a work queue running now")
        .labelNames("queue").register(registry);
    wait = Histogram.builder().name("bunting_workqueue_wait_seconds")
        .help("Seconds a key waited in a work queue between being ready and its reconcile starting")
        .labelNames("queue").classicOnly().classicUpperBounds(FAST).register(registry);
    reconcile = Histogram.builder().name("bunting_reconcile_duration_seconds")
        .help("Seconds one reconcile took, by kind and result (success, error)")
        .labelNames("kind", "result").classicOnly()
        .classicUpperBounds(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120).register(registry);
    webhookDuration = Histogram.builder().name("bunting_webhook_duration_seconds")
        .help("Seconds one canary webhook call took, retries included, by webhook type")
        .labelNames("type").classicOnly().classicUpperBounds(FAST).register(registry);
    webhookErrors = Counter.builder().name("bunting_webhook_errors_total")
        .help("Canary webhook calls that failed (non-2xx or no answer after retries); rollback hooks are not counted, "
            + "since their failure means 'carry on'")
        .labelNames("name", "namespace", "type").register(registry);
    queryDuration = Histogram.builder().name("bunting_metric_provider_duration_seconds")
        .help("Seconds one analysis metric query took, by metric provider")
        .labelNames("provider").classicOnly().classicUpperBounds(FAST).register(registry);
    queryErrors = Counter.builder().name("bunting_metric_provider_errors_total")
        .help("Analysis metric queries without a usable value, by reason (error: the query failed; no_data: it "
            + "returned nothing)")
        .labelNames("name", "namespace", "metric", "reason").register(registry);
    // every type's series from the start, so that the first calls after a quiet time show as a rate
    for (WebhookType t : WebhookType.values()) {
      if (t != WebhookType.EVENT) {
        webhookDuration.labelValues(t.wire());
      }
    }
    leader = Gauge.builder().name("bunting_leader")
        .help("1 when this instance acts on its Canaries and GitSyncs (it holds the lease, or leader election is off), "
            + "0 on a standby")
        .labelNames("selector").register(registry);
  }

  /** Creates the series of a work queue at zero (so that its first error shows as an increase). */
  public void queue(String queue) {
    queueDepth(queue, 0, 0);
    reconcile.labelValues(queue, "success");
    reconcile.labelValues(queue, "error");
    wait.labelValues(queue);
  }

  /** A key of {@code queue} waited this long between being ready and its reconcile starting. */
  public void queueWaited(String queue, Duration waited) {
    wait.labelValues(queue).observe(seconds(waited));
  }

  /** A reconcile of a {@code queue} key finished after {@code took}. */
  public void reconciled(String queue, Duration took, boolean failed) {
    reconcile.labelValues(queue, failed ? "error" : "success").observe(seconds(took));
  }

  /** Keys waiting in {@code queue}, and reconciles running. */
  public void queueDepth(String queue, int ready, int inFlight) {
    depth.labelValues(queue).set(ready);
    running.labelValues(queue).set(inFlight);
  }

  /** One webhook call of a canary (its target {@code name}); {@code type} as Flagger spells it. */
  public void webhookCalled(String name, String namespace, String type, boolean failed, Duration took) {
    webhookDuration.labelValues(type).observe(seconds(took));
    if (failed && !"rollback".equals(type)) {
      webhookErrors.labelValues(name, namespace, type).inc();
    }
  }

  /** One metric query of a canary's analysis; {@code reason} is null for a value, else error or no_data. */
  public void metricQueried(String name, String namespace, String metric, String provider, String reason,
      Duration took) {
    queryDuration.labelValues(provider).observe(seconds(took));
    if (reason != null) {
      metricFailed(name, namespace, metric, reason);
    }
  }

  /** A metric of a canary's analysis that could not even be queried (e.g. its MetricTemplate is missing). */
  public void metricFailed(String name, String namespace, String metric, String reason) {
    queryErrors.labelValues(name, namespace, metric, reason).inc();
  }

  /** Whether this instance acts now. */
  public void leading(String selector, boolean leading) {
    leader.labelValues(selector).set(leading ? 1 : 0);
  }

  /** Drops the error counters of a deleted canary. */
  public void forget(String name, String namespace) {
    webhookErrors.removeIf(l -> l.get(0).equals(name) && l.get(1).equals(namespace));
    queryErrors.removeIf(l -> l.get(0).equals(name) && l.get(1).equals(namespace));
  }

  private static double seconds(Duration d) {
    return Math.max(0, d.toNanos()) / 1e9;
  }
}
