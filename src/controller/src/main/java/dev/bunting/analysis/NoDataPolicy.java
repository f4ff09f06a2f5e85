package dev.bunting.analysis;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What a metric without enough data means ({@code metrics[].noData}): no values (an empty result or NaN), fewer
 * requests than {@code minRequests}, or fewer samples than {@code minSamples}. A query that fails (Prometheus down, a
 * bad query) is never "no data": it is an error, a failed check, whatever the policy.
 */
public enum NoDataPolicy {
  /** A failed check, as in Flagger (the default). */
  FAIL,
  /** The metric does not count this tick; if no metric of the tick had data, the tick fails. */
  SKIP,
  /** The analysis holds (no step, no failed check) until data comes, at most {@code progressDeadlineSeconds}. */
  WAIT;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The policy as spelled in a Canary; {@link #FAIL} when absent, empty for an unknown value. */
  public static Optional<NoDataPolicy> parse(String value) {
    if (value == null || value.isEmpty()) {
      return Optional.of(FAIL);
    }
    return Arrays.stream(values()).filter(p -> p.wire().equals(value)).findFirst();
  }
}
