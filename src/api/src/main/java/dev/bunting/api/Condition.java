package dev.bunting.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A status condition. Flagger's {@code Promoted} condition, Bunting's kstatus {@code Ready}, {@code Reconciling}
 * and {@code Stalled}, and Bunting's {@code Paused} and {@code ActionRejected} share this shape ({@code lastUpdateTime} is Flagger's; {@code observedGeneration} is kstatus').
 */
public class Condition extends ApiObject {
  public static final String PROMOTED = "Promoted";
  public static final String READY = "Ready";
  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";
  /** Bunting: {@code True} while the canary is paused by the {@code bunting.dev/action} annotation. */
  public static final String PAUSED = "Paused";
  /** Bunting: {@code True} when the last {@code bunting.dev/action} request was invalid or not possible. */
  public static final String ACTION_REJECTED = "ActionRejected";
  /** Longest message kept, as metav1.Condition allows: a message quoting user input (a 1 MB name) stays writable. */
  public static final int MAX_MESSAGE = 32768;

  public String type;
  /** {@code True}, {@code False} or {@code Unknown}. */
  public String status;
  public String reason;
  public String message;
  public String lastTransitionTime;
  public String lastUpdateTime;
  public Long observedGeneration;

  public Condition() {}

  public Condition(String type, String status, String reason, String message) {
    this.type = type;
    this.status = status;
    this.reason = reason;
    this.message = message == null || message.length() <= MAX_MESSAGE ? message
        : message.substring(0, MAX_MESSAGE - 1) + "\u2026";
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return Optional.empty();
    }
    return conditions.stream().filter(c -> type.equals(c.type)).findFirst();
  }

  public boolean isTrue() {
    return "True".equals(status);
  }

  /** Same type, status, reason, message and generation: the timestamps are the only difference. */
  public boolean sameStateAs(Condition other) {
    return other != null && Objects.equals(type, other.type) && Objects.equals(status, other.status)
        && Objects.equals(reason, other.reason) && Objects.equals(message, other.message)
        && Objects.equals(observedGeneration, other.observedGeneration);
  }
}
