package dev.bunting.kube;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
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
  private static final JsonFactory TOKENS = new JsonFactory();
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

  /**
   * Stores {@code obj}; returns what the informer needs of the object it replaces, not that object whole: the
   * informer compares its resource version with the new one's (a relist notifies only changed objects) and reads its
   * namespace (the namespace index). The change handlers ({@link ResourceCache}) look at the new object only. So the
   * object returned carries only the replaced object's name, namespace and resource version: reading that one field
   * off its JSON is a fraction of parsing it whole, which every update of a watched Deployment or Service did.
   */
  @Override
  public T put(String key, T obj) {
    String replaced = items.put(key, json.asJson(obj));
    return replaced == null ? null : replacedBy(obj, replaced);
  }

  private T replacedBy(T now, String replacedJson) {
    T shell;
    try {
      shell = type.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      return parse(replacedJson);
    }
    ObjectMeta meta = new ObjectMeta();
    meta.setName(now.getMetadata().getName());
    meta.setNamespace(now.getMetadata().getNamespace());
    meta.setResourceVersion(resourceVersion(replacedJson));
    shell.setMetadata(meta);
    return shell;
  }

  /** {@code metadata.resourceVersion} of an object's JSON, read without building the object; null when absent. */
  static String resourceVersion(String objectJson) {
    try (JsonParser p = TOKENS.createParser(objectJson)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        boolean metadata = "metadata".equals(p.currentName());
        if (p.nextToken() == JsonToken.START_OBJECT && metadata) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            boolean version = "resourceVersion".equals(p.currentName());
            p.nextToken();
            if (version) {
              return p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : null;
            }
            p.skipChildren();
          }
          return null;
        }
        p.skipChildren();
      }
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e); // the store's own serialization of an object: cannot be malformed
    }
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

  /** The resourceVersion of the object stored under {@code key}, read off its JSON; null when there is none. */
  String resourceVersionOf(String key) {
    String text = items.get(key);
    return text == null ? null : resourceVersion(text);
  }

  private T parse(String text) {
    return text == null ? null : json.unmarshal(text, type);
  }
}
