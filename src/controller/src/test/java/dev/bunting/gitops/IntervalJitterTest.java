package dev.bunting.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IntervalJitterTest {
  @Test
  void theNextSyncIsTheIntervalPlusOrMinusThePercentage() {
    Duration fiveMinutes = Duration.ofMinutes(5);
    assertThat(GitSyncDecider.jittered(fiveMinutes, 5, 0.0)).isEqualTo(Duration.ofSeconds(285));
    assertThat(GitSyncDecider.jittered(fiveMinutes, 5, 0.5)).isEqualTo(fiveMinutes);
    assertThat(GitSyncDecider.jittered(fiveMinutes, 5, 0.999999)).isBetween(Duration.ofMillis(314_999),
        Duration.ofSeconds(315));
    assertThat(GitSyncDecider.jittered(fiveMinutes, 0, 0.0)).isEqualTo(fiveMinutes);
  }

  @Test
  void drawsSpreadOverTheWholeRange() {
    Random random = new Random(42);
    Duration min = Duration.ofDays(1);
    Duration max = Duration.ZERO;
    for (int i = 0; i < 1000; i++) {
      Duration d = GitSyncDecider.jittered(Duration.ofSeconds(100), 10, random.nextDouble());
      min = d.compareTo(min) < 0 ? d : min;
      max = d.compareTo(max) > 0 ? d : max;
    }
    assertThat(min).isBetween(Duration.ofSeconds(90), Duration.ofSeconds(91));
    assertThat(max).isBetween(Duration.ofSeconds(109), Duration.ofSeconds(110));
  }

  @Test
  void optionsRefuseAPercentageOutside0To99() {
    assertThat(GitSyncOptions.defaults().intervalJitterPercent()).isEqualTo(5);
    assertThatThrownBy(() -> GitSyncOptions.defaults().withIntervalJitterPercent(100))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("from 0 to 99");
  }
}
