package dev.bunting.loadtester;

import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The asynchronous tasks ({@code cmd} and {@code load}), deduplicated as flagger-loadtester does: a task is keyed by
 * its canary and what it runs, and a task whose key is already running is not started again. So a rollout hook that
 * posts {@code hey -z 1m …} (or a {@code load} of one minute) every 30-second interval keeps one load going without
 * piling them up; once it has finished, the next post starts it again.
 */
final class TaskRunner {
  private static final Logger LOG = LoggerFactory.getLogger(TaskRunner.class);

  /** A started task. */
  interface Task {
    /** Completes (never fails) when the task has finished; the value says whether it succeeded. */
    Future<Boolean> done();

    /** Stops it (at shutdown). */
    void cancel();
  }

  /** The task under a key, and whether this submission started it. */
  record Submission<T extends Task>(T task, boolean started) {}

  private final Map<String, Task> running = new ConcurrentHashMap<>();
  private final LoadTesterMetrics metrics;

  TaskRunner(LoadTesterMetrics metrics) {
    this.metrics = metrics;
  }

  /**
   * Starts the task {@code starter} makes unless a task with {@code key} is running, in which case that one is
   * returned and nothing starts.
   */
  @SuppressWarnings("unchecked")
  synchronized <T extends Task> Submission<T> submit(String key, String type, String canary, Supplier<T> starter) {
    Task current = running.get(key);
    if (current != null) {
      LOG.info("{} task of {} skipped: the same task is already running", type, canary);
      metrics.taskSkipped(type);
      return new Submission<>((T) current, false);
    }
    T task = starter.get();
    running.put(key, task);
    metrics.taskStarted(type);
    task.done().onComplete(ar -> {
      running.remove(key, task);
      metrics.taskFinished(type, ar.succeeded() && ar.result());
    });
    return new Submission<>(task, true);
  }

  int runningCount() {
    return running.size();
  }

  /** Stops every running task. */
  void cancelAll() {
    running.values().forEach(Task::cancel);
  }
}
