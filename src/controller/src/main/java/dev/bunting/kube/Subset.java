package dev.bunting.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Iterator;
import java.util.Map;

/**
 * Whether an object in the cluster already has every field of a desired object (values equal, numbers by value, lists
 * element by element). Used to skip writes: a server-side apply of a desired object that is a subset of the live one
 * would change nothing, so it is not sent. Fields the server adds (defaults, status, metadata) never count as drift.
 */
public final class Subset {
  private static final ObjectMapper JSON = Serialization.jsonMapper();

  private Subset() {}

  public static boolean contains(Object actual, Object desired) {
    if (actual == null) {
      return false;
    }
    JsonNode want = JSON.valueToTree(desired);
    if (want instanceof com.fasterxml.jackson.databind.node.ObjectNode obj) {
      // Items of a list response carry no apiVersion/kind; identity is the cache key anyway.
      obj.remove("apiVersion");
      obj.remove("kind");
      obj.remove("status");
    }
    return contains(JSON.valueToTree(actual), want);
  }

  public static boolean contains(JsonNode actual, JsonNode desired) {
    if (desired == null || desired.isNull()) {
      return true;
    }
    if (actual == null || actual.isNull()) {
      return desired.isObject() && desired.isEmpty() || desired.isArray() && desired.isEmpty();
    }
    if (desired.isObject()) {
      if (!actual.isObject()) {
        return false;
      }
      Iterator<Map.Entry<String, JsonNode>> it = desired.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!contains(actual.get(e.getKey()), e.getValue())) {
          return false;
        }
      }
      return true;
    }
    if (desired.isArray()) {
      if (!actual.isArray() || actual.size() != desired.size()) {
        return false;
      }
      for (int i = 0; i < desired.size(); i++) {
        if (!contains(actual.get(i), desired.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (desired.isNumber() && actual.isNumber()) {
      return desired.decimalValue().compareTo(actual.decimalValue()) == 0;
    }
    return desired.equals(actual);
  }
}
