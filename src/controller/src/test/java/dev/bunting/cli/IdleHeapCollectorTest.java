package dev.bunting.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Fast tier: when an idle controller collects its heap, and when it leaves it alone. */
class IdleHeapCollectorTest {
  private static final long MIB = 1L << 20;
  private static final long MINUTE = Duration.ofMinutes(1).toNanos();
  /** The heap's initial size under the chart's 768 MiB limit (-XX:InitialRAMPercentage=10). */
  private static final long INITIAL = 77 * MIB;
  private final IdleHeapCollector collector = new IdleHeapCollector(Duration.ofMinutes(5), () -> 0);

  @Test
  void aHeapGrownByABurstIsCollectedOnceTheControllerHasWrittenNothingForLongEnough() {
    // 5,000 canaries after their initialization (40 writes so far): 450 MiB committed
    assertThat(collector.due(0, 40, 450 * MIB, INITIAL)).as("first look: the quiet period starts").isFalse();
    assertThat(collector.due(4 * MINUTE, 40, 450 * MIB, INITIAL)).as("quiet for 4 minutes only").isFalse();
    assertThat(collector.due(5 * MINUTE, 40, 450 * MIB, INITIAL)).isTrue();
    assertThat(collector.due(6 * MINUTE, 40, 450 * MIB, INITIAL))
        .as("asked once: the next quiet period starts now").isFalse();
  }

  @Test
  void anyWriteStartsTheQuietPeriodAgain() {
    collector.due(0, 40, 450 * MIB, INITIAL);
    assertThat(collector.due(4 * MINUTE, 41, 450 * MIB, INITIAL)).as("the controller is working").isFalse();
    assertThat(collector.due(8 * MINUTE, 41, 450 * MIB, INITIAL)).isFalse();
    assertThat(collector.due(9 * MINUTE, 41, 450 * MIB, INITIAL)).isTrue();
  }

  @Test
  void aHeapCloseToItsInitialSizeIsLeftAlone() {
    collector.due(0, 7, INITIAL, INITIAL);
    assertThat(collector.due(10 * MINUTE, 7, INITIAL, INITIAL)).as("at its floor: nothing to give back").isFalse();
    collector.due(11 * MINUTE, 7, INITIAL + 30 * MIB, INITIAL);
    assertThat(collector.due(20 * MINUTE, 7, INITIAL + 30 * MIB, INITIAL)).as("30 MiB over: not worth a pause")
        .isFalse();
    collector.due(21 * MINUTE, 7, INITIAL + 40 * MIB, INITIAL);
    assertThat(collector.due(30 * MINUTE, 7, INITIAL + 40 * MIB, INITIAL)).as("40 MiB over").isTrue();
  }

  @Test
  void aHeapThatDidNotShrinkIsNotCollectedAgainUntilItGrows() {
    // 5,000 idle canaries whose heap holds 300 MiB of live data: the collection gives little back
    collector.due(0, 7, 330 * MIB, INITIAL);
    assertThat(collector.due(5 * MINUTE, 7, 330 * MIB, INITIAL)).isTrue();
    collector.collected(320 * MIB);
    assertThat(collector.due(10 * MINUTE, 7, 320 * MIB, INITIAL)).isFalse();
    assertThat(collector.due(60 * MINUTE, 7, 320 * MIB, INITIAL)).as("still idle, the same heap").isFalse();
    assertThat(collector.due(65 * MINUTE, 7, 400 * MIB, INITIAL)).as("grown since").isTrue();
  }
}
