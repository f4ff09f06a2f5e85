package dev.bunting.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Every informer cache of the controller process, for both engines, scoped to one namespace ({@code --namespace}) or
 * to the whole cluster. Three ways to watch a kind, all giving a {@link ResourceCache}:
 *
 * <ul>
 *   <li>{@link #watch}: a kind the engines always read (Canary, GitSync, ...), started together by
 *       {@link #start}, which waits for every first list, so no engine acts on a half-filled cache;
 *       {@link #watchByName} the same for a kind only ever read by name (workloads, Services), held as JSON and
 *       not resynced (the kinds that read them are);
 *   <li>{@link #watchOnDemand}: a kind read only in some namespaces (Secrets and ConfigMaps: only where canaries
 *       are), watched namespace by namespace as the engine asks ({@link ResourceCache#watchNamespaces}), held as
 *       JSON and not resynced;
 *   <li>{@link #watchLabelled}: a kind discovered at run time and filtered on a label (the objects GitSyncs apply),
 *       started when first asked for; starting one never waits for, nor blocks, another.
 * </ul>
 */
public final class Informers {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final KubernetesClient client;
  private final BlockingPool pool;
  private final String namespace;
  private final long resyncMs;
  /** The caches {@link #start} starts and {@link #synced} judges. */
  private final List<ResourceCache<?>> caches = new CopyOnWriteArrayList<>();
  /** Caches started on demand (namespaces, labelled kinds): stopped with the others, not part of readiness. */
  private final List<ResourceCache<?>> onDemand = new CopyOnWriteArrayList<>();
  private final Map<String, Future<ResourceCache<GenericKubernetesResource>>> labelled = new ConcurrentHashMap<>();
  /** What {@link #served} learned of the API server, asked once per group version (discovery at start). */
  private final Map<String, Set<String>> discovered = new ConcurrentHashMap<>();
  private Set<String> groupVersions;

  /**
   * @param namespace null watches every namespace
   * @param pool where informers are started (a small pool of the process, not an engine's)
   */
  public Informers(KubernetesClient client, BlockingPool pool, String namespace, Duration resync) {
    this.client = client;
    this.pool = pool;
    this.namespace = namespace;
    this.resyncMs = resync.toMillis();
  }

  /** The one namespace watched ({@code --namespace}), or null for all. */
  public String namespace() {
    return namespace;
  }

  public <T extends HasMetadata, L extends KubernetesResourceList<T>> ResourceCache<T> watch(Class<T> type,
      Map<String, Function<T, List<String>>> indexers) {
    ResourceCache<T> cache = new ResourceCache<>(type.getSimpleName(), informer(type, namespace, resyncMs), indexers);
    caches.add(cache);
    return cache;
  }

  /**
   * As {@link #watch}, for a kind read only by name ({@link ResourceCache#get}, never listed): each object is held as
   * its JSON ({@link JsonItemStore}), a fraction of its parsed size, and parsed on each read. Without the periodic
   * resync: these kinds are read by the reconciles of other kinds (Canaries), whose own resync reads them again; a
   * resync here would parse every cached object at once and hold them all until its notifications were handed out
   * (hundreds of MiB of a 5,000-canary controller's heap every resync period).
   */
  public <T extends HasMetadata> ResourceCache<T> watchByName(Class<T> type) {
    ResourceCache<T> cache = new ResourceCache<>(type.getSimpleName(), informer(type, namespace, 0), Map.of(),
        jsonStore(type));
    caches.add(cache);
    return cache;
  }

  private <T extends HasMetadata> Supplier<ItemStore<T>> jsonStore(Class<T> type) {
    return () -> new JsonItemStore<>(type, client.getKubernetesSerialization());
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

  /**
   * A cache of {@code type} that holds only the namespaces asked for with {@link ResourceCache#watchNamespaces}, read
   * by name (held as JSON, as {@link #watchByName}). With {@code --namespace}, that one namespace is watched from the
   * start, like any other kind.
   */
  public <T extends HasMetadata> ResourceCache<T> watchOnDemand(Class<T> type) {
    if (namespace != null) {
      return watchByName(type);
    }
    ResourceCache<T> cache = ResourceCache.perNamespace(type.getSimpleName(), ns -> informer(type, ns, 0), pool,
        jsonStore(type));
    onDemand.add(cache);
    return cache;
  }

  @SuppressWarnings("unchecked")
  private <T extends HasMetadata, L extends KubernetesResourceList<T>> SharedIndexInformer<T> informer(Class<T> type,
      String ns, long resync) {
    MixedOperation<T, L, Resource<T>> op = (MixedOperation<T, L, Resource<T>>) (MixedOperation<T, ?, ?>) client
        .resources(type);
    return ns == null ? op.inAnyNamespace().runnableInformer(resync) : op.inNamespace(ns).runnableInformer(resync);
  }

  /**
   * The cache of the objects of {@code rdc} that carry {@code label}, started the first time it is asked for (in the
   * controller's namespace for a namespaced kind with {@code --namespace}, else cluster-wide); completes once its first
   * list is loaded. Callers asking for the same kind meanwhile share that start; a start that failed (no RBAC to
   * list the kind, a timeout) is tried again by the next caller. The {@code listener} given when the watch starts
   * gets every change of the kind (callers of one kind pass the same listener).
   */
  public Future<ResourceCache<GenericKubernetesResource>> watchLabelled(ResourceDefinitionContext rdc, String label,
      Consumer<GenericKubernetesResource> listener) {
    String id = id(rdc) + "?" + label;
    Future<ResourceCache<GenericKubernetesResource>> known = labelled.get(id);
    if (known != null && !known.failed()) {
      return known;
    }
    var op = client.genericKubernetesResources(rdc);
    SharedIndexInformer<GenericKubernetesResource> informer = (namespace != null && rdc.isNamespaceScoped()
        ? op.inNamespace(namespace).withLabel(label) : op.inAnyNamespace().withLabel(label)).runnableInformer(0);
    ResourceCache<GenericKubernetesResource> cache = new ResourceCache<>(rdc.getKind(), informer, Map.of());
    cache.onChange(listener);
    Promise<ResourceCache<GenericKubernetesResource>> promise = Promise.promise();
    Future<ResourceCache<GenericKubernetesResource>> mine = promise.future();
    Future<ResourceCache<GenericKubernetesResource>> winner = known == null ? labelled.putIfAbsent(id, mine)
        : labelled.replace(id, known, mine) ? null : labelled.get(id);
    if (winner != null) {
      return winner; // someone else started it meanwhile
    }
    onDemand.add(cache);
    pool.run(cache::start).compose(Future::fromCompletionStage)
        .timeout(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
        .onSuccess(v -> promise.complete(cache))
        .onFailure(e -> {
          cache.stop();
          onDemand.remove(cache);
          promise.fail(new IllegalStateException("cannot watch " + id(rdc) + ": " + e.getMessage(), e));
        });
    return mine;
  }

  /** The cache {@link #watchLabelled} started for {@code rdc}, if it is loaded. */
  public Optional<ResourceCache<GenericKubernetesResource>> labelled(ResourceDefinitionContext rdc, String label) {
    Future<ResourceCache<GenericKubernetesResource>> f = labelled.get(id(rdc) + "?" + label);
    return f != null && f.succeeded() ? Optional.of(f.result()) : Optional.empty();
  }

  private static String id(ResourceDefinitionContext rdc) {
    return rdc.getGroup() + "/" + rdc.getVersion() + "/" + rdc.getPlural();
  }

  /**
   * Whether the API server serves {@code plural} in {@code group/version} (e.g. a CRD is installed). Blocking. Asked at
   * start: what discovery said is kept for the life of the process (a kind installed later is watched after a restart).
   */
  public boolean served(ResourceDefinitionContext rdc) {
    String groupVersion = rdc.getGroup() == null || rdc.getGroup().isEmpty() ? rdc.getVersion()
        : rdc.getGroup() + "/" + rdc.getVersion();
    return discovered.computeIfAbsent(groupVersion, this::resourcesOf).contains(rdc.getPlural());
  }

  /**
   * The resources (plural names) the API server serves in {@code groupVersion}; empty when it serves none or cannot
   * be asked. A group version that the list of API groups (one request, {@code /apis}, made once) does not name costs
   * no request of its own: at start most providers' kinds are not installed, and each asked one by one was a round trip.
   */
  private Set<String> resourcesOf(String groupVersion) {
    try {
      if (groupVersion.contains("/") && !servedGroupVersions().contains(groupVersion)) {
        return Set.of();
      }
      var list = client.getApiResources(groupVersion);
      return list == null ? Set.of()
          : list.getResources().stream().map(r -> r.getName()).collect(Collectors.toUnmodifiableSet());
    } catch (RuntimeException e) {
      return Set.of();
    }
  }

  private synchronized Set<String> servedGroupVersions() {
    if (groupVersions == null) {
      var groups = client.getApiGroups();
      groupVersions = groups == null || groups.getGroups() == null ? Set.of() : groups.getGroups().stream()
          .flatMap(g -> g.getVersions().stream().map(v -> v.getGroupVersion()))
          .collect(Collectors.toUnmodifiableSet());
    }
    return groupVersions;
  }

  /** Starts every {@link #watch} cache created so far; completes when all have loaded their first list. */
  public Future<Void> start() {
    // an informer's start() only sends its first list (the watch follows): all are started at once from one worker
    // thread (never the event loop), so the first lists run side by side, and that thread waits for all of them
    List<ResourceCache<?>> all = List.copyOf(caches);
    return pool.run(() -> {
      CompletableFuture.allOf(all.stream().map(c -> c.start().toCompletableFuture()).toArray(CompletableFuture[]::new))
          .get();
      return null;
    });
  }

  /** Whether every cache has loaded its first list (readiness). */
  public boolean synced() {
    return caches.stream().allMatch(ResourceCache::synced);
  }

  public void stop() {
    caches.forEach(ResourceCache::stop);
    onDemand.forEach(ResourceCache::stop);
  }
}
