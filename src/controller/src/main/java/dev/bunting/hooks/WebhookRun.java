package dev.bunting.hooks;

import dev.bunting.api.WebhookType;
import java.util.List;
import java.util.Optional;

/**
 * The results of running a canary's webhooks of one type, in call order. Only hooks that were called appear: a
 * gate run stops at the first failure, a rollback run at the first success.
 *
 * @param type the webhook type that ran
 * @param results one result per called hook
 */
public record WebhookRun(WebhookType type, List<WebhookResult> results) {

  public WebhookRun {
    results = List.copyOf(results);
  }

  /** No hook of the type was declared. */
  public boolean empty() {
    return results.isEmpty();
  }

  /**
   * Whether every called hook succeeded (true when there were none). This is the verdict for the gate types
   * ({@code confirm-rollout}, {@code pre-rollout}, {@code rollout}, {@code confirm-traffic-increase},
   * {@code confirm-promotion}); for {@code post-rollout} it is advisory only.
   */
  public boolean passed() {
    return results.stream().allMatch(WebhookResult::success);
  }

  /** For a {@code rollback} run: a hook answered with a success status, so the canary must roll back. */
  public boolean rollbackRequested() {
    return type == WebhookType.ROLLBACK && results.stream().anyMatch(WebhookResult::success);
  }

  /** The first failed hook, if any. */
  public Optional<WebhookResult> firstFailure() {
    return results.stream().filter(WebhookResult::failed).findFirst();
  }

  /** The first successful hook, if any. */
  public Optional<WebhookResult> firstSuccess() {
    return results.stream().filter(WebhookResult::success).findFirst();
  }
}
