package dev.bunting.api;

import java.time.Duration;
import java.util.Map;

/** {@code analysis.webhooks[]}: Flagger's eight webhook types, called with Flagger's payload. */
public class CanaryWebhook extends ApiObject {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  public String name;
  /** One of {@link WebhookType}'s wire names; empty means {@code rollout}. */
  public String type;
  public String url;
  public Boolean muteAlert;
  public String timeout;
  public Integer retries;
  public Boolean disableTLS;
  public Map<String, String> metadata;

  public WebhookType webhookType() {
    return WebhookType.fromWire(type);
  }

  /** Per-attempt timeout: default 10s, also when the text is shorter than two characters or unparsable. */
  public Duration timeoutOrDefault() {
    if (timeout == null || timeout.length() < 2) {
      return DEFAULT_TIMEOUT;
    }
    return GoDuration.parse(timeout).orElse(DEFAULT_TIMEOUT);
  }

  public int retriesOrZero() {
    return retries == null || retries < 0 ? 0 : retries;
  }
}
