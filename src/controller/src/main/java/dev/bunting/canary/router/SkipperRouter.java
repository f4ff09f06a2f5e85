package dev.bunting.canary.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@code skipper} provider (Skipper ingress), as Flagger 1.44's {@code skipper.go}: the user's Ingress
 * ({@code spec.ingressRef}) stays as it is and keeps routing to the apex Service; its clone {@code <ingress>-canary}
 * sends each of its paths to the apex Service to {@code <svc>-primary} and adds the same path to {@code <svc>-canary},
 * with the split in {@code zalando.org/backend-weights}. {@code zalando.org/skipper-predicate} starts with
 * {@code Weight(100)}, so the clone's routes win over the user's, or with {@code False()} at canary weight 0, so they
 * are off and the user's Ingress serves. Canary and blue/green releases; no A/B testing (Flagger has none for Skipper).
 */
public final class SkipperRouter implements UserIngressRouter {
  public static final String PROVIDER = "skipper";
  static final String BACKEND_WEIGHTS = "zalando.org/backend-weights";
  static final String PREDICATE = "zalando.org/skipper-predicate";
  static final String ROUTE_WEIGHT = "Weight(100)";
  static final String ROUTE_DISABLED = "False()";

  @Override
  public String provider() {
    return PROVIDER;
  }

  @Override
  public List<String> validate(Canary canary) {
    List<String> errors = new ArrayList<>(ServiceSpecChecks.validate(canary));
    if (canary.getSpec() == null) {
      return errors;
    }
    errors.addAll(UserIngress.validate(canary, PROVIDER));
    errors.addAll(RouterFeatures.unsupported(canary, PROVIDER, false));
    return errors;
  }

  @Override
  public List<HasMetadata> desiredObjects(Canary canary, Weights weights, CachedObjects cached) {
    RouterFeatures.requireUsable(this, canary, cached);
    ObjectNode ingress = UserIngress.read(canary, cached).orElseThrow();
    String apex = canary.getSpec().serviceName();
    String primary = DefaultServiceBuilder.primaryName(canary);
    String canaryService = DefaultServiceBuilder.canaryName(canary);
    for (JsonNode rule : ingress.path("spec").path("rules")) {
      if (!(rule.path("http").path("paths") instanceof ArrayNode paths)) {
        continue;
      }
      List<ObjectNode> added = new ArrayList<>();
      for (ObjectNode path : UserIngress.apexPaths(wrapRule(rule), apex)) {
        UserIngress.setBackend(path, primary);
        ObjectNode toCanary = path.deepCopy();
        UserIngress.setBackend(toCanary, canaryService);
        added.add(toCanary);
      }
      added.forEach(paths::add);
    }
    Map<String, String> annotations = OwnedObject.copiedAnnotations(ingress, k -> false);
    Map<String, Integer> split = new TreeMap<>(Map.of(primary, weights.primary(), canaryService, weights.canary()));
    annotations.put(BACKEND_WEIGHTS, Serialization.asJson(split));
    annotations.put(PREDICATE, predicate(annotations.get(PREDICATE),
        weights.canary() == 0 ? ROUTE_DISABLED : ROUTE_WEIGHT));
    return List.of(OwnedObject.of(UserIngress.API_VERSION, "Ingress", canary, UserIngress.cloneName(canary),
        OwnedObject.copiedLabels(ingress), annotations, OwnedObject.plain(ingress.path("spec"))));
  }

  /** One rule as an Ingress of its own, for {@link UserIngress#apexPaths}. */
  private static JsonNode wrapRule(JsonNode rule) {
    ObjectNode ingress = Serialization.jsonMapper().createObjectNode();
    ingress.putObject("spec").putArray("rules").add(rule);
    return ingress;
  }

  /** Flagger's {@code insertPredicate}: {@code first}, then the user's predicates without Weight(100) and False(). */
  static String predicate(String userPredicates, String first) {
    List<String> predicates = new ArrayList<>(List.of(first));
    if (userPredicates != null) {
      for (String p : userPredicates.split("&&")) {
        String predicate = p.trim();
        if (!predicate.isEmpty() && !predicate.equals(ROUTE_WEIGHT) && !predicate.equals(ROUTE_DISABLED)) {
          predicates.add(predicate);
        }
      }
    }
    return String.join(" && ", predicates);
  }

  /** The weights of {@code <svc>-primary} and {@code <svc>-canary} in the clone's backend-weights annotation. */
  @Override
  public RouterState state(Canary canary, CachedObjects cached) {
    if (!UserIngress.referenced(canary)) {
      return RouterState.absent();
    }
    Optional<GenericKubernetesResource> clone = cached.get(UserIngress.objects(canary).get(1));
    if (clone.isEmpty()) {
      return RouterState.absent();
    }
    String label = "Ingress " + canary.getMetadata().getNamespace() + "/" + UserIngress.cloneName(canary);
    String json = OwnedObject.tree(clone.get()).path("metadata").path("annotations").path(BACKEND_WEIGHTS).asText(null);
    if (json == null) {
      return new RouterState(Optional.empty(), false, label + " has no " + BACKEND_WEIGHTS + " annotation");
    }
    JsonNode split;
    try {
      split = Serialization.jsonMapper().readTree(json);
    } catch (Exception e) {
      return new RouterState(Optional.empty(), false, label + " has a " + BACKEND_WEIGHTS + " annotation that is not"
          + " a JSON object: " + json);
    }
    String primary = DefaultServiceBuilder.primaryName(canary);
    String canaryService = DefaultServiceBuilder.canaryName(canary);
    return RouterFeatures.readWeights(label, primary, weight(split, primary), canaryService, weight(split, canaryService));
  }

  private static Integer weight(JsonNode split, String service) {
    JsonNode w = split.path(service);
    return w.isNumber() ? Integer.valueOf(w.asInt()) : null;
  }

  @Override
  public boolean supportsWeights() {
    return true;
  }
}
