package dev.bunting.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** {@code status.phase}: Flagger's phases with their exact spelling (British {@code Finalising}). */
public enum CanaryPhase {
  NEW(""),
  INITIALIZING("Initializing"),
  INITIALIZED("Initialized"),
  WAITING("Waiting"),
  PROGRESSING("Progressing"),
  WAITING_PROMOTION("WaitingPromotion"),
  PROMOTING("Promoting"),
  FINALISING("Finalising"),
  SUCCEEDED("Succeeded"),
  FAILED("Failed"),
  TERMINATING("Terminating"),
  TERMINATED("Terminated");

  private final String wire;

  CanaryPhase(String wire) {
    this.wire = wire;
  }

  @JsonValue
  public String wire() {
    return wire;
  }

  @JsonCreator
  public static CanaryPhase fromWire(String value) {
    if (value == null) {
      return NEW;
    }
    for (CanaryPhase p : values()) {
      if (p.wire.equals(value)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown canary phase '" + value + "'");
  }

  /** A release is under way: traffic may be split and the canary scaled up. */
  public boolean inFlight() {
    return this == PROGRESSING || this == WAITING_PROMOTION || this == PROMOTING || this == FINALISING;
  }

  @Override
  public String toString() {
    return wire.isEmpty() ? "<new>" : wire;
  }
}
