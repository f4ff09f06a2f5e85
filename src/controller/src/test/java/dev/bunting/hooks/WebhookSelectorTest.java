package dev.bunting.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.CanaryWebhook;
import dev.bunting.api.WebhookType;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookSelectorTest {
  private static CanaryWebhook hook(String name, String type) {
    CanaryWebhook hook = new CanaryWebhook();
    hook.name = name;
    hook.type = type;
    return hook;
  }

  private static final List<CanaryWebhook> HOOKS = Arrays.asList(
      hook("untyped", null),
      hook("gate", "confirm-promotion"),
      hook("empty", ""),
      null,
      hook("typo", "pre-rolout"),
      hook("load", "rollout"),
      hook("notify", "event"));

  @Test
  void emptyAndMissingTypesAreRolloutInDeclarationOrder() {
    assertThat(WebhookSelector.select(HOOKS, WebhookType.ROLLOUT)).extracting(h -> h.name)
        .containsExactly("untyped", "empty", "load");
  }

  @Test
  void selectsByType() {
    assertThat(WebhookSelector.select(HOOKS, WebhookType.CONFIRM_PROMOTION)).extracting(h -> h.name)
        .containsExactly("gate");
    assertThat(WebhookSelector.select(HOOKS, WebhookType.EVENT)).extracting(h -> h.name).containsExactly("notify");
    assertThat(WebhookSelector.select(HOOKS, WebhookType.PRE_ROLLOUT)).isEmpty();
    assertThat(WebhookSelector.select(null, WebhookType.ROLLOUT)).isEmpty();
  }

  @Test
  void unknownTypesAreNeverSelectedButCanBeListed() {
    for (WebhookType type : WebhookType.values()) {
      assertThat(WebhookSelector.select(HOOKS, type)).extracting(h -> h.name).doesNotContain("typo");
    }
    assertThat(WebhookSelector.unknownTypes(HOOKS)).extracting(h -> h.name).containsExactly("typo");
  }
}
