package dev.bunting.analysis;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The judgement of one metric check. Only {@link Outcome#PASSED} lets the analysis advance; "no values"
 * and errors are failed checks too (Flagger counts them the same), but keep their own outcome so status,
 * events and a future no-data policy can tell them apart.
 *
 * @param metricName the metric
 * @param outcome what happened
 * @param value the value judged (a percentage, milliseconds for durations, or the raw custom value); empty
 *     when there was none
 * @param message for anything but a pass, the message Flagger would put in the Warning/Error event; empty
 *     for a pass
 */
public record MetricVerdict(String metricName, Outcome outcome, OptionalDouble value, String message) {

  /** How a check ended. */
  public enum Outcome {
    /** The value is within the thresholds. */
    PASSED,
    /** The value breaks a threshold. */
    FAILED,
    /** The query returned nothing (empty result or NaN): probably no traffic. */
    NO_VALUES,
    /** The query could not be run or answered unusably. */
    ERROR
  }

  public MetricVerdict {
    Objects.requireNonNull(metricName, "metricName");
    Objects.requireNonNull(outcome, "outcome");
    value = value == null ? OptionalDouble.empty() : value;
    message = message == null ? "" : message;
  }

  /** True only for {@link Outcome#PASSED}. */
  public boolean passed() {
    return outcome == Outcome.PASSED;
  }
}
