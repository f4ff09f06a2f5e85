package dev.bunting.notify;

import java.util.Optional;

/**
 * How serious an alert is, and, on a canary's {@code analysis.alerts[].severity}, the lowest severity sent to that
 * provider: {@code info} sends everything, {@code warn} sends warn and error, {@code error} sends error only.
 */
public enum AlertSeverity {
  INFO("info"),
  WARN("warn"),
  ERROR("error");

  private final String wire;

  AlertSeverity(String wire) {
    this.wire = wire;
  }

  /** {@code info}, {@code warn} or {@code error}. */
  public String wire() {
    return wire;
  }

  /**
   * The threshold written in {@code analysis.alerts[].severity}. A missing or empty value is {@link #INFO}: Flagger's
   * documented default (Flagger itself never sends to such a provider, a bug Bunting does not copy). Unknown values
   * are empty.
   */
  public static Optional<AlertSeverity> threshold(String configured) {
    if (configured == null || configured.isEmpty()) {
      return Optional.of(INFO);
    }
    for (AlertSeverity s : values()) {
      if (s.wire.equals(configured)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** Whether an alert of {@code severity} passes this threshold. */
  public boolean admits(AlertSeverity severity) {
    return severity.ordinal() >= ordinal();
  }
}
