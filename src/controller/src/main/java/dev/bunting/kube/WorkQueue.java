package dev.bunting.kube;

import dev.bunting.logging.ObjectLog;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * A keyed work queue: duplicate keys collapse, one reconcile per key at a time, a limit on concurrent reconciles,
 * bounded exponential backoff on errors (start 2 s, ×2, cap 5 min) and an immediate retry on a 409 Conflict (a few
 * times in a row, then with backoff). A key enqueued while it is being reconciled runs once more afterwards. All state
 * lives on one Vert.x context, so no locks are needed; {@link #enqueue} is safe from any thread (informer callbacks
 * included). Delays come from a {@link Scheduler} (the controller's clock and Vert.x timers; a manual one in tests).
 *
 * <p>A queue made {@link #paused} collects keys (still deduplicated, timers still running) but starts no reconcile
 * until {@link #resume}: a standby replica fills its queues from its warm caches and starts working the moment it
 * becomes the leader.
 */
public final class WorkQueue {
  private static final Logger LOG = LoggerFactory.getLogger(WorkQueue.class);
  /** A 409 is retried at once this many times in a row; after that it backs off like any error. */
  private static final int MAX_IMMEDIATE_CONFLICT_RETRIES = 3;

  /** Told how long keys waited and reconciles took ({@link #observe}); called on the queue's context. */
  public interface Observer {
    /** A key waited {@code waited} between being ready and starting. */
    void started(String queue, Duration waited);

    /** A reconcile finished after {@code took}; {@code error} is null when it succeeded. */
    void finished(String queue, Duration took, Throwable error);

    /** Called after every change of the queue: keys ready to run, and reconciles running. */
    default void depth(String queue, int ready, int running) {}
  }

  /** What a reconcile asks for next: nothing, or to run again after a delay. */
  public record Outcome(Duration requeueAfter) {
    public static final Outcome DONE = new Outcome(null);

    public static Outcome after(Duration d) {
      return new Outcome(d);
    }
  }

  private final Context context;
  private final String name;
  private final int maxConcurrent;
  private final Function<String, Future<Outcome>> reconciler;
  private final Scheduler scheduler;
  private final Duration baseBackoff;
  private final Duration maxBackoff;

  private final LinkedHashSet<String> ready = new LinkedHashSet<>();
  private final Set<String> running = new HashSet<>();
  private final Set<String> dirty = new HashSet<>();
  private final Map<String, Long> timerIds = new HashMap<>();
  private final Map<String, Instant> timerDue = new HashMap<>();
  private final Map<String, Integer> failures = new HashMap<>();
  /** When each key in {@link #ready} became ready, and when each running key started (System.nanoTime). */
  private final Map<String, Long> since = new HashMap<>();
  private volatile int readyCount;
  private volatile int runningCount;
  private volatile Observer observer;
  private boolean closed;
  private boolean paused;

  /**
   * @param name the kind of the queued resources ({@code Canary}, {@code GitSync}): the {@code kind} of its log lines
   * @param maxConcurrent reconciles of this queue that may run at once ({@code --max-concurrent-reconciles})
   */
  public WorkQueue(Vertx vertx, String name, int maxConcurrent, Function<String, Future<Outcome>> reconciler,
      Scheduler scheduler) {
    this(vertx, name, maxConcurrent, reconciler, scheduler, Duration.ofSeconds(2), Duration.ofMinutes(5));
  }

  public WorkQueue(Vertx vertx, String name, int maxConcurrent, Function<String, Future<Outcome>> reconciler,
      Scheduler scheduler, Duration baseBackoff, Duration maxBackoff) {
    this.context = vertx.getOrCreateContext();
    this.name = name;
    this.maxConcurrent = Math.max(1, maxConcurrent);
    this.reconciler = reconciler;
    this.scheduler = scheduler;
    this.baseBackoff = baseBackoff;
    this.maxBackoff = maxBackoff;
  }

  /** Asks for a reconcile of {@code key} as soon as possible. */
  public void enqueue(String key) {
    context.runOnContext(v -> add(key));
  }

  /** Asks for a reconcile of {@code key} after {@code delay}; an earlier pending request wins. */
  public void enqueueAfter(String key, Duration delay) {
    context.runOnContext(v -> addAfter(key, delay));
  }

  /** Forgets pending timers and backoff of a key (e.g. its object was deleted). */
  public void forget(String key) {
    context.runOnContext(v -> {
      cancelTimer(key);
      failures.remove(key);
      if (ready.remove(key)) {
        since.remove(key);
      }
    });
  }

  /** A queue that collects keys but runs nothing until {@link #resume()}. Call before any enqueue. */
  public WorkQueue paused() {
    paused = true;
    return this;
  }

  /** Starts running the keys collected while paused, and from now on every key as it comes. */
  public void resume() {
    context.runOnContext(v -> {
      paused = false;
      pump();
      publish();
    });
  }

  /** Reports waits, reconcile durations and depth to {@code o} (metrics). */
  public void observe(Observer o) {
    this.observer = o;
  }

  /** The name given at construction: the kind of the queued resources. */
  public String name() {
    return name;
  }

  /** Stops taking work; running reconciles finish. */
  public void close() {
    context.runOnContext(v -> {
      closed = true;
      timerIds.values().forEach(scheduler::cancel);
      timerIds.clear();
      timerDue.clear();
      ready.forEach(since::remove);
      ready.clear();
      publish();
    });
  }

  /** Keys waiting to run (not counting delayed ones); for metrics and tests. */
  public int depth() {
    return readyCount;
  }

  /** Reconciles running now; for metrics and tests. */
  public int running() {
    return runningCount;
  }

  private void publish() {
    readyCount = ready.size();
    runningCount = running.size();
    Observer o = observer;
    if (o != null) {
      o.depth(name, readyCount, runningCount);
    }
  }

  private void add(String key) {
    if (closed) {
      return;
    }
    cancelTimer(key);
    if (running.contains(key)) {
      dirty.add(key);
      return;
    }
    if (ready.add(key)) {
      since.put(key, System.nanoTime());
    }
    pump();
    publish();
  }

  private void addAfter(String key, Duration delay) {
    if (closed) {
      return;
    }
    Duration wait = delay.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : delay;
    Instant due = scheduler.now().plus(wait);
    Instant existing = timerDue.get(key);
    if (existing != null && !existing.isAfter(due)) {
      return;
    }
    cancelTimer(key);
    long[] id = new long[1];
    id[0] = scheduler.schedule(wait, () -> context.runOnContext(v -> {
      Long current = timerIds.get(key);
      if (current == null || current != id[0]) {
        return; // cancelled or replaced meanwhile
      }
      timerIds.remove(key);
      timerDue.remove(key);
      add(key);
    }));
    timerIds.put(key, id[0]);
    timerDue.put(key, due);
  }

  private void cancelTimer(String key) {
    Long id = timerIds.remove(key);
    timerDue.remove(key);
    if (id != null) {
      scheduler.cancel(id);
    }
  }

  private void pump() {
    if (paused) {
      return;
    }
    Iterator<String> it = ready.iterator();
    while (running.size() < maxConcurrent && it.hasNext()) {
      String key = it.next();
      it.remove();
      running.add(key);
      long now = System.nanoTime();
      Long readySince = since.put(key, now);
      Observer o = observer;
      if (o != null && readySince != null) {
        o.started(name, Duration.ofNanos(now - readySince));
      }
      Future<Outcome> result;
      try {
        result = reconciler.apply(key);
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(ar -> context.runOnContext(v -> finished(key, ar.succeeded() ? ar.result() : null, ar.cause())));
      it = ready.iterator();
    }
  }

  private void finished(String key, Outcome outcome, Throwable error) {
    running.remove(key);
    Long began = since.remove(key);
    Observer o = observer;
    if (o != null && began != null) {
      o.finished(name, Duration.ofNanos(System.nanoTime() - began), error);
    }
    if (error == null) {
      failures.remove(key);
      if (outcome != null && outcome.requeueAfter() != null) {
        addAfter(key, outcome.requeueAfter());
      }
    } else if (isConflict(error) && failures.merge(key, 1, Integer::sum) <= MAX_IMMEDIATE_CONFLICT_RETRIES) {
      ObjectLog.of(LOG, name, key).debug("conflict, retrying at once");
      dirty.add(key);
    } else {
      int n = isConflict(error) ? failures.get(key) : failures.merge(key, 1, Integer::sum);
      Duration backoff = backoff(n);
      ObjectLog log = ObjectLog.of(LOG, name, key);
      log.warn("reconcile failed (attempt {}), retrying in {}s: {}", n, backoff.toSeconds(),
          error.getMessage() == null ? error.toString() : error.getMessage());
      log.at(Level.DEBUG).setCause(error).log("reconcile failure");
      addAfter(key, backoff);
    }
    if (dirty.remove(key)) {
      add(key);
    } else {
      pump();
    }
    publish();
  }

  /** {@code base × 2^(n-1)}, capped. */
  Duration backoff(int attempt) {
    long ms = baseBackoff.toMillis();
    for (int i = 1; i < attempt && ms < maxBackoff.toMillis(); i++) {
      ms *= 2;
    }
    return Duration.ofMillis(Math.min(ms, maxBackoff.toMillis()));
  }

  private static boolean isConflict(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof KubernetesClientException k && k.getCode() == 409) {
        return true;
      }
    }
    return false;
  }
}
