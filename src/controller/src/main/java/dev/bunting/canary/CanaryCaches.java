package dev.bunting.canary;

import dev.bunting.api.AlertProvider;
import dev.bunting.api.Canary;
import dev.bunting.api.MetricTemplate;
import dev.bunting.canary.router.CachedObjects;
import dev.bunting.canary.router.RoutedObject;
import dev.bunting.kube.ResourceCache;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.Map;
import java.util.Optional;

/**
 * The informer caches the canary engine reads. {@code routes} holds one cache per routing kind that is installed in
 * the cluster, keyed by {@link #routeKey}.
 */
public record CanaryCaches(
    ResourceCache<Canary> canaries,
    ResourceCache<Deployment> deployments,
    ResourceCache<Service> services,
    ResourceCache<MetricTemplate> metricTemplates,
    ResourceCache<AlertProvider> alertProviders,
    ResourceCache<Secret> secrets,
    ResourceCache<ConfigMap> configMaps,
    ResourceCache<HorizontalPodAutoscaler> autoscalers,
    Map<String, ResourceCache<GenericKubernetesResource>> routes) {

  public static String routeKey(ResourceDefinitionContext rdc) {
    return RoutedObject.kindKey(rdc);
  }

  /**
   * The resourceVersion of a cached object, or empty when the cache does not have it. A route kind can be watched in
   * several API versions (HTTPRoute v1 and v1beta1), each cache with its own lag: the answer is then the stalest of
   * them (empty when one of them does not have the object yet), so that read-your-writes waits for the cache a router
   * reads, whichever it is.
   */
  public Optional<String> resourceVersion(String kind, String namespace, String name) {
    Optional<? extends io.fabric8.kubernetes.api.model.HasMetadata> found = switch (kind) {
      case "Canary" -> canaries.get(namespace, name);
      case "Deployment" -> deployments.get(namespace, name);
      case "Service" -> services.get(namespace, name);
      case "ConfigMap" -> configMaps.get(namespace, name);
      case "Secret" -> secrets.get(namespace, name);
      case "HorizontalPodAutoscaler" -> autoscalers.get(namespace, name);
      default -> Optional.empty();
    };
    if (found.isPresent() || !isRouteKind(kind)) {
      return found.map(o -> o.getMetadata().getResourceVersion());
    }
    String stalest = null;
    for (ResourceCache<GenericKubernetesResource> c : routes.values()) {
      if (!kind.equals(c.kind())) {
        continue;
      }
      Optional<GenericKubernetesResource> r = c.get(namespace, name);
      if (r.isEmpty()) {
        return Optional.empty();
      }
      String rv = r.get().getMetadata().getResourceVersion();
      if (stalest == null || !CanaryReconciler.atLeast(rv, stalest)) {
        stalest = rv;
      }
    }
    return Optional.ofNullable(stalest);
  }

  private boolean isRouteKind(String kind) {
    return routes.values().stream().anyMatch(c -> kind.equals(c.kind()));
  }

  /** A ConfigMap or Secret of a namespace, for config tracking. */
  public Optional<? extends io.fabric8.kubernetes.api.model.HasMetadata> config(
      dev.bunting.canary.workload.ConfigTracker.Kind kind, String namespace, String name) {
    return kind == dev.bunting.canary.workload.ConfigTracker.Kind.CONFIG_MAP ? configMaps.get(namespace, name)
        : secrets.get(namespace, name);
  }

  public Optional<ResourceCache<GenericKubernetesResource>> routes(ResourceDefinitionContext rdc) {
    return Optional.ofNullable(routes.get(routeKey(rdc)));
  }

  /** The routing caches as routers read them, and the Services ({@link CachedObjects#SERVICES}). */
  public CachedObjects routeObjects() {
    return (kind, namespace, name) -> {
      if (routeKey(kind).equals(routeKey(CachedObjects.SERVICES))) {
        return services.get(namespace, name).map(s -> io.fabric8.kubernetes.client.utils.Serialization.jsonMapper()
            .convertValue(s, GenericKubernetesResource.class));
      }
      return routes(kind).flatMap(c -> c.get(namespace, name));
    };
  }
}
