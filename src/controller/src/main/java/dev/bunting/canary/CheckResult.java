package dev.bunting.canary;

import java.util.List;

/**
 * The result of a {@link CheckKind}. {@code message} says why a check did not pass (or, for analysis, what it saw);
 * {@code readings} are the metric values measured (analysis only), in the order of {@code analysis.metrics}.
 */
public record CheckResult(boolean passed, String message, List<MetricReading> readings) {
  public static final CheckResult PASSED = new CheckResult(true, "", List.of());

  public static CheckResult failed(String message) {
    return new CheckResult(false, message, List.of());
  }

  /** One metric's value and verdict; {@code value} is NaN when there was no data. */
  public record MetricReading(String metric, double value, String unit, boolean passed, String detail) {
    /** {@code request-success-rate=99.87%}, {@code request-duration=12ms}, or {@code metric=no data}. */
    public String describe() {
      if (Double.isNaN(value)) {
        return metric + "=no data";
      }
      String v = value == Math.rint(value) && Math.abs(value) < 1e12 ? String.valueOf((long) value)
          : String.format(java.util.Locale.ROOT, "%.2f", value);
      return metric + "=" + v + (unit == null ? "" : unit);
    }
  }
}
