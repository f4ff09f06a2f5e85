package dev.bunting.canary;

import dev.bunting.api.AnalysisStatus;
import java.util.List;
import java.util.Objects;

/**
 * The result of a {@link CheckKind}. {@code message} says why a check did not pass (or, for analysis, what it saw);
 * {@code readings} are the metric values measured (analysis only), in the order of {@code analysis.metrics};
 * {@code analysis} is what the metric analysis measured metric by metric, for {@code status.analysis} (null for other
 * checks).
 */
public record CheckResult(Outcome outcome, String message, List<MetricReading> readings, AnalysisStatus analysis) {
  public static final CheckResult PASSED = new CheckResult(Outcome.PASSED, "", List.of(), null);

  /** How a check ended. Only the metric analysis waits or aborts. */
  public enum Outcome {
    PASSED,
    /** A failed check: {@code failedChecks} goes up by one. */
    FAILED,
    /** Not enough data yet and the metric's {@code noData} is {@code wait}: hold, no step, no failed check. */
    WAITING,
    /** The score is below {@code analysis.score.marginal}: roll back at once. */
    ABORTED
  }

  public CheckResult {
    Objects.requireNonNull(outcome, "outcome");
    message = message == null ? "" : message;
    readings = readings == null ? List.of() : List.copyOf(readings);
  }

  public CheckResult(boolean passed, String message, List<MetricReading> readings) {
    this(passed ? Outcome.PASSED : Outcome.FAILED, message, readings, null);
  }

  public static CheckResult failed(String message) {
    return new CheckResult(Outcome.FAILED, message, List.of(), null);
  }

  public boolean passed() {
    return outcome == Outcome.PASSED;
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
