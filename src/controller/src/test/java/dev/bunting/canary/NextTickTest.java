package dev.bunting.canary;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** When an in-flight canary looks again ({@link CanaryReconciler#untilNextTick}). */
class NextTickTest {
  private static final Instant NOW = Instant.parse("2026-12-07T17:00:00Z");
  private static final Duration INTERVAL = Duration.ofSeconds(10);

  @Test
  void aTakenTickComesBackAnIntervalLater() {
    assertThat(CanaryReconciler.untilNextTick(NOW, NOW, INTERVAL, true, true)).isEqualTo(INTERVAL);
  }

  @Test
  void betweenTicksItComesBackAtTheNextOne() {
    assertThat(CanaryReconciler.untilNextTick(NOW, NOW.minusSeconds(6), INTERVAL, false, false))
        .isEqualTo(Duration.ofSeconds(4));
    assertThat(CanaryReconciler.untilNextTick(NOW, NOW.minusMillis(9_700), INTERVAL, false, false))
        .as("a wake just before the tick: back at the tick, not later").isEqualTo(Duration.ofMillis(300));
    assertThat(CanaryReconciler.untilNextTick(NOW, NOW.minusMillis(9_999), INTERVAL, false, false))
        .as("never sooner than " + CanaryReconciler.MIN_REQUEUE).isEqualTo(CanaryReconciler.MIN_REQUEUE);
    assertThat(CanaryReconciler.untilNextTick(NOW, NOW.minusSeconds(11), INTERVAL, false, false))
        .as("the tick fell due while this reconcile ran: it is taken at once").isEqualTo(CanaryReconciler.MIN_REQUEUE);
  }

  @Test
  void aDueTickNotTakenWaitsAnIntervalNotASecond() {
    // waiting for the canary's rollout: a change of its Deployment brings it back sooner; no polling every second
    assertThat(CanaryReconciler.untilNextTick(NOW, NOW.minusSeconds(40), INTERVAL, true, false)).isEqualTo(INTERVAL);
    assertThat(CanaryReconciler.untilNextTick(NOW, NOW.minusSeconds(40), Duration.ofMinutes(1), true, false))
        .isEqualTo(Duration.ofMinutes(1));
  }
}
