package dev.bunting.canary.workload;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** {@link WorkloadObjects} over a fixed set of objects, for workload tests: what the informer caches would hold. */
final class CachedWorkloadObjects implements WorkloadObjects {
  private final List<HasMetadata> objects;
  private final Set<String> installed;

  private CachedWorkloadObjects(List<HasMetadata> objects, Set<String> installed) {
    this.objects = new ArrayList<>(objects);
    this.installed = installed;
  }

  /** The objects, with every other project's kind installed. */
  static CachedWorkloadObjects of(HasMetadata... objects) {
    return new CachedWorkloadObjects(List.of(objects), null);
  }

  /** The objects, with only the named plurals ({@code services.serving.knative.dev}) installed. */
  static CachedWorkloadObjects installing(Set<String> plurals, HasMetadata... objects) {
    return new CachedWorkloadObjects(List.of(objects), plurals);
  }

  @Override
  public <T extends HasMetadata> Optional<T> get(Class<T> type, String namespace, String name) {
    return objects.stream().filter(type::isInstance).map(type::cast)
        .filter(o -> name.equals(o.getMetadata().getName()) && Objects.equals(namespace, o.getMetadata().getNamespace()))
        .findFirst().map(Serialization::clone);
  }

  @Override
  public Optional<GenericKubernetesResource> get(ResourceDefinitionContext kind, String namespace, String name) {
    return list(kind, namespace).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst();
  }

  @Override
  public List<GenericKubernetesResource> list(ResourceDefinitionContext kind, String namespace) {
    if (!installed(kind)) {
      return List.of();
    }
    String apiVersion = kind.getGroup() + "/" + kind.getVersion();
    return objects.stream().filter(o -> o instanceof GenericKubernetesResource).map(o -> (GenericKubernetesResource) o)
        .filter(o -> kind.getKind().equals(o.getKind()) && apiVersion.equals(o.getApiVersion())
            && Objects.equals(namespace, o.getMetadata().getNamespace()))
        .toList();
  }

  @Override
  public boolean installed(ResourceDefinitionContext kind) {
    return installed == null || installed.contains(kind.getPlural() + "." + kind.getGroup());
  }
}
