package dev.bunting.canary.router;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;

/**
 * A router that steers traffic through the user's own Ingress ({@code spec.ingressRef}): NGINX and Skipper. It reads
 * that Ingress from the cache and reports it missing or unusable as {@link UserIngress} does; only the objects it
 * writes differ.
 */
interface UserIngressRouter extends TrafficRouter {
  @Override
  default List<String> problems(Canary canary, CachedObjects cached) {
    return UserIngress.problems(canary, cached);
  }

  @Override
  default List<ResourceDefinitionContext> kinds() {
    return List.of(UserIngress.INGRESSES);
  }

  @Override
  default List<RoutedObject> objects(Canary canary) {
    return UserIngress.objects(canary);
  }
}
