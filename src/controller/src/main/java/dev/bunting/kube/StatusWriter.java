package dev.bunting.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Writes the status subresource of Bunting's own resources (Canary, GitSync), the same way for every engine: the whole
 * status in one PUT that carries the resourceVersion the status was computed from, on the engine's worker pool. A
 * stale copy fails with 409 Conflict (the work queue retries at once, on fresh caches); a resource deleted meanwhile
 * is not an error. Callers write only when {@link #changed} says so, so an idle resource costs no writes.
 */
public final class StatusWriter {
  private final KubernetesClient client;
  private final BlockingPool pool;

  public StatusWriter(KubernetesClient client, BlockingPool pool) {
    this.client = client;
    this.pool = pool;
  }

  /**
   * Writes {@code status} onto {@code latest} (the copy the status was computed from, not changed here). The written
   * resource, or null when it no longer exists.
   */
  public <S, T extends CustomResource<?, S>> Future<T> write(T latest, S status) {
    T copy = Serialization.clone(latest);
    copy.setStatus(status);
    return pool.run(() -> {
      try {
        return client.resource(copy).updateStatus();
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return null;
        }
        throw e;
      }
    });
  }

  /** Whether two statuses differ in anything but the {@code ignored} top-level fields (e.g. timestamps). */
  public static boolean changed(Object before, Object after, String... ignored) {
    return !changes(before, after, ignored).isEmpty();
  }

  /**
   * What differs between two statuses, ignoring the {@code ignored} top-level fields: top-level field names, and for a
   * list of conditions (objects with a {@code type}) the condition and field, e.g. {@code conditions[Promoted].message}.
   * Empty when nothing differs. For debug log lines that say why a status was written.
   */
  public static List<String> changes(Object before, Object after, String... ignored) {
    if (before == null || after == null) {
      return before == after ? List.of() : List.of("status");
    }
    ObjectNode a = Serialization.jsonMapper().valueToTree(before);
    ObjectNode b = Serialization.jsonMapper().valueToTree(after);
    for (String field : ignored) {
      a.remove(field);
      b.remove(field);
    }
    if (a.equals(b)) {
      return List.of(); // the common case on every reconcile: nothing to name
    }
    List<String> out = new ArrayList<>();
    Set<String> fields = new TreeSet<>();
    a.fieldNames().forEachRemaining(fields::add);
    b.fieldNames().forEachRemaining(fields::add);
    for (String field : fields) {
      JsonNode x = a.path(field);
      JsonNode y = b.path(field);
      if (x.equals(y)) {
        continue;
      }
      int found = out.size();
      if (x.isArray() && y.isArray() && typed(x) && typed(y)) {
        conditionChanges(field, x, y, out);
      }
      if (out.size() == found) {
        out.add(field); // not a list of conditions, or one that differs otherwise (order, a repeated type)
      }
    }
    return out;
  }

  private static boolean typed(JsonNode list) {
    for (JsonNode item : list) {
      if (!item.path("type").isTextual()) {
        return false;
      }
    }
    return true;
  }

  private static void conditionChanges(String field, JsonNode before, JsonNode after, List<String> out) {
    Map<String, JsonNode> x = byType(before);
    Map<String, JsonNode> y = byType(after);
    Set<String> types = new TreeSet<>(x.keySet());
    types.addAll(y.keySet());
    for (String type : types) {
      JsonNode c = x.get(type);
      JsonNode d = y.get(type);
      if (c == null || d == null) {
        out.add(field + "[" + type + "]");
        continue;
      }
      Set<String> keys = new TreeSet<>();
      c.fieldNames().forEachRemaining(keys::add);
      d.fieldNames().forEachRemaining(keys::add);
      for (String key : keys) {
        if (!c.path(key).equals(d.path(key))) {
          out.add(field + "[" + type + "]." + key);
        }
      }
    }
  }

  private static Map<String, JsonNode> byType(JsonNode list) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    list.forEach(item -> out.put(item.path("type").asText(), item));
    return out;
  }
}
