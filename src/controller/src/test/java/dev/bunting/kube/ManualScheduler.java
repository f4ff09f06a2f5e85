package dev.bunting.kube;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/** A {@link Scheduler} whose time moves only when the test says so: {@link #advance} runs the tasks that fall due. */
public final class ManualScheduler implements Scheduler {
  private record Task(Instant due, long id, Runnable run) {}

  private Instant now;
  private long nextId = 1;
  private final TreeMap<Long, Task> tasks = new TreeMap<>();

  public ManualScheduler(Instant start) {
    this.now = start;
  }

  @Override
  public synchronized Instant now() {
    return now;
  }

  @Override
  public synchronized long schedule(Duration delay, Runnable task) {
    long id = nextId++;
    tasks.put(id, new Task(now.plus(delay), id, task));
    return id;
  }

  @Override
  public synchronized void cancel(long id) {
    tasks.remove(id);
  }

  /** Tasks scheduled and not yet run nor cancelled. */
  public synchronized int pending() {
    return tasks.size();
  }

  /** When the earliest pending task is due, relative to now; null when none is. */
  public synchronized Duration nextDueIn() {
    return tasks.values().stream().map(Task::due).min(Comparator.naturalOrder())
        .map(d -> Duration.between(now, d)).orElse(null);
  }

  /** Moves time forward and runs, in order of due time, every task that is due by then. */
  public void advance(Duration d) {
    List<Task> due = new ArrayList<>();
    synchronized (this) {
      now = now.plus(d);
      tasks.values().stream().filter(t -> !t.due().isAfter(now)).sorted(Comparator.comparing(Task::due))
          .forEach(due::add);
      due.forEach(t -> tasks.remove(t.id()));
    }
    due.forEach(t -> t.run().run());
  }
}
