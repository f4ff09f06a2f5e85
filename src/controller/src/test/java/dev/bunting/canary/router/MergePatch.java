package dev.bunting.canary.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON merge patch (RFC 7386) for oracle tests: what a merge patch does to an object, and what a server-side apply of
 * a few fields does to the maps it touches (lists replaced), so Bunting's writes can be played onto a recorded object.
 */
final class MergePatch {
  private MergePatch() {}

  static GenericKubernetesResource merged(GenericKubernetesResource object, JsonNode patch) {
    ObjectNode node = Serialization.jsonMapper().valueToTree(object);
    merge(node, patch);
    return Serialization.jsonMapper().convertValue(node, GenericKubernetesResource.class);
  }

  static GenericKubernetesResource merged(GenericKubernetesResource object, String patch) {
    return merged(object, Serialization.jsonMapper().valueToTree(Serialization.unmarshal(patch, Map.class)));
  }

  private static void merge(ObjectNode target, JsonNode patch) {
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isNull()) {
        target.remove(e.getKey());
      } else if (e.getValue().isObject() && target.path(e.getKey()).isObject()) {
        merge((ObjectNode) target.get(e.getKey()), e.getValue());
      } else {
        target.set(e.getKey(), e.getValue().deepCopy());
      }
    }
  }
}
