package dev.bunting.loadtester;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The load tester's own metrics ({@code /metrics}):
 * <ul>
 *   <li>{@code bunting_loadtester_tasks_total{type, result}}: tasks by type ({@code cmd}, {@code bash}, {@code kubectl},
 *       {@code helm}, {@code load}) and result ({@code success}, {@code failure}, or {@code skipped} when the same
 *       asynchronous task was already running);</li>
 *   <li>{@code bunting_loadtester_tasks_running{type}}: tasks running now;</li>
 *   <li>{@code bunting_loadtester_requests_total{name, namespace, status}}: requests the {@code load} tasks sent, by
 *       canary and outcome: the HTTP status ({@code 200}, {@code 503}) or the failure ({@code timeout},
 *       {@code connection refused}, ...);</li>
 *   <li>{@code bunting_loadtester_request_duration_seconds{name, namespace}}: latency of the answered ones;</li>
 *   <li>{@code bunting_loadtester_requests_dropped_total{name, namespace}}: requests not sent because the task's
 *       concurrency was exhausted.</li>
 * </ul>
 */
public final class LoadTesterMetrics {
  private final Counter tasks;
  private final Gauge tasksRunning;
  private final Counter requests;
  private final Histogram latency;
  private final Counter dropped;

  public LoadTesterMetrics(PrometheusRegistry registry) {
    tasks = Counter.builder().name("bunting_loadtester_tasks_total").help("Tasks by type and result")
        .labelNames("type", "result").register(registry);
    tasksRunning = Gauge.builder().name("bunting_loadtester_tasks_running").help("Tasks running now, by type")
        .labelNames("type").register(registry);
    requests = Counter.builder().name("bunting_loadtester_requests_total")
        .help("Requests sent by load tasks, by canary and HTTP status or failure kind")
        .labelNames("name", "namespace", "status").register(registry);
    latency = Histogram.builder().name("bunting_loadtester_request_duration_seconds")
        .help("Latency of the answered requests of load tasks").labelNames("name", "namespace").classicOnly()
        .classicUpperBounds(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30).register(registry);
    dropped = Counter.builder().name("bunting_loadtester_requests_dropped_total")
        .help("Requests of load tasks not sent because the task's concurrency was exhausted")
        .labelNames("name", "namespace").register(registry);
  }

  void taskStarted(String type) {
    tasksRunning.labelValues(type).inc();
  }

  void taskFinished(String type, boolean success) {
    tasksRunning.labelValues(type).dec();
    tasks.labelValues(type, success ? "success" : "failure").inc();
  }

  void taskSkipped(String type) {
    tasks.labelValues(type, "skipped").inc();
  }

  /** An observer of a load run that counts into the series of canary {@code name}.{@code namespace}. */
  LoadRun.Observer observer(String name, String namespace) {
    return new LoadRun.Observer() {
      @Override
      public void answered(int status, long nanos) {
        requests.labelValues(name, namespace, Integer.toString(status)).inc();
        latency.labelValues(name, namespace).observe(nanos / 1e9);
      }

      @Override
      public void failed(String kind) {
        requests.labelValues(name, namespace, kind).inc();
      }

      @Override
      public void dropped() {
        dropped.labelValues(name, namespace).inc();
      }
    };
  }
}
