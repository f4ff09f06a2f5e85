package dev.bunting.hooks;

import dev.bunting.api.CanaryWebhook;
import dev.bunting.api.WebhookType;
import dev.bunting.logging.ObjectLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers canary events to {@code event} webhooks in the background, so a slow receiver never delays a canary's
 * tick (Flagger calls them synchronously inside the tick).
 *
 * <p>A canary's own {@code event} hooks replace the global event webhook ({@code --event-webhook}) for that canary,
 * as in Flagger. Each delivery is queued; at most {@code concurrency} run at once, and at most {@code capacity} may
 * be queued or running. When the queue is full the event is dropped with a warning. Failures are logged and never
 * reach the caller as errors.
 */
public final class EventWebhookDispatcher {
  /** Deliveries that may be queued or in flight at once. */
  public static final int DEFAULT_CAPACITY = 256;
  /** Deliveries that may be in flight at once. */
  public static final int DEFAULT_CONCURRENCY = 4;
  /** Name of the hook built from the global event webhook URL. */
  public static final String GLOBAL_HOOK_NAME = "events";

  private static final Logger LOG = LoggerFactory.getLogger(EventWebhookDispatcher.class);

  private final WebhookCaller caller;
  private final Clock clock;
  private final Optional<String> globalEventWebhook;
  private final int capacity;
  private final int concurrency;

  private final Deque<Delivery> queue = new ArrayDeque<>();
  private int inFlight;
  private long dropped;

  /** A dispatcher with the default capacity and concurrency. */
  public EventWebhookDispatcher(WebhookCaller caller, Clock clock, Optional<String> globalEventWebhook) {
    this(caller, clock, globalEventWebhook, DEFAULT_CAPACITY, DEFAULT_CONCURRENCY);
  }

  /**
   * @param globalEventWebhook the URL of {@code --event-webhook} / {@code EVENT_WEBHOOK_URL}, used for canaries without
   *     {@code event} hooks of their own
   * @param capacity deliveries that may be queued or in flight; beyond that, events are dropped
   * @param concurrency deliveries in flight at once
   */
  public EventWebhookDispatcher(WebhookCaller caller, Clock clock, Optional<String> globalEventWebhook, int capacity,
      int concurrency) {
    if (capacity < 1 || concurrency < 1) {
      throw new IllegalArgumentException("capacity and concurrency must be positive");
    }
    this.caller = caller;
    this.clock = clock;
    this.globalEventWebhook = globalEventWebhook.filter(u -> !u.isBlank());
    this.capacity = capacity;
    this.concurrency = concurrency;
  }

  /**
   * Queues the event for every {@code event} hook of the canary (or the global event webhook) and returns at once.
   * The timestamp is taken now, not at delivery.
   *
   * @param webhooks the canary's {@code analysis.webhooks}
   * @param context the canary; its phase is the phase reported
   * @return completes when every delivery has finished or was dropped, with one result per hook; it never fails
   *     and the caller need not wait for it
   */
  public Future<List<WebhookResult>> dispatch(List<CanaryWebhook> webhooks, WebhookContext context, String message,
      EventType type) {
    List<CanaryWebhook> targets = targets(webhooks);
    if (targets.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Instant at = clock.instant();
    List<Future<WebhookResult>> results = new ArrayList<>(targets.size());
    for (CanaryWebhook hook : targets) {
      Delivery delivery = new Delivery(hook, WebhookPayload.forEvent(context, hook.metadata, message, type, at),
          context, Promise.promise());
      results.add(delivery.result.future());
      enqueue(delivery);
    }
    pump();
    return Future.all(results).map(all -> all.<WebhookResult>list());
  }

  /** Deliveries queued or in flight right now. */
  public synchronized int pending() {
    return queue.size() + inFlight;
  }

  /** Events dropped because the queue was full, since start. */
  public synchronized long droppedCount() {
    return dropped;
  }

  private List<CanaryWebhook> targets(List<CanaryWebhook> webhooks) {
    List<CanaryWebhook> own = WebhookSelector.select(webhooks, WebhookType.EVENT);
    if (!own.isEmpty() || globalEventWebhook.isEmpty()) {
      return own;
    }
    CanaryWebhook global = new CanaryWebhook();
    global.name = GLOBAL_HOOK_NAME;
    global.type = WebhookType.EVENT.wire();
    global.url = globalEventWebhook.get();
    return List.of(global);
  }

  private void enqueue(Delivery delivery) {
    boolean accepted;
    int pendingNow;
    synchronized (this) {
      pendingNow = queue.size() + inFlight;
      accepted = pendingNow < capacity;
      if (accepted) {
        queue.addLast(delivery);
      } else {
        dropped++;
      }
    }
    if (!accepted) {
      String hookName = delivery.hook.name == null ? "" : delivery.hook.name;
      ObjectLog.of(LOG, "Canary", delivery.context.key()).warn("event hook {} ({}) dropped: {} deliveries pending "
          + "(capacity {})", hookName, RedactedUrl.of(delivery.hook.url), pendingNow, capacity);
      delivery.result.complete(WebhookResult.failure(hookName, 0,
          "dropped: event queue full (" + capacity + " pending)", 0));
    }
  }

  private void pump() {
    List<Delivery> start = new ArrayList<>();
    synchronized (this) {
      while (inFlight < concurrency && !queue.isEmpty()) {
        start.add(queue.pollFirst());
        inFlight++;
      }
    }
    for (Delivery delivery : start) {
      caller.call(delivery.hook, delivery.payload, delivery.context.interval()).onComplete(ar -> {
        synchronized (this) {
          inFlight--;
        }
        WebhookResult result = ar.succeeded() ? ar.result()
            : WebhookResult.failure(String.valueOf(delivery.hook.name), 0, "delivery failed: " + ar.cause(), 0);
        if (result.failed()) {
          ObjectLog.of(LOG, "Canary", delivery.context.key()).warn("event hook {} ({}) failed after {} attempt(s): {}",
              result.hook(), RedactedUrl.of(delivery.hook.url), result.attempts(), result.message());
        }
        delivery.result.complete(result);
        pump();
      });
    }
  }

  private record Delivery(CanaryWebhook hook, WebhookPayload payload, WebhookContext context,
      Promise<WebhookResult> result) {}
}
