package dev.bunting.canary;

import dev.bunting.canary.router.TrafficRouter;
import java.util.Optional;

/** Finds the {@link TrafficRouter} of a provider name ({@code spec.provider}, else the controller's default). */
public interface RouterRegistry {

  /** The router for {@code provider}, or empty when Bunting does not support it. */
  Optional<TrafficRouter> router(String provider);

  /** The message a user sees for an unsupported provider. */
  String unsupportedMessage(String provider);
}
