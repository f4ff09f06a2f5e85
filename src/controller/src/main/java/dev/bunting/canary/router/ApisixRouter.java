package dev.bunting.canary.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code apisix} provider (Apache APISIX ingress controller), as Flagger 1.44's {@code apisix.go}: the user's
 * ApisixRoute ({@code spec.routeRef}, {@code apisix.apache.org/v2}) is cloned into {@code <route>-<svc>-canary},
 * which keeps only the user's first {@code http} entry with a backend to the apex Service, at {@code priority: 10000},
 * with that backend turned into {@code <svc>-primary} and a second backend {@code <svc>-canary} (same
 * {@code servicePort}, {@code resolveGranularity} and {@code subset}), each with its weight. The user's ApisixRoute is
 * never written. Canary and blue/green releases; no A/B testing (Flagger has none for APISIX).
 */
public final class ApisixRouter implements TrafficRouter {
  public static final String PROVIDER = "apisix";
  static final String API_VERSION = "apisix.apache.org/v2";
  static final int PRIORITY = 10000;
  static final ResourceDefinitionContext APISIX_ROUTES = new ResourceDefinitionContext.Builder()
      .withGroup("apisix.apache.org").withVersion("v2").withKind("ApisixRoute").withPlural("apisixroutes")
      .withNamespaced(true).build();

  @Override
  public String provider() {
    return PROVIDER;
  }

  private static boolean referenced(Canary canary) {
    return canary.getSpec() != null && canary.getSpec().routeRef != null && canary.getSpec().routeRef.name != null
        && !canary.getSpec().routeRef.name.isEmpty();
  }

  @Override
  public List<String> validate(Canary canary) {
    List<String> errors = new ArrayList<>(ServiceSpecChecks.validate(canary));
    if (canary.getSpec() == null) {
      return errors;
    }
    if (!referenced(canary)) {
      errors.add("spec.routeRef.name is required for provider apisix");
    }
    errors.addAll(RouterFeatures.unsupported(canary, PROVIDER, false));
    return errors;
  }

  @Override
  public List<ResourceDefinitionContext> kinds() {
    return List.of(APISIX_ROUTES);
  }

  /** The user's ApisixRoute and its clone; none while {@code spec.routeRef} is missing. */
  @Override
  public List<RoutedObject> objects(Canary canary) {
    if (!referenced(canary)) {
      return List.of();
    }
    String ns = canary.getMetadata().getNamespace();
    return List.of(new RoutedObject(APISIX_ROUTES, ns, canary.getSpec().routeRef.name),
        new RoutedObject(APISIX_ROUTES, ns, cloneName(canary)));
  }

  static String cloneName(Canary canary) {
    return canary.getSpec().routeRef.name + "-" + canary.getSpec().serviceName() + "-canary";
  }

  @Override
  public List<String> problems(Canary canary, CachedObjects cached) {
    String label = "ApisixRoute " + canary.getMetadata().getNamespace() + "/" + canary.getSpec().routeRef.name;
    Optional<GenericKubernetesResource> route = cached.get(objects(canary).get(0));
    if (route.isEmpty()) {
      return List.of("spec.routeRef: " + label + " not found");
    }
    String apex = canary.getSpec().serviceName();
    Optional<JsonNode> http = httpEntry(OwnedObject.tree(route.get()), apex);
    if (http.isEmpty()) {
      return List.of("spec.routeRef: " + label + " has no spec.http entry with backend " + apex
          + " (the apex Service) to route to the canary");
    }
    if (http.get().path("backends").size() != 1) {
      return List.of("spec.routeRef: " + label + " http entry " + http.get().path("name").asText()
          + " has " + http.get().path("backends").size() + " backends; only an entry with exactly one (" + apex
          + ") can be split between primary and canary");
    }
    return List.of();
  }

  /** The first {@code spec.http} entry with a backend to {@code service}. */
  private static Optional<JsonNode> httpEntry(JsonNode route, String service) {
    for (JsonNode http : route.path("spec").path("http")) {
      for (JsonNode backend : http.path("backends")) {
        if (service.equals(backend.path("serviceName").asText(null))) {
          return Optional.of(http);
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public List<HasMetadata> desiredObjects(Canary canary, Weights weights, CachedObjects cached) {
    RouterFeatures.requireUsable(this, canary, cached);
    ObjectNode route = OwnedObject.tree(cached.get(objects(canary).get(0)).orElseThrow());
    ObjectNode http = (ObjectNode) httpEntry(route, canary.getSpec().serviceName()).orElseThrow().deepCopy();
    http.put("priority", PRIORITY);
    ObjectNode primary = (ObjectNode) http.path("backends").get(0);
    primary.put("serviceName", DefaultServiceBuilder.primaryName(canary));
    primary.put("weight", weights.primary());
    ObjectNode toCanary = primary.objectNode();
    toCanary.put("serviceName", DefaultServiceBuilder.canaryName(canary));
    toCanary.set("servicePort", primary.get("servicePort"));
    for (String field : List.of("resolveGranularity", "subset")) {
      if (primary.hasNonNull(field)) {
        toCanary.set(field, primary.get(field));
      }
    }
    toCanary.put("weight", weights.canary());
    ((ArrayNode) http.get("backends")).add(toCanary);
    ObjectNode spec = route.path("spec").deepCopy();
    spec.putArray("http").add(http);
    return List.of(OwnedObject.of(API_VERSION, "ApisixRoute", canary, cloneName(canary),
        OwnedObject.copiedLabels(route), OwnedObject.copiedAnnotations(route, k -> false), OwnedObject.plain(spec)));
  }

  /** The weights of the backends {@code <svc>-primary} and {@code <svc>-canary} in the clone's entry. */
  @Override
  public RouterState state(Canary canary, CachedObjects cached) {
    if (!referenced(canary)) {
      return RouterState.absent();
    }
    Optional<GenericKubernetesResource> clone = cached.get(objects(canary).get(1));
    if (clone.isEmpty()) {
      return RouterState.absent();
    }
    String label = "ApisixRoute " + canary.getMetadata().getNamespace() + "/" + cloneName(canary);
    String primary = DefaultServiceBuilder.primaryName(canary);
    String canaryService = DefaultServiceBuilder.canaryName(canary);
    Optional<JsonNode> http = httpEntry(OwnedObject.tree(clone.get()), primary);
    if (http.isEmpty()) {
      return new RouterState(Optional.empty(), false, label + " has no http entry with backend " + primary);
    }
    return RouterFeatures.readWeights(label, primary, weightOf(http.get(), primary), canaryService,
        weightOf(http.get(), canaryService));
  }

  private static Integer weightOf(JsonNode http, String service) {
    for (JsonNode backend : http.path("backends")) {
      if (service.equals(backend.path("serviceName").asText())) {
        return backend.path("weight").isNumber() ? backend.path("weight").asInt() : null;
      }
    }
    return null;
  }

  @Override
  public boolean supportsWeights() {
    return true;
  }
}
