package dev.bunting.canary.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bunting.api.Canary;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The user's Ingress named by {@code spec.ingressRef} ({@code networking.k8s.io/v1}), which the nginx and skipper
 * routers read and clone into {@code <ingress>-canary} without ever writing it.
 */
final class UserIngress {
  static final String API_VERSION = "networking.k8s.io/v1";
  static final ResourceDefinitionContext INGRESSES = new ResourceDefinitionContext.Builder()
      .withGroup("networking.k8s.io").withVersion("v1").withKind("Ingress").withPlural("ingresses")
      .withNamespaced(true).build();

  private UserIngress() {}

  static boolean referenced(Canary canary) {
    return canary.getSpec() != null && canary.getSpec().ingressRef != null && canary.getSpec().ingressRef.name != null
        && !canary.getSpec().ingressRef.name.isEmpty();
  }

  static List<String> validate(Canary canary, String provider) {
    return referenced(canary) ? List.of() : List.of("spec.ingressRef.name is required for provider " + provider);
  }

  /** The user's Ingress and its clone {@code <ingress>-canary}; none while {@code spec.ingressRef} is missing. */
  static List<RoutedObject> objects(Canary canary) {
    if (!referenced(canary)) {
      return List.of();
    }
    return List.of(source(canary), new RoutedObject(INGRESSES, canary.getMetadata().getNamespace(), cloneName(canary)));
  }

  static RoutedObject source(Canary canary) {
    return new RoutedObject(INGRESSES, canary.getMetadata().getNamespace(), canary.getSpec().ingressRef.name);
  }

  static String cloneName(Canary canary) {
    return canary.getSpec().ingressRef.name + "-canary";
  }

  static Optional<ObjectNode> read(Canary canary, CachedObjects cached) {
    return cached.get(source(canary)).map(OwnedObject::tree);
  }

  /** The Ingress is missing, or none of its paths has the apex Service as backend. */
  static List<String> problems(Canary canary, CachedObjects cached) {
    String label = "Ingress " + canary.getMetadata().getNamespace() + "/" + canary.getSpec().ingressRef.name;
    Optional<ObjectNode> ingress = read(canary, cached);
    if (ingress.isEmpty()) {
      return List.of("spec.ingressRef: " + label + " not found");
    }
    String apex = canary.getSpec().serviceName();
    if (apexPaths(ingress.get(), apex).isEmpty()) {
      return List.of("spec.ingressRef: " + label + " has no path with backend service " + apex
          + " (the apex Service) to route to the canary");
    }
    return List.of();
  }

  /** The HTTP paths of every rule whose backend is the Service {@code service}, in order. */
  static List<ObjectNode> apexPaths(JsonNode ingress, String service) {
    List<ObjectNode> out = new ArrayList<>();
    for (JsonNode rule : ingress.path("spec").path("rules")) {
      for (JsonNode path : rule.path("http").path("paths")) {
        if (service.equals(path.path("backend").path("service").path("name").asText(null))) {
          out.add((ObjectNode) path);
        }
      }
    }
    return out;
  }

  /** Sets the backend service of {@code path}. */
  static void setBackend(ObjectNode path, String service) {
    ((ObjectNode) path.path("backend").path("service")).put("name", service);
  }
}
