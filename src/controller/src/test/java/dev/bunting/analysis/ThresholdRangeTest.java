package dev.bunting.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ThresholdRangeTest {

  @Test
  void boundsAreInclusive() {
    ThresholdRange range = ThresholdRange.between(1, 2);
    assertThat(range.contains(1)).isTrue();
    assertThat(range.contains(2)).isTrue();
    assertThat(range.contains(Math.nextDown(1.0))).isFalse();
    assertThat(range.contains(Math.nextUp(2.0))).isFalse();
    assertThat(range.isBelow(0.5)).isTrue();
    assertThat(range.isAbove(2.5)).isTrue();
  }

  @Test
  void eitherBoundMayBeAbsent() {
    assertThat(ThresholdRange.atLeast(99).contains(1e9)).isTrue();
    assertThat(ThresholdRange.atLeast(99).contains(98.9)).isFalse();
    assertThat(ThresholdRange.atMost(500).contains(-1e9)).isTrue();
    assertThat(ThresholdRange.atMost(500).contains(500.1)).isFalse();
    assertThat(new ThresholdRange(null, null).contains(Double.NEGATIVE_INFINITY)).isTrue();
  }

  @Test
  void nanIsOutsideAnyBoundedRange() {
    assertThat(ThresholdRange.atLeast(0).contains(Double.NaN)).isFalse();
    assertThat(new ThresholdRange(null, null).contains(Double.NaN)).isTrue();
  }

  @Test
  void anInvertedRangeFailsEverythingAndSaysSo() {
    ThresholdRange inverted = new ThresholdRange(10.0, 5.0);
    assertThat(inverted.isSatisfiable()).isFalse();
    assertThat(inverted.contains(7)).isFalse();
    assertThat(inverted.contains(10)).isFalse();
    assertThat(ThresholdRange.between(5, 5).isSatisfiable()).isTrue();
  }
}
