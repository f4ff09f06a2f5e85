package dev.bunting.hooks;

import dev.bunting.api.CanaryWebhook;
import dev.bunting.api.WebhookType;
import dev.bunting.logging.ObjectLog;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a canary's webhooks of one type, one after the other in declaration order, with Flagger's semantics:
 * <ul>
 *   <li>gates ({@code confirm-rollout}, {@code pre-rollout}, {@code rollout}, {@code confirm-traffic-increase},
 *       {@code confirm-promotion}): stop at the first failure; {@link WebhookRun#passed()} is the verdict;</li>
 *   <li>{@code rollback}: stop at the first success, which means "roll back" ({@link WebhookRun#rollbackRequested()});
 *       failures mean "carry on" and are expected;</li>
 *   <li>{@code post-rollout}: every hook is called and failures are only reported (Flagger stops at the first
 *       failure; Bunting still notifies the remaining receivers).</li>
 * </ul>
 * {@code event} hooks are not run here: use {@link EventWebhookDispatcher}, which never delays the caller.
 *
 * <p>All hooks of one run share one retry budget: the analysis interval in the {@link WebhookContext}.
 */
public final class WebhookRunner {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookRunner.class);

  /** Told about every hook call (metrics): its type, canary, result, and how long it took, retries included. */
  @FunctionalInterface
  public interface Observer {
    void called(WebhookType type, WebhookContext context, WebhookResult result, Duration took);
  }

  private final WebhookCaller caller;
  private final Observer observer;

  public WebhookRunner(WebhookCaller caller) {
    this(caller, (type, context, result, took) -> { });
  }

  public WebhookRunner(WebhookCaller caller, Observer observer) {
    this.caller = caller;
    this.observer = observer;
  }

  /**
   * Runs the hooks of {@code type} among {@code webhooks} (a canary's {@code analysis.webhooks}).
   *
   * @throws IllegalArgumentException for {@link WebhookType#EVENT}
   */
  public Future<WebhookRun> run(WebhookType type, List<CanaryWebhook> webhooks, WebhookContext context) {
    if (type == WebhookType.EVENT) {
      throw new IllegalArgumentException("event hooks are delivered by EventWebhookDispatcher");
    }
    List<CanaryWebhook> selected = WebhookSelector.select(webhooks, type);
    long deadline = System.nanoTime() + context.interval().toNanos();
    return next(type, selected, 0, context, deadline, new ArrayList<>())
        .map(results -> new WebhookRun(type, results));
  }

  private Future<List<WebhookResult>> next(WebhookType type, List<CanaryWebhook> hooks, int index,
      WebhookContext context, long deadline, List<WebhookResult> results) {
    if (index >= hooks.size()) {
      return Future.succeededFuture(results);
    }
    CanaryWebhook hook = hooks.get(index);
    Duration budget = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    long began = System.nanoTime();
    return caller.call(hook, WebhookPayload.of(context, hook.metadata), budget).compose(result -> {
      observer.called(type, context, result, Duration.ofNanos(System.nanoTime() - began));
      results.add(result);
      report(type, context, hook, result);
      boolean stop = switch (type) {
        case ROLLBACK -> result.success();
        case POST_ROLLOUT -> false;
        default -> result.failed();
      };
      return stop ? Future.succeededFuture(results) : next(type, hooks, index + 1, context, deadline, results);
    });
  }

  private static void report(WebhookType type, WebhookContext context, CanaryWebhook hook, WebhookResult result) {
    String url = RedactedUrl.of(hook.url);
    ObjectLog log = ObjectLog.of(LOG, "Canary", context.key());
    if (type == WebhookType.ROLLBACK) {
      if (result.success()) {
        log.info("rollback hook {} ({}) signalled a rollback: {}", result.hook(), url, result.message());
      } else {
        log.debug("rollback hook {} ({}) not signalling a rollback: {}", result.hook(), url, result.message());
      }
    } else if (result.failed()) {
      if (type == WebhookType.POST_ROLLOUT) {
        log.warn("post-rollout hook {} ({}) failed after {} attempt(s): {}", result.hook(), url, result.attempts(),
            result.message());
      } else {
        log.info("{} hook {} ({}) failed after {} attempt(s): {}", type.wire(), result.hook(), url,
            result.attempts(), result.message());
      }
    } else {
      log.debug("{} hook {} passed: {}", type.wire(), result.hook(), result.message());
    }
  }
}
