package dev.bunting.canary.router;

import com.fasterxml.jackson.core.JsonProcessingException;
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
 * The SMI providers {@code smi:v1alpha1}, {@code smi:v1alpha2}, {@code smi:v1alpha3}: one TrafficSplit
 * ({@code split.smi-spec.io/<version>}) named like the apex Service, as Flagger 1.44's {@code smi.go},
 * {@code smi_v1alpha2.go} and {@code smi_v1alpha3.go} write it:
 *
 * <ul>
 *   <li>{@code spec.service}: the first of {@code service.hosts}, else the apex Service;</li>
 *   <li>{@code spec.backends}: {@code <svc>-canary} with the canary weight, then {@code <svc>-primary} with the
 *       primary's; {@code v1alpha1} weights are Kubernetes quantities, written as strings ({@code "10"}),
 *       {@code v1alpha2}/{@code v1alpha3} weights are integers;</li>
 *   <li>metadata: no labels; an owner reference to the Canary; for the mesh {@code istio} (provider
 *       {@code smi:<version>:istio}) with {@code service.gateways}, the annotation
 *       {@code VirtualService.v1alpha3.networking.istio.io/spec.gateways} holding those gateways as a JSON list.</li>
 * </ul>
 *
 * <p>Like Flagger, the mesh may follow the version ({@code smi:v1alpha1:linkerd}); this comes from the controller's
 * {@code --mesh-provider}, since the Canary CRD only admits the bare names. A TrafficSplit has no status, so weights
 * that add up to 100 count as accepted. Canary and blue/green releases only ({@link WeightOnlyChecks}).
 */
public final class SmiRouter implements TrafficRouter {
  public static final String GROUP = "split.smi-spec.io";
  public static final String KIND = "TrafficSplit";
  static final String ISTIO_GATEWAYS_ANNOTATION = "VirtualService.v1alpha3.networking.istio.io/spec.gateways";
  private static final String PREFIX = "smi:";

  private final String version;
  private final String mesh;
  /** The provider name, when it is not {@code smi:<version>[:<mesh>]} ({@code osm}). */
  private final String name;
  private final ResourceDefinitionContext trafficSplits;

  private SmiRouter(String version, String mesh) {
    this(version, mesh, null);
  }

  private SmiRouter(String version, String mesh, String name) {
    this.name = name;
    this.version = version;
    this.mesh = mesh;
    this.trafficSplits = new ResourceDefinitionContext.Builder()
        .withGroup(GROUP)
        .withVersion(version)
        .withKind(KIND)
        .withPlural("trafficsplits")
        .withNamespaced(true)
        .build();
  }

  public static SmiRouter v1alpha1() {
    return new SmiRouter("v1alpha1", "");
  }

  public static SmiRouter v1alpha2() {
    return new SmiRouter("v1alpha2", "");
  }

  public static SmiRouter v1alpha3() {
    return new SmiRouter("v1alpha3", "");
  }

  /** {@code osm}: Open Service Mesh, which Flagger routes with a v1alpha2 TrafficSplit for the mesh {@code osm}. */
  public static SmiRouter osm() {
    return new SmiRouter("v1alpha2", "osm", "osm");
  }

  /**
   * The router of a provider name with a mesh suffix, e.g. {@code smi:v1alpha3:istio}; empty for any other name
   * (including the bare {@code smi:v1alpha3}).
   */
  public static Optional<SmiRouter> withMesh(String provider) {
    if (provider == null || !provider.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String[] parts = provider.split(":", 3);
    if (parts.length != 3 || parts[2].isEmpty() || !List.of("v1alpha1", "v1alpha2", "v1alpha3").contains(parts[1])) {
      return Optional.empty();
    }
    return Optional.of(new SmiRouter(parts[1], parts[2]));
  }

  @Override
  public String provider() {
    return name != null ? name : PREFIX + version + (mesh.isEmpty() ? "" : ":" + mesh);
  }

  /** The exact name, and for the bare version any mesh suffix ({@code smi:v1alpha1:linkerd}), as Flagger accepts. */
  @Override
  public boolean handles(String provider) {
    String bare = PREFIX + version;
    return provider().equals(provider)
        || name == null && mesh.isEmpty() && provider != null && provider.startsWith(bare + ":") && provider.length() > bare.length() + 1;
  }

  @Override
  public List<String> validate(Canary canary) {
    return WeightOnlyChecks.validate(canary, provider());
  }

  @Override
  public List<ResourceDefinitionContext> kinds() {
    return List.of(trafficSplits);
  }

  @Override
  public List<RoutedObject> objects(Canary canary) {
    return List.of(new RoutedObject(trafficSplits, canary.getMetadata().getNamespace(), canary.getSpec().serviceName()));
  }

  @Override
  public List<HasMetadata> desiredObjects(Canary canary, Weights weights, CachedObjects cached) {
    ServiceSpecChecks.requireValid(this, canary);
    CanaryService service = canary.getSpec().service;
    String apex = canary.getSpec().serviceName();
    Map<String, Object> spec = JsonMap.object()
        .put("service", service.hosts != null && !service.hosts.isEmpty() ? service.hosts.get(0) : apex)
        .put("backends", List.of(
            backend(DefaultServiceBuilder.canaryName(canary), weights.canary()),
            backend(DefaultServiceBuilder.primaryName(canary), weights.primary())))
        .build();
    GenericKubernetesResource split = new GenericKubernetesResourceBuilder()
        .withApiVersion(GROUP + "/" + version)
        .withKind(KIND)
        .withMetadata(new ObjectMetaBuilder()
            .withName(apex)
            .withNamespace(canary.getMetadata().getNamespace())
            .withAnnotations(annotations(service))
            .withOwnerReferences(CanaryOwnership.reference(canary))
            .build())
        .withAdditionalProperties(Map.of("spec", spec))
        .build();
    return List.of(split);
  }

  private Map<String, Object> backend(String service, int weight) {
    return JsonMap.object().put("service", service).put("weight", "v1alpha1".equals(version) ? String.valueOf(weight)
        : weight).build();
  }

  /** Flagger's {@code makeAnnotations}: Istio's gateways, for the istio mesh only; none otherwise. */
  private Map<String, String> annotations(CanaryService service) {
    Map<String, String> annotations = new LinkedHashMap<>();
    if ("istio".equals(mesh) && service.gateways != null && !service.gateways.isEmpty()) {
      try {
        annotations.put(ISTIO_GATEWAYS_ANNOTATION, Serialization.jsonMapper().writeValueAsString(service.gateways));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    return annotations.isEmpty() ? null : annotations;
  }

  @Override
  public RouterState state(Canary canary, CachedObjects cached) {
    Optional<GenericKubernetesResource> existing = cached.get(objects(canary).get(0));
    if (existing.isEmpty()) {
      return RouterState.absent();
    }
    String label = KIND + " " + existing.get().getMetadata().getName() + "." + existing.get().getMetadata().getNamespace();
    String primary = DefaultServiceBuilder.primaryName(canary);
    String canaryService = DefaultServiceBuilder.canaryName(canary);
    JsonNode backends = Serialization.jsonMapper().valueToTree(existing.get()).path("spec").path("backends");
    Integer primaryWeight = null;
    Integer canaryWeight = null;
    for (JsonNode backend : backends) {
      String name = backend.path("service").asText();
      if (name.equals(primary)) {
        primaryWeight = SplitWeights.whole(backend.get("weight"));
      } else if (name.equals(canaryService)) {
        canaryWeight = SplitWeights.whole(backend.get("weight"));
      }
    }
    return SplitWeights.state(label, primary, primaryWeight, canaryService, canaryWeight);
  }

  @Override
  public boolean supportsWeights() {
    return true;
  }
}
