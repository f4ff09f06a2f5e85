package dev.bunting.canary.router;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A routing object Bunting generates for a Canary (name, namespace, labels, annotations, an owner reference to the
 * Canary, and a spec), and the metadata it copies from the user's object it is cloned from (an Ingress, an
 * ApisixRoute).
 */
final class OwnedObject {
  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  private OwnedObject() {}

  /** {@code apiVersion}/{@code kind} {@code name} in the Canary's namespace, controlled by the Canary. */
  static GenericKubernetesResource of(String apiVersion, String kind, Canary canary, String name,
      Map<String, String> labels, Map<String, String> annotations, Object spec) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(apiVersion)
        .withKind(kind)
        .withMetadata(new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(canary.getMetadata().getNamespace())
            .withLabels(labels == null || labels.isEmpty() ? null : labels)
            .withAnnotations(annotations == null || annotations.isEmpty() ? null : annotations)
            .withOwnerReferences(CanaryOwnership.reference(canary))
            .build())
        .withAdditionalProperties(Map.of("spec", spec))
        .build();
  }

  /** The labels of a user's object, sorted by key. */
  static Map<String, String> copiedLabels(JsonNode source) {
    return strings(source.path("metadata").path("labels"));
  }

  /**
   * The annotations of a user's object, sorted by key, without {@code kubectl.kubernetes.io/last-applied-configuration}
   * (it describes the user's object, not the copy) and the keys {@code dropped} matches, plus the two Flux opt-out
   * annotations ({@link GeneratedMetadata}).
   */
  static Map<String, String> copiedAnnotations(JsonNode source, Predicate<String> dropped) {
    Map<String, String> annotations = strings(source.path("metadata").path("annotations"));
    annotations.keySet().removeIf(k -> k.equals(LAST_APPLIED) || dropped.test(k));
    annotations.put(GeneratedMetadata.KUSTOMIZE_RECONCILE, GeneratedMetadata.DISABLED);
    annotations.put(GeneratedMetadata.HELM_DRIFT_DETECTION, GeneratedMetadata.DISABLED);
    return annotations;
  }

  /** A string map of a JSON object (absent ⇒ empty), sorted by key. */
  static Map<String, String> strings(JsonNode object) {
    Map<String, String> out = new TreeMap<>();
    object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  /** A cached object as a JSON tree the router may change (a deep copy). */
  static com.fasterxml.jackson.databind.node.ObjectNode tree(GenericKubernetesResource cached) {
    return Serialization.jsonMapper().valueToTree(cached);
  }

  /** A JSON value as the plain maps and lists a {@link GenericKubernetesResource} holds. */
  static Object plain(JsonNode value) {
    return Serialization.jsonMapper().convertValue(value, Object.class);
  }
}
