package dev.bunting.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Fast tier: when an idle controller collects its heap, and when it leaves it alone. */
class IdleHeapCollectorTest {
  private static final long MIB = 1L << 20;
  private static final long MINUTE = Duration.ofMinutes(1).toNanos();
  private final IdleHeapCollector collector = new IdleHeapCollector(Duration.ofMinutes(5), () -> 0);

  @Test
  void aHeapGrownByABurstIsCollectedOnceTheControllerHasWrittenNothingForLongEnough() {
    // 5,000 canaries after their initialization (40 writes so far): 450 MiB committed, 130 MiB live
    assertThat(collector.due(0, 40, 450 * MIB, 130 * MIB)).as("first look: the quiet period starts").isFalse();
    assertThat(collector.due(4 * MINUTE, 40, 450 * MIB, 130 * MIB)).as("quiet for 4 minutes only").isFalse();
    assertThat(collector.due(5 * MINUTE, 40, 450 * MIB, 130 * MIB)).isTrue();
    assertThat(collector.due(6 * MINUTE, 40, 450 * MIB, 130 * MIB))
        .as("asked once: the next quiet period starts now").isFalse();
  }

  @Test
  void anyWriteStartsTheQuietPeriodAgain() {
    collector.due(0, 40, 450 * MIB, 130 * MIB);
    assertThat(collector.due(4 * MINUTE, 41, 450 * MIB, 130 * MIB)).as("the controller is working").isFalse();
    assertThat(collector.due(8 * MINUTE, 41, 450 * MIB, 130 * MIB)).isFalse();
    assertThat(collector.due(9 * MINUTE, 41, 450 * MIB, 130 * MIB)).isTrue();
  }

  @Test
  void aHeapCloseToWhatItHoldsIsLeftAlone() {
    collector.due(0, 7, 190 * MIB, 130 * MIB);
    assertThat(collector.due(10 * MINUTE, 7, 190 * MIB, 130 * MIB)).as("less than half again the live data").isFalse();
    IdleHeapCollector small = new IdleHeapCollector(Duration.ofMinutes(5), () -> 0);
    small.due(0, 7, 60 * MIB, 20 * MIB);
    assertThat(small.due(10 * MINUTE, 7, 60 * MIB, 20 * MIB)).as("three times what it holds, 40 MiB over").isTrue();
    IdleHeapCollector tiny = new IdleHeapCollector(Duration.ofMinutes(5), () -> 0);
    tiny.due(0, 7, 40 * MIB, 10 * MIB);
    assertThat(tiny.due(10 * MINUTE, 7, 40 * MIB, 10 * MIB)).as("30 MiB of excess: not worth a pause").isFalse();
  }

  @Test
  void aHeapThatCouldNotShrinkIsNotCollectedAgainUntilItGrows() {
    // 200 idle canaries: the heap is at its initial size, 75 MiB, with 36 MiB in use; the collection gives nothing back
    collector.due(0, 7, 75 * MIB, 10 * MIB);
    assertThat(collector.due(5 * MINUTE, 7, 75 * MIB, 10 * MIB)).as("the last collections' figures were stale").isTrue();
    collector.collected(75 * MIB);
    assertThat(collector.due(10 * MINUTE, 7, 75 * MIB, 36 * MIB)).isFalse();
    assertThat(collector.due(60 * MINUTE, 7, 75 * MIB, 36 * MIB)).as("still idle, the same heap").isFalse();
    assertThat(collector.due(65 * MINUTE, 7, 200 * MIB, 60 * MIB)).as("grown since").isTrue();
  }
}
