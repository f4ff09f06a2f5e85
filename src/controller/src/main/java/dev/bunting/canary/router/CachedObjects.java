package dev.bunting.canary.router;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.Optional;

/**
 * Read-only access to the informer caches of the kinds routers use ({@link TrafficRouter#kinds()}): routers read the
 * objects they manage, and the user's objects they start from (an Ingress to clone, a VirtualService to take over),
 * without API requests.
 */
@FunctionalInterface
public interface CachedObjects {

  /**
   * Services ({@code core/v1}): readable through every {@link CachedObjects} the engine hands to routers (from its own
   * Service cache), without being among a router's {@link TrafficRouter#kinds()}.
   */
  ResourceDefinitionContext SERVICES = new ResourceDefinitionContext.Builder()
      .withGroup("").withVersion("v1").withKind("Service").withPlural("services").withNamespaced(true).build();

  /** The cached object, or empty when it does not exist or its kind is not watched. */
  Optional<GenericKubernetesResource> get(ResourceDefinitionContext kind, String namespace, String name);

  default Optional<GenericKubernetesResource> get(RoutedObject ref) {
    return get(ref.kind(), ref.namespace(), ref.name());
  }

  /** Nothing cached (for tests and for routers that read nothing). */
  static CachedObjects none() {
    return (kind, namespace, name) -> Optional.empty();
  }
}
