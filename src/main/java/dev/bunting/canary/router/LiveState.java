package dev.bunting.canary.router;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Iterator;
import java.util.Map;

/**
 * Whether an object in the cache already holds everything Bunting would apply, so the reconciler can skip a
 * server-side apply that would change nothing. Compares the applied fields only ({@code metadata.labels},
 * {@code metadata.annotations}, {@code metadata.ownerReferences}, and everything outside {@code metadata} and
 * {@code status}): fields the API server defaults or other managers own may be present in the live object. Lists must
 * have the same length and match element by element. A field Bunting stopped applying is not detected here (the live
 * object still includes the rest); compare with what was applied last for that.
 */
public final class LiveState {
  private LiveState() {}

  /** True when {@code live} contains every field of {@code desired} with the same value. */
  public static boolean includes(HasMetadata live, HasMetadata desired) {
    JsonNode l = Serialization.jsonMapper().valueToTree(live);
    JsonNode d = Serialization.jsonMapper().valueToTree(desired);
    for (String field : new String[] {"labels", "annotations", "ownerReferences"}) {
      if (d.path("metadata").has(field) && !contains(l.path("metadata").path(field), d.path("metadata").get(field))) {
        return false;
      }
    }
    Iterator<Map.Entry<String, JsonNode>> fields = d.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      if (!f.getKey().equals("metadata") && !f.getKey().equals("status") && !contains(l.path(f.getKey()), f.getValue())) {
        return false;
      }
    }
    return true;
  }

  private static boolean contains(JsonNode live, JsonNode desired) {
    if (desired.isObject()) {
      if (!live.isObject()) {
        return false;
      }
      Iterator<Map.Entry<String, JsonNode>> fields = desired.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        if (!contains(live.path(f.getKey()), f.getValue())) {
          return false;
        }
      }
      return true;
    }
    if (desired.isArray()) {
      if (!live.isArray() || live.size() != desired.size()) {
        return false;
      }
      for (int i = 0; i < desired.size(); i++) {
        if (!contains(live.get(i), desired.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (desired.isNumber() && live.isNumber()) {
      return desired.decimalValue().compareTo(live.decimalValue()) == 0;
    }
    return desired.equals(live);
  }
}
