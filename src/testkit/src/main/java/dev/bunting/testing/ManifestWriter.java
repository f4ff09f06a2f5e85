package dev.bunting.testing;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FieldValidateable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes generic objects the way the tests need: server-side apply with field manager {@value #FIELD_MANAGER} (taking
 * over conflicting fields), or a plain create. Both reject unknown fields ({@code fieldValidation=Strict}), so a typo
 * in a manifest fails instead of being pruned.
 */
final class ManifestWriter {
  static final String FIELD_MANAGER = "bunting-tests";

  private final KubernetesClient client;
  private final Map<String, Boolean> namespacedByKind = new ConcurrentHashMap<>();

  ManifestWriter(KubernetesClient client) {
    this.client = client;
  }

  /**
   * Applies the objects in order. Namespaced objects go into {@code namespace} (any namespace they name is replaced);
   * cluster-scoped objects stay cluster-scoped. Returns the objects as the API server stored them.
   */
  List<HasMetadata> apply(List<GenericKubernetesResource> objects, String namespace) {
    List<HasMetadata> applied = new ArrayList<>();
    for (GenericKubernetesResource object : objects) {
      placeIn(object, namespace);
      applied.add(client.resource(object)
          .fieldValidation(FieldValidateable.Validation.STRICT)
          .fieldManager(FIELD_MANAGER)
          .forceConflicts()
          .serverSideApply());
    }
    return applied;
  }

  /** Creates the objects in order (POST), with the same namespace rule as {@link #apply}. */
  List<HasMetadata> create(List<GenericKubernetesResource> objects, String namespace) {
    List<HasMetadata> created = new ArrayList<>();
    for (GenericKubernetesResource object : objects) {
      placeIn(object, namespace);
      created.add(client.resource(object).fieldValidation(FieldValidateable.Validation.STRICT).create());
    }
    return created;
  }

  private void placeIn(GenericKubernetesResource object, String namespace) {
    object.getMetadata().setNamespace(isNamespaced(object) ? namespace : null);
  }

  boolean isNamespaced(HasMetadata object) {
    String key = object.getApiVersion() + "/" + object.getKind();
    Boolean known = namespacedByKind.get(key);
    if (known != null) {
      return known;
    }
    APIResourceList resources = client.getApiResources(object.getApiVersion());
    if (resources != null) {
      for (APIResource r : resources.getResources()) {
        if (object.getKind().equals(r.getKind()) && !r.getName().contains("/")) {
          namespacedByKind.put(key, Boolean.TRUE.equals(r.getNamespaced()));
          return Boolean.TRUE.equals(r.getNamespaced());
        }
      }
    }
    throw new IllegalStateException("the API server does not serve kind " + object.getKind() + " in "
        + object.getApiVersion() + " (is its CRD installed?)");
  }
}
