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
import dev.bunting.canary.workload.WorkloadObjects;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The informer caches the canary engine reads. {@code routes} holds one cache per other project's kind that is
 * installed in the cluster (routing objects, and the Knative and KEDA kinds workloads read), keyed by
 * {@link #routeKey}.
 */
public record CanaryCaches(
    ResourceCache<Canary> canaries,
    ResourceCache<Deployment> deployments,
    ResourceCache<DaemonSet> daemonSets,
    ResourceCache<StatefulSet> statefulSets,
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
    int dot = kind.indexOf('.');
    if (dot > 0) {
      return genericResourceVersion(kind.substring(0, dot), kind.substring(dot + 1), namespace, name);
    }
    Optional<String> found = switch (kind) {
      case "Canary" -> canaries.resourceVersion(namespace, name);
      case "Deployment" -> deployments.resourceVersion(namespace, name);
      case "DaemonSet" -> daemonSets.resourceVersion(namespace, name);
      case "StatefulSet" -> statefulSets.resourceVersion(namespace, name);
      case "Service" -> services.resourceVersion(namespace, name);
      case "ConfigMap" -> configMaps.resourceVersion(namespace, name);
      case "Secret" -> secrets.resourceVersion(namespace, name);
      case "HorizontalPodAutoscaler" -> autoscalers.resourceVersion(namespace, name);
      default -> Optional.empty();
    };
    if (found.isPresent() || !isRouteKind(kind)) {
      return found;
    }
    return genericResourceVersion(kind, null, namespace, name);
  }

  /**
   * {@link #resourceVersion} of another project's kind: the stalest of its caches (one per watched API version);
   * {@code group} null matches any group.
   */
  private Optional<String> genericResourceVersion(String kind, String group, String namespace, String name) {
    String stalest = null;
    for (Map.Entry<String, ResourceCache<GenericKubernetesResource>> e : routes.entrySet()) {
      ResourceCache<GenericKubernetesResource> c = e.getValue();
      if (!kind.equals(c.kind()) || (group != null && !e.getKey().startsWith(group + "/"))) {
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

  /**
   * The key under which a write is remembered for read-your-writes: the kind, qualified by its API group for other
   * projects' kinds (a Knative {@code Service} is not a core {@code Service}).
   */
  public static String writtenKind(HasMetadata written) {
    String apiVersion = written.getApiVersion() == null ? "" : written.getApiVersion();
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "" : apiVersion.substring(0, slash);
    if (group.isEmpty() || group.equals("apps") || group.equals("autoscaling") || group.equals("flagger.app")) {
      return written.getKind();
    }
    return written.getKind() + "." + group;
  }

  /** The caches as workloads read them. */
  public WorkloadObjects workloadObjects() {
    CanaryCaches caches = this;
    return new WorkloadObjects() {
      @Override
      @SuppressWarnings("unchecked")
      public <T extends HasMetadata> Optional<T> get(Class<T> type, String namespace, String name) {
        ResourceCache<? extends HasMetadata> cache = caches.typed(type);
        return cache == null ? Optional.empty() : (Optional<T>) cache.get(namespace, name);
      }

      @Override
      public Optional<GenericKubernetesResource> get(ResourceDefinitionContext kind, String namespace, String name) {
        return routes(kind).flatMap(c -> c.get(namespace, name));
      }

      @Override
      public List<GenericKubernetesResource> list(ResourceDefinitionContext kind, String namespace) {
        return routes(kind).map(c -> c.list(namespace)).orElse(List.of());
      }

      @Override
      public boolean installed(ResourceDefinitionContext kind) {
        return routes(kind).isPresent();
      }
    };
  }

  /** The cache of a built-in kind, or null. */
  private ResourceCache<? extends HasMetadata> typed(Class<?> type) {
    if (type == Deployment.class) {
      return deployments;
    }
    if (type == DaemonSet.class) {
      return daemonSets;
    }
    if (type == StatefulSet.class) {
      return statefulSets;
    }
    if (type == Service.class) {
      return services;
    }
    if (type == ConfigMap.class) {
      return configMaps;
    }
    if (type == Secret.class) {
      return secrets;
    }
    if (type == HorizontalPodAutoscaler.class) {
      return autoscalers;
    }
    return null;
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
