package dev.bunting.hooks;

import dev.bunting.api.CanaryWebhook;
import dev.bunting.api.WebhookType;
import java.util.List;
import java.util.Objects;

/** Picks a canary's webhooks of one type, in the order they are declared. */
public final class WebhookSelector {
  private WebhookSelector() {}

  /**
   * The webhooks whose {@code type} is {@code type}; a missing or empty type counts as {@link WebhookType#ROLLOUT}.
   * Hooks with a type Bunting does not know are never selected (validation reports them).
   */
  public static List<CanaryWebhook> select(List<CanaryWebhook> webhooks, WebhookType type) {
    if (webhooks == null || webhooks.isEmpty()) {
      return List.of();
    }
    return webhooks.stream().filter(Objects::nonNull).filter(h -> typeOf(h) == type).toList();
  }

  /** Webhooks whose {@code type} is not one of Flagger's eight, for validation messages. */
  public static List<CanaryWebhook> unknownTypes(List<CanaryWebhook> webhooks) {
    if (webhooks == null) {
      return List.of();
    }
    return webhooks.stream().filter(Objects::nonNull).filter(h -> typeOf(h) == null).toList();
  }

  private static WebhookType typeOf(CanaryWebhook hook) {
    try {
      return hook.webhookType();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
