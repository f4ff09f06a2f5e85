package dev.bunting.analysis;

import java.util.Arrays;
import java.util.Objects;

/**
 * The answer of a range query ({@code /api/v1/query_range}): the values of one series at each step, NaN points left
 * out (a ratio over a step without traffic is {@code 0/0}), or a failure with a message a user can act on. An empty
 * result is zero samples, not a failure: what too few samples means is the metric's {@code noData} policy.
 */
public sealed interface MetricSamples permits MetricSamples.Points, MetricSamples.Failed {

  /** The values at each step, in time order, without NaN. */
  record Points(double[] values) implements MetricSamples {
    public Points {
      values = values.clone();
    }

    public int count() {
      return values.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Points p && Arrays.equals(values, p.values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return "Points" + Arrays.toString(values);
    }
  }

  /** The query could not be run or its answer could not be used. */
  record Failed(String message) implements MetricSamples {
    public Failed {
      Objects.requireNonNull(message, "message");
    }
  }

  static MetricSamples of(double... values) {
    return new Points(Arrays.stream(values).filter(v -> !Double.isNaN(v)).toArray());
  }
}
