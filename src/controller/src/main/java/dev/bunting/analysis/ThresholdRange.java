package dev.bunting.analysis;

/**
 * A metric's {@code thresholdRange}: inclusive bounds, either of which may be absent. A value passes when
 * it is not below {@code min} and not above {@code max}; the bounds themselves pass.
 *
 * <p>As in Flagger, a range whose {@code min} is above its {@code max} is accepted and fails every value;
 * {@link #isSatisfiable()} lets validation report it.
 *
 * @param min the lowest passing value, or null for no lower bound
 * @param max the highest passing value, or null for no upper bound
 */
public record ThresholdRange(Double min, Double max) {

  /** A range with only a lower bound. */
  public static ThresholdRange atLeast(double min) {
    return new ThresholdRange(min, null);
  }

  /** A range with only an upper bound. */
  public static ThresholdRange atMost(double max) {
    return new ThresholdRange(null, max);
  }

  /** A range with both bounds. */
  public static ThresholdRange between(double min, double max) {
    return new ThresholdRange(min, max);
  }

  /** True when the value is below {@code min}. */
  public boolean isBelow(double value) {
    return min != null && value < min;
  }

  /** True when the value is above {@code max}. */
  public boolean isAbove(double value) {
    return max != null && value > max;
  }

  /** False when {@code min > max}, so that no value can pass. */
  public boolean isSatisfiable() {
    return min == null || max == null || min <= max;
  }

  /** True when the value lies within the bounds (NaN is within no bounded range). */
  public boolean contains(double value) {
    if (Double.isNaN(value)) {
      return min == null && max == null;
    }
    return !isBelow(value) && !isAbove(value);
  }
}
