package dev.bunting.gitops;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the API server serves, per group/version: resource plural and whether the kind is namespaced. Cached; a group
 * version is asked again when a kind is missing from it (a CRD may just have been installed), at most once every
 * two seconds. Blocking: call it on the worker pool.
 */
final class ApiDiscovery {
  private static final Duration MISS_RETRY = Duration.ofSeconds(2);

  private record Entry(Map<String, ResourceDefinitionContext> byKind, Instant fetchedAt) {}

  private final KubernetesClient client;
  private final Clock clock;
  private final Map<String, Entry> groupVersions = new ConcurrentHashMap<>();

  ApiDiscovery(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** The resource for {@code apiVersion}/{@code kind}, or empty when the server does not serve it. */
  Optional<ResourceDefinitionContext> find(String apiVersion, String kind) {
    Entry e = groupVersions.get(apiVersion);
    if (e != null && e.byKind().containsKey(kind)) {
      return Optional.of(e.byKind().get(kind));
    }
    if (e == null || Duration.between(e.fetchedAt(), clock.instant()).compareTo(MISS_RETRY) >= 0) {
      e = load(apiVersion);
    }
    return Optional.ofNullable(e.byKind().get(kind));
  }

  Optional<Boolean> namespaced(String apiVersion, String kind) {
    return find(apiVersion, kind).map(ResourceDefinitionContext::isNamespaceScoped);
  }

  /** Forgets a group/version (after its CRD changed). */
  void invalidate(String apiVersion) {
    groupVersions.remove(apiVersion);
  }

  private Entry load(String apiVersion) {
    Map<String, ResourceDefinitionContext> byKind = new ConcurrentHashMap<>();
    try {
      APIResourceList list = client.getApiResources(apiVersion);
      if (list != null && list.getResources() != null) {
        for (APIResource r : list.getResources()) {
          if (r.getName().contains("/")) {
            continue; // subresources
          }
          byKind.putIfAbsent(r.getKind(), ResourceDefinitionContext.fromApiResource(apiVersion, r));
        }
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
    Entry entry = new Entry(byKind, clock.instant());
    groupVersions.put(apiVersion, entry);
    return entry;
  }
}
