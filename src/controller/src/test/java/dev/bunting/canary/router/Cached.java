package dev.bunting.canary.router;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** {@link CachedObjects} over a fixed set of objects, for router tests: what the informer caches would hold. */
final class Cached {
  private Cached() {}

  static CachedObjects of(GenericKubernetesResource... objects) {
    return of(List.of(objects));
  }

  static CachedObjects from(Optional<GenericKubernetesResource> object) {
    return of(object.stream().toList());
  }

  static CachedObjects of(List<GenericKubernetesResource> objects) {
    return (kind, namespace, name) -> objects.stream()
        .filter(o -> Objects.equals(o.getKind(), kind.getKind())
            && Objects.equals(o.getApiVersion(), apiVersion(kind.getGroup(), kind.getVersion()))
            && Objects.equals(o.getMetadata().getName(), name)
            && (!kind.isNamespaceScoped() || Objects.equals(o.getMetadata().getNamespace(), namespace)))
        .findFirst();
  }

  private static String apiVersion(String group, String version) {
    return group == null || group.isEmpty() ? version : group + "/" + version;
  }
}
