package dev.bunting.canary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.CanaryPhase;
import dev.bunting.api.CanaryStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which status changes are held back ({@link CanaryReconciler#holdsDetail}). */
class StatusDetailHoldTest {
  private static final List<String> MESSAGE_ONLY = List.of("conditions[Ready].lastUpdateTime",
      "conditions[Ready].message", "conditions[Reconciling].lastUpdateTime", "conditions[Reconciling].message");
  private static final Duration FRESH = Duration.ofSeconds(10);
  private static final Duration STALE = CanaryReconciler.DETAIL_REFRESH;

  @Test
  void aNewProgressMessageBetweenTicksIsHeld() {
    for (CanaryPhase phase : List.of(CanaryPhase.PROGRESSING, CanaryPhase.PROMOTING, CanaryPhase.FINALISING,
        CanaryPhase.INITIALIZING, CanaryPhase.WAITING)) {
      assertThat(CanaryReconciler.holdsDetail(MESSAGE_ONLY, phase, true, false, FRESH)).as(phase.toString()).isTrue();
      assertThat(CanaryReconciler.holdsDetail(MESSAGE_ONLY, phase, true, false, STALE)).as(phase.toString()).isTrue();
    }
    assertThat(CanaryReconciler.holdsDetail(List.of("conditions[Ready].message"), CanaryPhase.PROGRESSING, true,
        false, FRESH)).isTrue();
  }

  @Test
  void aTickWritesItOnceTheStatusIsAMinuteOld() {
    assertThat(CanaryReconciler.holdsDetail(MESSAGE_ONLY, CanaryPhase.PROGRESSING, true, true, FRESH))
        .as("a rollout's replica counts at a tick 10 s after the last step").isTrue();
    assertThat(CanaryReconciler.holdsDetail(MESSAGE_ONLY, CanaryPhase.PROGRESSING, true, true,
        STALE.minusSeconds(1))).isTrue();
    assertThat(CanaryReconciler.holdsDetail(MESSAGE_ONLY, CanaryPhase.PROGRESSING, true, true, STALE)).isFalse();
    assertThat(CanaryReconciler.holdsDetail(MESSAGE_ONLY, CanaryPhase.PROMOTING, true, true, Duration.ofMinutes(5)))
        .isFalse();
  }

  @Test
  void anyOtherChangeIsWrittenAtOnce() {
    for (String other : List.of("phase", "canaryWeight", "iterations", "failedChecks", "analysis",
        "conditions[Ready].reason", "conditions[Ready].status", "conditions[Stalled]", "conditions[Promoted].message")) {
      List<String> changes = new ArrayList<>(MESSAGE_ONLY);
      changes.add(other);
      assertThat(CanaryReconciler.holdsDetail(changes, CanaryPhase.PROGRESSING, true, false, FRESH)).as(other)
          .isFalse();
    }
  }

  @Test
  void aPhaseWithoutTicksOrTheFirstWriteSinceStartIsNeverHeld() {
    for (CanaryPhase idle : List.of(CanaryPhase.SUCCEEDED, CanaryPhase.FAILED, CanaryPhase.INITIALIZED)) {
      assertThat(CanaryReconciler.holdsDetail(MESSAGE_ONLY, idle, true, false, FRESH)).as(idle.toString()).isFalse();
    }
    assertThat(CanaryReconciler.holdsDetail(MESSAGE_ONLY, CanaryPhase.PROGRESSING, false, true, FRESH)).isFalse();
  }

  @Test
  void theAgeOfTheStatusIsThatOfItsLastWrite() {
    Instant now = Instant.parse("2026-12-07T06:00:00Z");
    CanaryStatus written = new CanaryStatus();
    written.lastTransitionTime = "2026-12-07T05:59:15Z";
    assertThat(CanaryReconciler.shownFor(written, now)).isEqualTo(Duration.ofSeconds(45));
    written.lastTransitionTime = "2026-12-07T06:00:30Z";
    assertThat(CanaryReconciler.shownFor(written, now)).as("another clock: nothing held on its account")
        .isGreaterThan(Duration.ofDays(365));
    written.lastTransitionTime = "yesterday";
    assertThat(CanaryReconciler.shownFor(written, now)).isGreaterThan(Duration.ofDays(365));
    assertThat(CanaryReconciler.shownFor(null, now)).isGreaterThan(Duration.ofDays(365));
  }
}
