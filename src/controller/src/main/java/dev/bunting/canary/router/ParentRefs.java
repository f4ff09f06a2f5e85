package dev.bunting.canary.router;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bunting.api.CanaryService.ParentReference;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Gateway API {@code ParentReference}s: how Bunting writes them from {@code service.gatewayRefs} (with the API's
 * defaults {@code group: gateway.networking.k8s.io} and {@code kind: Gateway} spelled out), and how a
 * {@code status.parents[].parentRef} is matched with a {@code spec.parentRefs} entry (defaults applied on both sides,
 * the namespace defaulting to the route's).
 */
final class ParentRefs {
  static final String DEFAULT_GROUP = "gateway.networking.k8s.io";
  static final String DEFAULT_KIND = "Gateway";

  /** One parent with every defaultable field resolved. */
  record Parent(String group, String kind, String namespace, String name, String sectionName, Integer port) {
    /** {@code namespace/name}, as in messages. */
    String display() {
      return namespace + "/" + name;
    }
  }

  private ParentRefs() {}

  static List<Map<String, Object>> toSpec(List<ParentReference> refs) {
    return refs.stream().map(ref -> JsonMap.object()
        .put("group", ref.group == null ? DEFAULT_GROUP : ref.group)
        .put("kind", ref.kind == null || ref.kind.isEmpty() ? DEFAULT_KIND : ref.kind)
        .put("namespace", empty(ref.namespace) ? null : ref.namespace)
        .put("name", ref.name)
        .put("sectionName", empty(ref.sectionName) ? null : ref.sectionName)
        .put("port", ref.port)
        .build()).toList();
  }

  static Parent resolve(JsonNode ref, String routeNamespace) {
    return new Parent(
        text(ref, "group").orElse(DEFAULT_GROUP),
        text(ref, "kind").filter(s -> !s.isEmpty()).orElse(DEFAULT_KIND),
        text(ref, "namespace").filter(s -> !s.isEmpty()).orElse(routeNamespace),
        text(ref, "name").orElse(""),
        text(ref, "sectionName").filter(s -> !s.isEmpty()).orElse(null),
        ref.hasNonNull("port") ? ref.get("port").asInt() : null);
  }

  static boolean same(Parent a, Parent b) {
    return Objects.equals(a, b);
  }

  private static Optional<String> text(JsonNode node, String field) {
    return node.hasNonNull(field) ? Optional.of(node.get(field).asText()) : Optional.empty();
  }

  private static boolean empty(String s) {
    return s == null || s.isEmpty();
  }
}
