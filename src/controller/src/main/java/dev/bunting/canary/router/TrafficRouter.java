package dev.bunting.canary.router;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;

/**
 * One traffic provider (kubernetes, gatewayapi:v1, istio, nginx, ...), the counterpart of Flagger's
 * {@code router.Interface}. Routers are pure: they build the routing objects a canary needs for given weights and
 * read the weights back from the objects in the caches ({@link CachedObjects}); the reconciler applies what they build
 * (server-side apply, only on change). The three Services are built by {@link ServiceBuilder} for every router.
 *
 * <p>Adding a provider: implement this interface (see {@link GatewayApiRouter} for a full example), register it in
 * {@link Routers}, add its builtin queries (analysis) and its project's CRDs to {@code scripts/third-party-crds}.
 */
public interface TrafficRouter {

  /** The provider name as written in {@code spec.provider}, e.g. {@code gatewayapi:v1}. */
  String provider();

  /**
   * Whether this router serves a {@code spec.provider} value; by default exactly {@link #provider()}. Routers with
   * variants (e.g. {@code smi:v1alpha3:linkerd}) accept more.
   */
  default boolean handles(String provider) {
    return provider().equals(provider);
  }

  /**
   * Checks the canary's routing settings for this provider; an empty list means valid. Messages name the field, e.g.
   * {@code "spec.service.gatewayRefs is required for provider gatewayapi:v1"}.
   */
  List<String> validate(Canary canary);

  /**
   * What keeps this router from building its objects out of the user's objects it starts from (an Ingress, an
   * ApisixRoute, a Gloo Upstream, read from {@code cached}): one message per problem, naming the Canary field, e.g.
   * {@code "spec.ingressRef: Ingress test/podinfo not found"}. Empty means usable; none by default. Asked only for a
   * canary that {@link #validate} accepts and whose kinds are installed.
   */
  default List<String> problems(Canary canary, CachedObjects cached) {
    return List.of();
  }

  /** Every kind this router may read or write; the controller watches those the API server serves. */
  List<ResourceDefinitionContext> kinds();

  /**
   * The objects this router reads or writes for {@code canary}: its own routing objects and the user's objects it
   * starts from. A change to one of them reconciles the canary; a kind among them that is not installed is reported.
   */
  List<RoutedObject> objects(Canary canary);

  /** The routing objects for {@code weights} (none for the kubernetes provider). */
  List<HasMetadata> desiredObjects(Canary canary, Weights weights, CachedObjects cached);

  /** The weights and acceptance of the routing objects in the caches; nothing created yet ⇒ {@link RouterState#absent()}. */
  RouterState state(Canary canary, CachedObjects cached);

  /**
   * What to apply when a canary with {@code revertOnDeletion} is deleted, to give the user's own objects back as they
   * were (Flagger's {@code Finalize}), e.g. the original spec of a VirtualService that was taken over. Objects the
   * router created are garbage-collected through their owner reference. None by default.
   */
  default List<HasMetadata> revertedObjects(Canary canary, CachedObjects cached) {
    return List.of();
  }

  /** Whether this provider shifts weights at all (false for kubernetes: blue/green at L4 behind the apex Service). */
  boolean supportsWeights();

  /**
   * Whether this provider mirrors requests to the canary when asked ({@link Weights#mirrored()}, {@code analysis.mirror}):
   * the engine takes the mirrored step of a canary release only then. False by default.
   */
  default boolean supportsMirroring() {
    return false;
  }

  /**
   * Whether the spec of this router's objects belongs to Bunting as a whole, as Flagger replaces the whole spec with a
   * PUT: the reconciler then compares specs for equality (so a field Bunting no longer writes counts as a change) and,
   * before applying, moves other field managers' ownership of spec fields to Bunting, so fields that others set and
   * Bunting does not write are removed. Only for kinds whose API server adds no defaults to the spec. False by default
   * (the applied fields must be present; others' fields stay).
   */
  default boolean replacesSpec() {
    return false;
  }
}
