package dev.bunting.canary.router;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryService;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code traefik} provider: one TraefikService ({@code traefik.io/v1alpha1}, the API Traefik v3 serves and Flagger
 * 1.44 writes) named like the apex Service, as Flagger's {@code traefik.go} builds it: a weighted round robin over
 * {@code <svc>-primary} and {@code <svc>-canary} ({@code {name, namespace, port: service.port, weight}}), the canary
 * left out while its weight is 0. The user's IngressRoute points at this TraefikService.
 *
 * <p>One deliberate difference: when the primary's weight is 0 (all traffic on the canary before a blue/green
 * promotion), Bunting writes {@code weight: 0}; Flagger omits the field (Go's {@code omitempty}), which Traefik reads as
 * its default weight 1, so the primary keeps a share. Metadata: {@code service.apex} labels and annotations, the Flux
 * opt-out annotations, an owner reference to the Canary. A TraefikService has no status: weights that add up to 100
 * count as accepted. Canary and blue/green releases only ({@link WeightOnlyChecks}).
 */
public final class TraefikRouter implements TrafficRouter {
  public static final String PROVIDER = "traefik";
  public static final String GROUP = "traefik.io";
  public static final String VERSION = "v1alpha1";
  public static final String KIND = "TraefikService";
  private static final ResourceDefinitionContext TRAEFIK_SERVICES = new ResourceDefinitionContext.Builder()
      .withGroup(GROUP)
      .withVersion(VERSION)
      .withKind(KIND)
      .withPlural("traefikservices")
      .withNamespaced(true)
      .build();

  @Override
  public String provider() {
    return PROVIDER;
  }

  @Override
  public List<String> validate(Canary canary) {
    return WeightOnlyChecks.validate(canary, PROVIDER);
  }

  @Override
  public List<ResourceDefinitionContext> kinds() {
    return List.of(TRAEFIK_SERVICES);
  }

  @Override
  public List<RoutedObject> objects(Canary canary) {
    return List.of(new RoutedObject(TRAEFIK_SERVICES, canary.getMetadata().getNamespace(),
        canary.getSpec().serviceName()));
  }

  @Override
  public List<HasMetadata> desiredObjects(Canary canary, Weights weights, CachedObjects cached) {
    ServiceSpecChecks.requireValid(this, canary);
    CanaryService service = canary.getSpec().service;
    String namespace = canary.getMetadata().getNamespace();
    List<Map<String, Object>> services = new ArrayList<>();
    services.add(weighted(DefaultServiceBuilder.primaryName(canary), namespace, service.port, weights.primary()));
    if (weights.canary() > 0) {
      services.add(weighted(DefaultServiceBuilder.canaryName(canary), namespace, service.port, weights.canary()));
    }
    Map<String, Object> spec = JsonMap.object()
        .put("weighted", JsonMap.object().put("services", services))
        .build();
    GenericKubernetesResource traefikService = new GenericKubernetesResourceBuilder()
        .withApiVersion(GROUP + "/" + VERSION)
        .withKind(KIND)
        .withMetadata(new ObjectMetaBuilder()
            .withName(canary.getSpec().serviceName())
            .withNamespace(namespace)
            .withLabels(GeneratedMetadata.labels(service.apex, Map.of(), List.of()))
            .withAnnotations(GeneratedMetadata.annotations(service.apex))
            .withOwnerReferences(CanaryOwnership.reference(canary))
            .build())
        .withAdditionalProperties(Map.of("spec", spec))
        .build();
    return List.of(traefikService);
  }

  private static Map<String, Object> weighted(String name, String namespace, int port, int weight) {
    return JsonMap.object().put("name", name).put("namespace", namespace).put("port", port).put("weight", weight)
        .build();
  }

  /**
   * The primary's weight and the rest for the canary, as Flagger reads them (a missing weight counts as 0, as Flagger
   * writes a primary at 0); the canary entry, when present, must carry that rest.
   */
  @Override
  public RouterState state(Canary canary, CachedObjects cached) {
    Optional<GenericKubernetesResource> existing = cached.get(objects(canary).get(0));
    if (existing.isEmpty()) {
      return RouterState.absent();
    }
    String label = KIND + " " + existing.get().getMetadata().getName() + "." + existing.get().getMetadata().getNamespace();
    String primary = DefaultServiceBuilder.primaryName(canary);
    String canaryService = DefaultServiceBuilder.canaryName(canary);
    Integer primaryWeight = null;
    int canaryWeight = 0;
    JsonNode services = Serialization.jsonMapper().valueToTree(existing.get()).path("spec").path("weighted")
        .path("services");
    for (JsonNode s : services) {
      String name = s.path("name").asText();
      if (name.equals(primary)) {
        primaryWeight = SplitWeights.whole(s.get("weight"));
      } else if (name.equals(canaryService)) {
        canaryWeight = SplitWeights.whole(s.get("weight"));
      }
    }
    if (primaryWeight == null) {
      return new RouterState(Optional.empty(), false, label + " has no weighted service " + primary);
    }
    return SplitWeights.state(label, primary, primaryWeight, canaryService, canaryWeight);
  }

  @Override
  public boolean supportsWeights() {
    return true;
  }
}
