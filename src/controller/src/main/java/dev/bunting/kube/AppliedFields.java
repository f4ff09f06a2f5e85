package dev.bunting.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Iterator;
import java.util.Map;

/**
 * What one field manager last applied to an object, read from its {@code metadata.managedFields} ({@code fieldsV1}).
 * Server-side apply removes a field only when its manager stops applying it; {@link #hasFieldsBeyond} tells whether
 * the manager owns a field that a desired object no longer has, so that an apply is needed even though the live
 * object already contains everything desired (e.g. an annotation the nginx router wrote during A/B testing and drops
 * at weight 0).
 */
public final class AppliedFields {
  private AppliedFields() {}

  /**
   * Whether {@code manager}'s apply entry in {@code live} owns an object field (a map key, at any depth outside lists)
   * that {@code desired} does not have. Lists are not looked into: {@link Subset} already compares them whole.
   */
  public static boolean hasFieldsBeyond(HasMetadata live, String manager, Object desired) {
    if (live == null || live.getMetadata() == null || live.getMetadata().getManagedFields() == null) {
      return false;
    }
    JsonNode want = Serialization.jsonMapper().valueToTree(desired);
    for (ManagedFieldsEntry entry : live.getMetadata().getManagedFields()) {
      if (!manager.equals(entry.getManager()) || !"Apply".equals(entry.getOperation())
          || (entry.getSubresource() != null && !entry.getSubresource().isEmpty()) || entry.getFieldsV1() == null) {
        continue;
      }
      JsonNode owned = Serialization.jsonMapper().valueToTree(entry.getFieldsV1().getAdditionalProperties());
      if (ownsMore(owned, want)) {
        return true;
      }
    }
    return false;
  }

  private static boolean ownsMore(JsonNode owned, JsonNode desired) {
    if (!owned.isObject() || !desired.isObject()) {
      return false;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = owned.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getKey().startsWith("f:")) {
        continue;
      }
      JsonNode value = desired.get(e.getKey().substring(2));
      if (value == null || value.isNull()) {
        return true;
      }
      if (value.isObject() && ownsMore(e.getValue(), value)) {
        return true;
      }
    }
    return false;
  }
}
