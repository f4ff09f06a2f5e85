package dev.bunting.canary.router;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Optional;

/**
 * One traffic provider (kubernetes, gatewayapi:v1, ...). Routers are pure: they build the routing objects a canary
 * needs for given weights and read the weights back from the objects in the cache. The reconciler applies what they
 * build (server-side apply, only on change). The three Services are built by {@link ServiceBuilder} for every router.
 */
public interface TrafficRouter {

  /** The provider name as written in {@code spec.provider}, e.g. {@code gatewayapi:v1}. */
  String provider();

  /**
   * Checks the canary's routing settings for this provider; an empty list means valid. Messages name the field, e.g.
   * {@code "spec.service.gatewayRefs is required for provider gatewayapi:v1"}.
   */
  List<String> validate(Canary canary);

  /**
   * The routing objects for {@code weights} (none for the kubernetes provider). {@code existing} is the cached object
   * of the same name, if any, so foreign metadata can be kept.
   */
  List<HasMetadata> desiredObjects(Canary canary, Weights weights, Optional<GenericKubernetesResource> existing);

  /** The weights and acceptance of the cached routing object ({@code existing}); empty cache ⇒ {@link RouterState#absent()}. */
  RouterState state(Canary canary, Optional<GenericKubernetesResource> existing);

  /**
   * The kind of routing object this router writes (e.g. HTTPRoute {@code gateway.networking.k8s.io/v1}), which the
   * controller watches; empty when the router writes none.
   */
  Optional<ResourceDefinitionContext> routeResource();

  /** The name of the routing object of {@code canary} (the apex Service name for Gateway API). */
  String routeObjectName(Canary canary);

  /** Whether this provider shifts weights at all (false for kubernetes: blue/green at L4 behind the apex Service). */
  boolean supportsWeights();
}
