package dev.bunting.analysis;

import java.util.Objects;
import java.util.function.DoubleUnaryOperator;

/**
 * The outcome of one metric query: a number, "no values found" (an empty result or NaN, which Flagger treats
 * as "the target is probably not receiving traffic"), or a failure with a message a user can act on.
 */
public sealed interface MetricValue permits MetricValue.Value, MetricValue.NoValues, MetricValue.Failed {

  /** A single sample value. */
  record Value(double value) implements MetricValue {}

  /** The query ran but returned nothing usable: an empty vector or NaN. */
  record NoValues(String detail) implements MetricValue {
    public NoValues {
      Objects.requireNonNull(detail, "detail");
    }
  }

  /** The query could not be run or its answer could not be used. */
  record Failed(String message) implements MetricValue {
    public Failed {
      Objects.requireNonNull(message, "message");
    }
  }

  static MetricValue of(double value) {
    return new Value(value);
  }

  static MetricValue noValues(String detail) {
    return new NoValues(detail);
  }

  static MetricValue failed(String message) {
    return new Failed(message);
  }

  /** Applies {@code f} to a value; "no values" and failures pass through unchanged. */
  default MetricValue map(DoubleUnaryOperator f) {
    return this instanceof Value v ? new Value(f.applyAsDouble(v.value())) : this;
  }
}
