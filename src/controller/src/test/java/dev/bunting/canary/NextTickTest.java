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
        .as("at least a second away").isEqualTo(Duration.ofSeconds(1));
    assertThat(CanaryReconciler.untilNextTick(NOW, NOW.minusSeconds(11), INTERVAL, false, false))
        .as("the tick fell due while this reconcile ran: it is taken soon").isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aDueTickNotTakenWaitsAnIntervalNotASecond() {
    // waiting for the canary's rollout: a change of its Deployment brings it back sooner; no polling every second
    assertThat(CanaryReconciler.untilNextTick(NOW, NOW.minusSeconds(40), INTERVAL, true, false)).isEqualTo(INTERVAL);
    assertThat(CanaryReconciler.untilNextTick(NOW, NOW.minusSeconds(40), Duration.ofMinutes(1), true, false))
        .isEqualTo(Duration.ofMinutes(1));
  }
}
