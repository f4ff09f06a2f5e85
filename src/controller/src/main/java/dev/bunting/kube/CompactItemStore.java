package dev.bunting.kube;

import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The store behind the informer caches of kinds that are listed (Canaries, routing objects, ...; those read by name
 * only are held as JSON, {@link JsonItemStore}): holds each object with its {@code metadata.managedFields} trees in a
 * compact, read-only form. A field set (FieldsV1) is a tree of maps whose leaves are empty maps, one per field a manager owns;
 * parsed, each node is a LinkedHashMap with its own table and entries, and those trees were about half the memory of a
 * cached Deployment or Service. Here every leaf is the one shared empty map and every inner node an immutable map
 * over one array: the same content (equal maps, the same JSON), at about 40% of the bytes of a cached workload.
 *
 * <p>The compaction is done in place, before the object is stored, so the informer's listeners get the compact object
 * too. Code that changes a field set must copy it first (as {@link SpecOwnership#plan} does): the maps of a cached
 * object were never to be changed, and now cannot be.
 */
final class CompactItemStore<T extends HasMetadata> implements ItemStore<T> {
  private final BasicItemStore<T> items = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);

  @Override
  public String getKey(T obj) {
    return items.getKey(obj);
  }

  @Override
  public T put(String key, T obj) {
    return items.put(key, compact(obj));
  }

  @Override
  public T remove(String key) {
    return items.remove(key);
  }

  @Override
  public Stream<String> keySet() {
    return items.keySet();
  }

  @Override
  public Stream<T> values() {
    return items.values();
  }

  @Override
  public int size() {
    return items.size();
  }

  @Override
  public T get(String key) {
    return items.get(key);
  }

  /** {@code obj} with its managedFields' field sets made compact (in place); returns {@code obj}. */
  static <T extends HasMetadata> T compact(T obj) {
    if (obj == null || obj.getMetadata() == null || obj.getMetadata().getManagedFields() == null) {
      return obj;
    }
    for (ManagedFieldsEntry entry : obj.getMetadata().getManagedFields()) {
      FieldsV1 fields = entry == null ? null : entry.getFieldsV1();
      if (fields == null || fields.getAdditionalProperties().isEmpty()) {
        continue;
      }
      FieldsV1 compact = new FieldsV1();
      fields.getAdditionalProperties().forEach((k, v) -> compact.setAdditionalProperty(k, tree(v)));
      entry.setFieldsV1(compact);
    }
    return obj;
  }

  /** A field-set node as an immutable map (the shared empty map for a leaf); anything else as it is. */
  @SuppressWarnings("unchecked")
  private static Object tree(Object node) {
    if (!(node instanceof Map<?, ?> map)) {
      return node;
    }
    if (map.isEmpty()) {
      return Map.of();
    }
    Map<String, Object> copy = new LinkedHashMap<>(map.size() * 2);
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        return node; // not a field set (those have neither): kept as parsed
      }
      copy.put(e.getKey().toString(), tree(e.getValue()));
    }
    return Map.copyOf(copy);
  }
}
