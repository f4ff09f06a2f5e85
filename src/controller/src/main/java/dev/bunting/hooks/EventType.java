package dev.bunting.hooks;

/** The Kubernetes Event type an {@code event} webhook reports in {@code metadata.eventType}. */
public enum EventType {
  NORMAL("Normal"),
  WARNING("Warning");

  private final String wire;

  EventType(String wire) {
    this.wire = wire;
  }

  /** The spelling Kubernetes and Flagger use: {@code Normal} or {@code Warning}. */
  public String wire() {
    return wire;
  }
}
