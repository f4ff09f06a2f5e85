package dev.bunting.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A read-only view of one kind, kept current by a fabric8 informer (watch). Every read the engines make comes from
 * a cache like this one, so an idle controller sends no requests. Listeners get the changed object and must only
 * enqueue work (they run on the informer's thread).
 */
public final class ResourceCache<T extends HasMetadata> {
  private final String kind;
  private final SharedIndexInformer<T> informer;
  private final List<Consumer<T>> listeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<T>> deleteListeners = new CopyOnWriteArrayList<>();

  public ResourceCache(String kind, SharedIndexInformer<T> informer, Map<String, Function<T, List<String>>> indexers) {
    this.kind = kind;
    this.informer = informer;
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
    String key = namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
    return Optional.ofNullable(informer.getStore().getByKey(key));
  }

  /** Every cached object, or those of one namespace. */
  public List<T> list(String namespace) {
    if (namespace == null) {
      return informer.getStore().list();
    }
    return informer.getIndexer().byIndex("namespace", namespace);
  }

  public List<T> byIndex(String index, String key) {
    return informer.getIndexer().byIndex(index, key);
  }

  /** Starts the watch; completes when the first list has been loaded. Blocking: call it from the worker pool. */
  public CompletionStage<Void> start() {
    return informer.start();
  }

  public boolean synced() {
    return informer.hasSynced();
  }

  public void stop() {
    informer.stop();
  }

  private void notifyListeners(T obj) {
    for (Consumer<T> l : listeners) {
      l.accept(obj);
    }
  }

  /** {@code namespace/name}, the queue key of an object. */
  public static String key(HasMetadata obj) {
    String ns = obj.getMetadata().getNamespace();
    return ns == null || ns.isEmpty() ? obj.getMetadata().getName() : ns + "/" + obj.getMetadata().getName();
  }
}
