package dev.bunting.api;

/** Webhook types of {@code analysis.webhooks[].type}. An empty or missing type is {@link #ROLLOUT}. */
public enum WebhookType {
  CONFIRM_ROLLOUT("confirm-rollout"),
  PRE_ROLLOUT("pre-rollout"),
  ROLLOUT("rollout"),
  CONFIRM_TRAFFIC_INCREASE("confirm-traffic-increase"),
  CONFIRM_PROMOTION("confirm-promotion"),
  POST_ROLLOUT("post-rollout"),
  ROLLBACK("rollback"),
  EVENT("event");

  private final String wire;

  WebhookType(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static WebhookType fromWire(String value) {
    if (value == null || value.isEmpty()) {
      return ROLLOUT;
    }
    for (WebhookType t : values()) {
      if (t.wire.equals(value)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown webhook type '" + value + "'");
  }
}
