package dev.bunting.canary.router;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * Reading weights back from routing objects that only split by weight (TrafficSplit, TraefikService, TrafficRoute):
 * the two weights must be whole, non-negative and add up to 100, else the state says why (someone edited the object;
 * the next apply restores it). These objects have no status, so weights that add up are also "accepted".
 */
final class SplitWeights {
  private SplitWeights() {}

  /**
   * The state for {@code primaryWeight}/{@code canaryWeight} read from {@code object} (e.g. "TrafficSplit podinfo.test");
   * null stands for a backend the object does not list, which counts as 0 as in Flagger, unless both are missing.
   */
  static RouterState state(String object, String primary, Integer primaryWeight, String canary, Integer canaryWeight) {
    if (primaryWeight == null && canaryWeight == null) {
      return new RouterState(Optional.empty(), false, object + " does not contain routes for " + primary + " and "
          + canary);
    }
    return checked(object, primary, primaryWeight == null ? 0 : primaryWeight, canary,
        canaryWeight == null ? 0 : canaryWeight);
  }

  private static RouterState checked(String object, String primary, int primaryWeight, String canary, int canaryWeight) {
    if (primaryWeight < 0 || canaryWeight < 0 || primaryWeight + canaryWeight != 100) {
      return new RouterState(Optional.empty(), false, object + " has weights " + primaryWeight + "/" + canaryWeight
          + " for " + primary + "/" + canary + ", which do not add up to 100");
    }
    return RouterState.accepted(new Weights(primaryWeight, canaryWeight, false));
  }

  /**
   * A weight as a whole number: a JSON number, or a Kubernetes quantity string such as {@code "10"} (SMI v1alpha1);
   * -1 for anything else (fractions, garbage). A missing weight is 0 (Go's {@code omitempty} leaves 0 out).
   */
  static int whole(JsonNode weight) {
    if (weight == null || weight.isMissingNode() || weight.isNull()) {
      return 0;
    }
    try {
      BigDecimal value = weight.isNumber() ? weight.decimalValue()
          : Quantity.getAmountInBytes(new Quantity(weight.asText()));
      return value.stripTrailingZeros().scale() <= 0 ? value.intValueExact() : -1;
    } catch (ArithmeticException | IllegalArgumentException e) {
      return -1;
    }
  }
}
