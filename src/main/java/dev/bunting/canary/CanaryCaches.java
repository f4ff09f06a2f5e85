package dev.bunting.canary;

import dev.bunting.api.AlertProvider;
import dev.bunting.api.Canary;
import dev.bunting.api.MetricTemplate;
import dev.bunting.kube.ResourceCache;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
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
    return rdc.getGroup() + "/" + rdc.getVersion() + "/" + rdc.getPlural();
  }

  /** The resourceVersion of a cached object, or empty when the cache does not have it. */
  public Optional<String> resourceVersion(String kind, String namespace, String name) {
    Optional<? extends io.fabric8.kubernetes.api.model.HasMetadata> found = switch (kind) {
      case "Canary" -> canaries.get(namespace, name);
      case "Deployment" -> deployments.get(namespace, name);
      case "Service" -> services.get(namespace, name);
      case "ConfigMap" -> configMaps.get(namespace, name);
      case "Secret" -> secrets.get(namespace, name);
      case "HorizontalPodAutoscaler" -> autoscalers.get(namespace, name);
      default -> routes.values().stream().map(c -> c.get(namespace, name)).filter(Optional::isPresent)
          .map(Optional::get).filter(r -> kind.equals(r.getKind())).findFirst();
    };
    return found.map(o -> o.getMetadata().getResourceVersion());
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
}
