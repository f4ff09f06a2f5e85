package dev.bunting.notify;

import java.util.Optional;

/**
 * {@code AlertProvider.spec.type}: the chat services Bunting can post to, each with its message format, and Bunting's
 * {@code generic} JSON.
 */
public enum AlertProviderType {
  SLACK("slack", new SlackMessage()),
  /** Discord gets the Slack payload, posted to {@code <address>/slack}. */
  DISCORD("discord", new SlackMessage()),
  MSTEAMS("msteams", new MsTeamsMessage()),
  ROCKET("rocket", new RocketMessage()),
  GCHAT("gchat", new GoogleChatMessage()),
  /** Bunting's addition: structured JSON for programs, signed when the Secret has a signing key. */
  GENERIC("generic", new GenericMessage());

  private final String wire;
  private final AlertFormat format;

  AlertProviderType(String wire, AlertFormat format) {
    this.wire = wire;
    this.format = format;
  }

  public String wire() {
    return wire;
  }

  /** How alerts are written for this service. */
  public AlertFormat format() {
    return format;
  }

  /** The type spelled {@code value}, if Bunting knows it. */
  public static Optional<AlertProviderType> fromWire(String value) {
    for (AlertProviderType t : values()) {
      if (t.wire.equals(value)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
