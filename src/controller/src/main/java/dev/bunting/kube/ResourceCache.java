package dev.bunting.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read-only view of one kind, kept current by fabric8 informers (watches). Every read the engines make comes from a
 * cache like this one, so an idle controller sends no requests. Listeners get the changed object and must only
 * enqueue work (they run on the informer's thread).
 *
 * <p>Usually one informer covers the whole cache (every namespace, or the controller's one namespace). A cache made by
 * {@link Informers#watchOnDemand} instead watches only the namespaces it is asked for ({@link #watchNamespaces}),
 * one informer each, so that kinds nobody reads cluster-wide (Secrets, ConfigMaps) are not held in memory for every
 * namespace of the cluster.
 */
public final class ResourceCache<T extends HasMetadata> {
  private static final Logger LOG = LoggerFactory.getLogger(ResourceCache.class);
  private static final String ALL = "";

  private final String kind;
  private final Map<String, Function<T, List<String>>> indexers;
  /** Creates the informer of one namespace; null for a cache with one informer for all it covers. */
  private final Function<String, SharedIndexInformer<T>> perNamespace;
  private final BlockingPool pool;
  /** Makes the store of each informer: parsed objects, or their JSON for caches read by name only. */
  private final Supplier<ItemStore<T>> store;
  private final Map<String, Shard<T>> shards = new ConcurrentHashMap<>();
  private final List<Consumer<T>> listeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<T>> deleteListeners = new CopyOnWriteArrayList<>();

  /** One informer; {@code startedAt} (System.nanoTime) throttles retries of a start that failed. */
  private record Shard<T extends HasMetadata>(SharedIndexInformer<T> informer, ItemStore<T> items, Future<Void> started,
      long startedAt) {}

  /** A namespace whose watch could not start is tried again after this long (and the failure logged each time). */
  private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** A cache over one informer (not started: see {@link #start}). */
  public ResourceCache(String kind, SharedIndexInformer<T> informer, Map<String, Function<T, List<String>>> indexers) {
    this(kind, informer, indexers, CompactItemStore::new);
  }

  ResourceCache(String kind, SharedIndexInformer<T> informer, Map<String, Function<T, List<String>>> indexers,
      Supplier<ItemStore<T>> store) {
    this.kind = kind;
    this.indexers = indexers;
    this.perNamespace = null;
    this.pool = null;
    this.store = store;
    shards.put(ALL, new Shard<>(informer, prepare(informer), null, 0));
  }

  private ResourceCache(String kind, Function<String, SharedIndexInformer<T>> perNamespace, BlockingPool pool,
      Supplier<ItemStore<T>> store) {
    this.kind = kind;
    this.indexers = Map.of();
    this.perNamespace = perNamespace;
    this.pool = pool;
    this.store = store;
  }

  /** A cache that watches the namespaces {@link #watchNamespaces} asks for, each with its own informer. */
  static <T extends HasMetadata> ResourceCache<T> perNamespace(String kind,
      Function<String, SharedIndexInformer<T>> informerFor, BlockingPool pool, Supplier<ItemStore<T>> store) {
    return new ResourceCache<>(kind, informerFor, pool, store);
  }

  /** Sets up {@code informer} (its store, indexes and handlers); returns the store. */
  private ItemStore<T> prepare(SharedIndexInformer<T> informer) {
    ItemStore<T> items = store.get();
    informer.itemStore(items);
    if (!indexers.isEmpty()) {
      informer.addIndexers(indexers);
    }
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        notifyListeners(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        notifyListeners(newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        notifyListeners(obj);
        deleteListeners.forEach(l -> l.accept(obj));
      }
    });
    return items;
  }

  public String kind() {
    return kind;
  }

  /** Calls {@code listener} with every added, changed or deleted object. Keep it short: enqueue keys only. */
  public void onChange(Consumer<T> listener) {
    listeners.add(listener);
  }

  /** Calls {@code listener} with the last known state of every deleted object (after the change listeners). */
  public void onDelete(Consumer<T> listener) {
    deleteListeners.add(listener);
  }

  public Optional<T> get(String namespace, String name) {
    Shard<T> shard = shardOf(namespace);
    return shard == null ? Optional.empty() : Optional.ofNullable(shard.informer().getStore().getByKey(key(namespace,
        name)));
  }

  /**
   * The resourceVersion of a cached object, empty when the cache does not have it. Cheaper than {@link #get} for a
   * cache held as JSON ({@link JsonItemStore}): that one field is read off the text, the object is not built.
   */
  public Optional<String> resourceVersion(String namespace, String name) {
    Shard<T> shard = shardOf(namespace);
    if (shard == null) {
      return Optional.empty();
    }
    String key = key(namespace, name);
    if (shard.items() instanceof JsonItemStore<T> json) {
      return Optional.ofNullable(json.resourceVersionOf(key));
    }
    return Optional.ofNullable(shard.informer().getStore().getByKey(key)).map(o -> o.getMetadata().getResourceVersion());
  }

  private static String key(String namespace, String name) {
    return namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
  }

  private Shard<T> shardOf(String namespace) {
    return shards.get(perNamespace == null ? ALL : namespace == null ? ALL : namespace);
  }

  /** Every cached object, or those of one namespace. */
  public List<T> list(String namespace) {
    if (perNamespace != null) {
      if (namespace != null) {
        Shard<T> shard = shards.get(namespace);
        return shard == null ? List.of() : shard.informer().getStore().list();
      }
      List<T> all = new ArrayList<>();
      shards.values().forEach(s -> all.addAll(s.informer().getStore().list()));
      return all;
    }
    SharedIndexInformer<T> informer = shards.get(ALL).informer();
    return namespace == null ? informer.getStore().list() : informer.getIndexer().byIndex("namespace", namespace);
  }

  public List<T> byIndex(String index, String key) {
    List<T> out = new ArrayList<>();
    shards.values().forEach(s -> out.addAll(s.informer().getIndexer().byIndex(index, key)));
    return out;
  }

  /**
   * Starts the watch of a cache over one informer; completes when the first list has been loaded. Call it from a
   * worker pool. A cache that watches namespaces on demand has nothing to start.
   */
  public CompletionStage<Void> start() {
    Shard<T> shard = shards.get(ALL);
    return perNamespace != null || shard == null ? CompletableFuture.completedFuture(null)
        : shard.informer().start();
  }

  /** Whether every informer of the cache has loaded its first list. */
  public boolean synced() {
    return shards.values().stream().allMatch(s -> s.informer().hasSynced());
  }

  /**
   * Makes sure {@code namespaces} are watched: starts (on the worker pool) a watch for each that has none yet. True
   * when all of them are loaded, so what the caller reads from them is complete; false while one is still loading (ask
   * again shortly). A cache over one informer covers all it can see already: true once it is loaded.
   */
  public boolean watchNamespaces(Collection<String> namespaces) {
    if (perNamespace == null) {
      return synced();
    }
    boolean loaded = true;
    for (String ns : namespaces) {
      Shard<T> shard = shards.computeIfAbsent(ns, this::startShard);
      if (shard.started().failed() && System.nanoTime() - shard.startedAt() > RETRY_NANOS
          && shards.remove(ns, shard)) {
        shard.informer().stop(); // e.g. forbidden: tried again
        shards.computeIfAbsent(ns, this::startShard);
      }
      loaded &= shard.informer().hasSynced();
    }
    return loaded;
  }

  private Shard<T> startShard(String ns) {
    SharedIndexInformer<T> informer = perNamespace.apply(ns);
    ItemStore<T> items = prepare(informer);
    Future<Void> started = pool.run(informer::start).compose(Future::fromCompletionStage);
    started.onFailure(e -> LOG.warn("cannot watch {} in namespace {} (retried in {}s): {}", kind, ns,
        TimeUnit.NANOSECONDS.toSeconds(RETRY_NANOS), e.getMessage()));
    return new Shard<>(informer, items, started, System.nanoTime());
  }

  /** Stops watching the namespaces not in {@code keep} (a cache that watches namespaces on demand). */
  public void retainNamespaces(Set<String> keep) {
    if (perNamespace == null) {
      return;
    }
    for (String ns : List.copyOf(shards.keySet())) {
      if (!keep.contains(ns)) {
        Shard<T> shard = shards.remove(ns);
        if (shard != null) {
          shard.informer().stop();
        }
      }
    }
  }

  /** The namespaces watched on demand now (empty for a cache over one informer). */
  public Set<String> watchedNamespaces() {
    return perNamespace == null ? Set.of() : Set.copyOf(shards.keySet());
  }

  public void stop() {
    shards.values().forEach(s -> s.informer().stop());
  }

  private void notifyListeners(T obj) {
    for (Consumer<T> l : listeners) {
      l.accept(obj);
    }
  }

  /** {@code namespace/name}, the queue key of an object. */
  public static String key(HasMetadata obj) {
    return key(obj.getMetadata().getNamespace(), obj.getMetadata().getName());
  }
}
