package dev.bunting.canary.router;

import java.util.Optional;

/**
 * What a router's objects look like in the cluster right now (from the informer cache): the weights they carry, and
 * whether the data plane has accepted them (for Gateway API: every parent reports {@code Accepted=True} for the
 * current generation). {@code weights} is empty when the routing object does not exist yet.
 */
public record RouterState(Optional<Weights> weights, boolean accepted, String message) {
  public static RouterState absent() {
    return new RouterState(Optional.empty(), false, "routing object not created yet");
  }

  public static RouterState accepted(Weights w) {
    return new RouterState(Optional.of(w), true, "");
  }
}
