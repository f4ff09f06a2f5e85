package dev.bunting.canary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.CanaryPhase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which status changes wait for the next tick ({@link CanaryReconciler#holdsDetail}). */
class StatusDetailHoldTest {
  private static final List<String> MESSAGE_ONLY = List.of("conditions[Ready].lastUpdateTime",
      "conditions[Ready].message", "conditions[Reconciling].lastUpdateTime", "conditions[Reconciling].message");

  @Test
  void aNewProgressMessageBetweenTicksWaitsForTheNextTick() {
    for (CanaryPhase phase : List.of(CanaryPhase.PROGRESSING, CanaryPhase.PROMOTING, CanaryPhase.FINALISING,
        CanaryPhase.INITIALIZING, CanaryPhase.WAITING)) {
      assertThat(CanaryReconciler.holdsDetail(MESSAGE_ONLY, phase, true, false)).as(phase.toString()).isTrue();
    }
    assertThat(CanaryReconciler.holdsDetail(List.of("conditions[Ready].message"), CanaryPhase.PROGRESSING, true,
        false)).isTrue();
  }

  @Test
  void aTickWritesIt() {
    assertThat(CanaryReconciler.holdsDetail(MESSAGE_ONLY, CanaryPhase.PROGRESSING, true, true)).isFalse();
  }

  @Test
  void anyOtherChangeIsWrittenAtOnce() {
    for (String other : List.of("phase", "canaryWeight", "iterations", "failedChecks", "analysis",
        "conditions[Ready].reason", "conditions[Ready].status", "conditions[Stalled]", "conditions[Promoted].message")) {
      List<String> changes = new ArrayList<>(MESSAGE_ONLY);
      changes.add(other);
      assertThat(CanaryReconciler.holdsDetail(changes, CanaryPhase.PROGRESSING, true, false)).as(other).isFalse();
    }
  }

  @Test
  void aPhaseWithoutTicksOrTheFirstWriteSinceStartIsNeverHeld() {
    for (CanaryPhase idle : List.of(CanaryPhase.SUCCEEDED, CanaryPhase.FAILED, CanaryPhase.INITIALIZED)) {
      assertThat(CanaryReconciler.holdsDetail(MESSAGE_ONLY, idle, true, false)).as(idle.toString()).isFalse();
    }
    assertThat(CanaryReconciler.holdsDetail(MESSAGE_ONLY, CanaryPhase.PROGRESSING, false, false)).isFalse();
  }
}
