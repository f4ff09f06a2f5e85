package dev.bunting.chart;

import dev.bunting.testing.Manifests;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Optional;

/** The manifests {@code helm template} rendered: the YAML text and its objects, as generic and as typed objects. */
final class Rendered {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private final String yaml;
  private final List<GenericKubernetesResource> objects;

  Rendered(String yaml) {
    this.yaml = yaml;
    this.objects = Manifests.objects(yaml);
  }

  String yaml() {
    return yaml;
  }

  List<GenericKubernetesResource> objects() {
    return objects;
  }

  List<String> kinds() {
    return objects.stream().map(GenericKubernetesResource::getKind).toList();
  }

  List<GenericKubernetesResource> ofKind(String kind) {
    return objects.stream().filter(o -> kind.equals(o.getKind())).toList();
  }

  Optional<GenericKubernetesResource> find(String kind, String name) {
    return objects.stream().filter(o -> kind.equals(o.getKind()) && name.equals(o.getMetadata().getName())).findFirst();
  }

  /** The one object of this kind, typed; fails unless there is exactly one. */
  <T extends HasMetadata> T only(String kind, Class<T> type) {
    List<GenericKubernetesResource> found = ofKind(kind);
    if (found.size() != 1) {
      throw new AssertionError("expected exactly one " + kind + ", rendered " + kinds());
    }
    return SERIALIZATION.convertValue(found.get(0), type);
  }

  <T extends HasMetadata> T typed(String kind, String name, Class<T> type) {
    return SERIALIZATION.convertValue(find(kind, name)
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " rendered; rendered " + names())), type);
  }

  /** The objects without those of the given kinds, as multi-document YAML (for kubectl). */
  String yamlWithout(String... kinds) {
    List<String> excluded = List.of(kinds);
    StringBuilder out = new StringBuilder();
    for (GenericKubernetesResource o : objects) {
      if (!excluded.contains(o.getKind())) {
        out.append("---\n").append(SERIALIZATION.asYaml(o).replaceFirst("^---\n", ""));
      }
    }
    return out.toString();
  }

  List<String> names() {
    return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList();
  }
}
