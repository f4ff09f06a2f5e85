package dev.bunting.notify;

import java.util.Optional;

/**
 * Finds an AlertProvider and its Secret, normally from the informer caches. Implemented by the engine, so that this
 * package never talks to Kubernetes.
 */
@FunctionalInterface
public interface AlertProviderLookup {
  /** The AlertProvider {@code namespace/name} with its Secret's data, or empty when it does not exist. */
  Optional<ResolvedAlertProvider> find(String namespace, String name);
}
