package dev.bunting.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A keyed work queue: duplicate keys collapse, one reconcile per key at a time, a global limit on concurrent
 * reconciles, bounded exponential backoff on errors (start 2 s, ×2, cap 5 min) and an immediate retry on a 409
 * Conflict (a few times in a row, then with backoff). A key enqueued while it is being reconciled runs once more afterwards. All state lives on one Vert.x
 * context, so no locks are needed; {@link #enqueue} is safe from any thread (informer callbacks included).
 */
public final class WorkQueue {
  private static final Logger LOG = LoggerFactory.getLogger(WorkQueue.class);
  /** A 409 is retried at once this many times in a row; after that it backs off like any error. */
  private static final int MAX_IMMEDIATE_CONFLICT_RETRIES = 3;

  /** What a reconcile asks for next: nothing, or to run again after a delay. */
  public record Outcome(Duration requeueAfter) {
    public static final Outcome DONE = new Outcome(null);

    public static Outcome after(Duration d) {
      return new Outcome(d);
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final String name;
  private final int maxConcurrent;
  private final Function<String, Future<Outcome>> reconciler;
  private final Duration baseBackoff;
  private final Duration maxBackoff;

  private final LinkedHashSet<String> ready = new LinkedHashSet<>();
  private final Set<String> running = new HashSet<>();
  private final Set<String> dirty = new HashSet<>();
  private final Map<String, Long> timerIds = new HashMap<>();
  private final Map<String, Long> timerDue = new HashMap<>();
  private final Map<String, Integer> failures = new HashMap<>();
  private boolean closed;

  public WorkQueue(Vertx vertx, String name, int maxConcurrent, Function<String, Future<Outcome>> reconciler) {
    this(vertx, name, maxConcurrent, reconciler, Duration.ofSeconds(2), Duration.ofMinutes(5));
  }

  public WorkQueue(Vertx vertx, String name, int maxConcurrent, Function<String, Future<Outcome>> reconciler,
      Duration baseBackoff, Duration maxBackoff) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.name = name;
    this.maxConcurrent = maxConcurrent;
    this.reconciler = reconciler;
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
      ready.remove(key);
    });
  }

  /** Stops taking work; running reconciles finish. */
  public void close() {
    context.runOnContext(v -> {
      closed = true;
      timerIds.values().forEach(vertx::cancelTimer);
      timerIds.clear();
      timerDue.clear();
      ready.clear();
    });
  }

  /** Keys waiting to run (not counting delayed ones); for metrics and tests. */
  public int depth() {
    return ready.size();
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
    ready.add(key);
    pump();
  }

  private void addAfter(String key, Duration delay) {
    if (closed) {
      return;
    }
    long delayMs = Math.max(1, delay.toMillis());
    long due = System.currentTimeMillis() + delayMs;
    Long existing = timerDue.get(key);
    if (existing != null && existing <= due) {
      return;
    }
    cancelTimer(key);
    long id = vertx.setTimer(delayMs, t -> {
      timerIds.remove(key);
      timerDue.remove(key);
      add(key);
    });
    timerIds.put(key, id);
    timerDue.put(key, due);
  }

  private void cancelTimer(String key) {
    Long id = timerIds.remove(key);
    timerDue.remove(key);
    if (id != null) {
      vertx.cancelTimer(id);
    }
  }

  private void pump() {
    Iterator<String> it = ready.iterator();
    while (running.size() < maxConcurrent && it.hasNext()) {
      String key = it.next();
      it.remove();
      running.add(key);
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
    if (error == null) {
      failures.remove(key);
      if (outcome != null && outcome.requeueAfter() != null) {
        addAfter(key, outcome.requeueAfter());
      }
    } else if (isConflict(error) && failures.merge(key, 1, Integer::sum) <= MAX_IMMEDIATE_CONFLICT_RETRIES) {
      LOG.debug("{} {}: conflict, retrying at once", name, key);
      dirty.add(key);
    } else {
      int n = isConflict(error) ? failures.get(key) : failures.merge(key, 1, Integer::sum);
      Duration backoff = backoff(n);
      LOG.warn("{} {}: reconcile failed (attempt {}), retrying in {}s: {}", name, key, n, backoff.toSeconds(),
          error.getMessage() == null ? error.toString() : error.getMessage());
      LOG.debug("{} {}: reconcile failure", name, key, error);
      addAfter(key, backoff);
    }
    if (dirty.remove(key)) {
      add(key);
    } else {
      pump();
    }
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
