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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code kuma} provider: one Kuma TrafficRoute ({@code kuma.io/v1alpha1}), as Flagger 1.44's {@code kuma.go} writes
 * it. Flagger writes no other Kuma policy (no MeshHTTPRoute).
 *
 * <ul>
 *   <li>cluster-scoped, named like the apex Service (so two canaries with the same service name in different
 *       namespaces would share it, as with Flagger), with no owner reference (a cluster-scoped object cannot have a
 *       namespaced owner): it is not deleted with the Canary;</li>
 *   <li>{@code mesh} (top level): the Canary's annotation {@code kuma.io/mesh}, else {@code default};</li>
 *   <li>{@code spec.sources}: every service ({@code kuma.io/service: "*"}); {@code spec.destinations}: the apex Service
 *       as Kuma names it, {@code <svc>_<namespace>_svc_<port>};</li>
 *   <li>{@code spec.conf.split}: {@code <svc>-primary_<namespace>_svc_<port>} with the primary's weight, then
 *       {@code <svc>-canary_…} with the canary's;</li>
 *   <li>metadata: {@code service.apex} labels and annotations plus the Flux opt-out annotations.</li>
 * </ul>
 *
 * A TrafficRoute has no status: weights that add up to 100 count as accepted. Canary and blue/green releases only
 * ({@link WeightOnlyChecks}).
 */
public final class KumaRouter implements TrafficRouter {
  public static final String PROVIDER = "kuma";
  public static final String GROUP = "kuma.io";
  public static final String VERSION = "v1alpha1";
  public static final String KIND = "TrafficRoute";
  /** The Canary annotation naming the Kuma mesh. */
  public static final String MESH_ANNOTATION = "kuma.io/mesh";
  static final String SERVICE_TAG = "kuma.io/service";
  private static final ResourceDefinitionContext TRAFFIC_ROUTES = new ResourceDefinitionContext.Builder()
      .withGroup(GROUP)
      .withVersion(VERSION)
      .withKind(KIND)
      .withPlural("trafficroutes")
      .withNamespaced(false)
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
    return List.of(TRAFFIC_ROUTES);
  }

  /** The cluster-scoped TrafficRoute named like the apex Service. */
  @Override
  public List<RoutedObject> objects(Canary canary) {
    return List.of(new RoutedObject(TRAFFIC_ROUTES, null, canary.getSpec().serviceName()));
  }

  @Override
  public List<HasMetadata> desiredObjects(Canary canary, Weights weights, CachedObjects cached) {
    ServiceSpecChecks.requireValid(this, canary);
    CanaryService service = canary.getSpec().service;
    Map<String, Object> spec = JsonMap.object()
        .put("sources", List.of(selector("*")))
        .put("destinations", List.of(selector(kumaService(canary, canary.getSpec().serviceName()))))
        .put("conf", JsonMap.object().put("split", List.of(
            split(kumaService(canary, DefaultServiceBuilder.primaryName(canary)), weights.primary()),
            split(kumaService(canary, DefaultServiceBuilder.canaryName(canary)), weights.canary()))))
        .build();
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("mesh", mesh(canary));
    fields.put("spec", spec);
    GenericKubernetesResource route = new GenericKubernetesResourceBuilder()
        .withApiVersion(GROUP + "/" + VERSION)
        .withKind(KIND)
        .withMetadata(new ObjectMetaBuilder()
            .withName(canary.getSpec().serviceName())
            .withLabels(GeneratedMetadata.labels(service.apex, Map.of(), List.of()))
            .withAnnotations(GeneratedMetadata.annotations(service.apex))
            .build())
        .withAdditionalProperties(fields)
        .build();
    return List.of(route);
  }

  /** The Kuma mesh: the Canary's {@code kuma.io/mesh} annotation, else {@code default}. */
  static String mesh(Canary canary) {
    Map<String, String> annotations = canary.getMetadata().getAnnotations();
    String mesh = annotations == null ? null : annotations.get(MESH_ANNOTATION);
    return mesh == null ? "default" : mesh;
  }

  /** How Kuma names a Kubernetes Service port: {@code <name>_<namespace>_svc_<port>}. */
  private static String kumaService(Canary canary, String name) {
    return name + "_" + canary.getMetadata().getNamespace() + "_svc_" + canary.getSpec().service.port;
  }

  private static Map<String, Object> selector(String service) {
    return JsonMap.object().put("match", Map.of(SERVICE_TAG, service)).build();
  }

  private static Map<String, Object> split(String service, int weight) {
    return JsonMap.object().put("weight", weight).put("destination", Map.of(SERVICE_TAG, service)).build();
  }

  /** The splits whose destination service is the primary's or the canary's (the part before the first {@code _}). */
  @Override
  public RouterState state(Canary canary, CachedObjects cached) {
    Optional<GenericKubernetesResource> existing = cached.get(objects(canary).get(0));
    if (existing.isEmpty()) {
      return RouterState.absent();
    }
    String label = KIND + " " + existing.get().getMetadata().getName();
    String primary = DefaultServiceBuilder.primaryName(canary);
    String canaryService = DefaultServiceBuilder.canaryName(canary);
    Integer primaryWeight = null;
    Integer canaryWeight = null;
    JsonNode splits = Serialization.jsonMapper().valueToTree(existing.get()).path("spec").path("conf").path("split");
    for (JsonNode split : splits) {
      String name = split.path("destination").path(SERVICE_TAG).asText().split("_", 2)[0];
      if (name.equals(primary)) {
        primaryWeight = SplitWeights.whole(split.get("weight"));
      } else if (name.equals(canaryService)) {
        canaryWeight = SplitWeights.whole(split.get("weight"));
      }
    }
    return SplitWeights.state(label, primary, primaryWeight, canaryService, canaryWeight);
  }

  @Override
  public boolean supportsWeights() {
    return true;
  }
}
