package dev.bunting.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Creates the informer caches of one controller process, all scoped to one namespace or to the whole cluster, and
 * starts them together. Starting waits for every first list, so the engines never act on a half-filled cache.
 */
public final class Informers {
  private final KubernetesClient client;
  private final BlockingPool pool;
  private final String namespace;
  private final long resyncMs;
  private final List<ResourceCache<?>> caches = new ArrayList<>();

  /** {@code namespace} null watches every namespace. */
  public Informers(KubernetesClient client, BlockingPool pool, String namespace, Duration resync) {
    this.client = client;
    this.pool = pool;
    this.namespace = namespace;
    this.resyncMs = resync.toMillis();
  }

  public <T extends HasMetadata, L extends KubernetesResourceList<T>> ResourceCache<T> watch(Class<T> type,
      Map<String, Function<T, List<String>>> indexers) {
    MixedOperation<T, L, Resource<T>> op = (MixedOperation<T, L, Resource<T>>) (MixedOperation<T, ?, ?>) client.resources(type);
    SharedIndexInformer<T> informer = namespace == null ? op.inAnyNamespace().runnableInformer(resyncMs)
        : op.inNamespace(namespace).runnableInformer(resyncMs);
    ResourceCache<T> cache = new ResourceCache<>(type.getSimpleName(), informer, indexers);
    caches.add(cache);
    return cache;
  }

  public ResourceCache<GenericKubernetesResource> watch(ResourceDefinitionContext rdc,
      Map<String, Function<GenericKubernetesResource, List<String>>> indexers) {
    var op = client.genericKubernetesResources(rdc);
    // cluster-scoped kinds (e.g. Kuma's TrafficRoute) are watched whole, whatever the namespace scope
    SharedIndexInformer<GenericKubernetesResource> informer = namespace == null || !rdc.isNamespaceScoped()
        ? op.inAnyNamespace().runnableInformer(resyncMs) : op.inNamespace(namespace).runnableInformer(resyncMs);
    ResourceCache<GenericKubernetesResource> cache = new ResourceCache<>(rdc.getKind(), informer, indexers);
    caches.add(cache);
    return cache;
  }

  /** Whether the API server serves {@code plural} in {@code group/version} (e.g. a CRD is installed). Blocking. */
  public boolean served(ResourceDefinitionContext rdc) {
    try {
      String groupVersion = rdc.getGroup() == null || rdc.getGroup().isEmpty() ? rdc.getVersion()
          : rdc.getGroup() + "/" + rdc.getVersion();
      var list = client.getApiResources(groupVersion);
      return list != null && list.getResources().stream().anyMatch(r -> r.getName().equals(rdc.getPlural()));
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Starts every cache created so far; completes when all have loaded their first list. */
  public Future<Void> start() {
    List<Future<Void>> started = new ArrayList<>();
    for (ResourceCache<?> c : caches) {
      started.add(pool.run(() -> c.start().toCompletableFuture().get()).mapEmpty());
    }
    return Future.all(started).mapEmpty();
  }

  public boolean synced() {
    return caches.stream().allMatch(ResourceCache::synced);
  }

  public void stop() {
    caches.forEach(ResourceCache::stop);
  }
}
