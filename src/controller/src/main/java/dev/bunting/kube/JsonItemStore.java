package dev.bunting.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The store of a cache that is read one object at a time ({@link ResourceCache#get}): workloads, Services, ConfigMaps
 * and Secrets. Each object is held as its JSON text and parsed again on every read, so every read returns a new object
 * of its own. A parsed Deployment or Service takes four to five times the memory of its JSON (an object, a map of
 * additional properties and a string per field), and these kinds are most of what a controller caches: every
 * Deployment and Service of the cluster (or of its namespace), not only those of canaries. Parsing a cached workload
 * again costs some tens of microseconds, a few times a reconcile.
 *
 * <p>Not for kinds that are listed whole often ({@link ResourceCache#list} parses every object): Canaries, routing
 * objects, autoscalers (GitSync lists a namespace's for every workload it applies) and GitSyncs stay parsed, in a
 * {@link CompactItemStore}.
 */
final class JsonItemStore<T extends HasMetadata> implements ItemStore<T> {
  private final Class<T> type;
  private final KubernetesSerialization json;
  /** key → the object's JSON (a Latin-1 string takes a byte a character). */
  private final Map<String, String> items = new ConcurrentHashMap<>();

  JsonItemStore(Class<T> type, KubernetesSerialization json) {
    this.type = type;
    this.json = json;
  }

  @Override
  public String getKey(T obj) {
    return Cache.metaNamespaceKeyFunc(obj);
  }

  @Override
  public T put(String key, T obj) {
    return parse(items.put(key, json.asJson(obj)));
  }

  @Override
  public T remove(String key) {
    return parse(items.remove(key));
  }

  @Override
  public Stream<String> keySet() {
    return items.keySet().stream();
  }

  @Override
  public Stream<T> values() {
    return items.values().stream().map(this::parse);
  }

  @Override
  public int size() {
    return items.size();
  }

  @Override
  public T get(String key) {
    return parse(items.get(key));
  }

  private T parse(String text) {
    return text == null ? null : json.unmarshal(text, type);
  }
}
