package dev.bunting.canary.router;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryAnalysis;
import dev.bunting.api.HttpMatchRequest;
import dev.bunting.api.HttpMatchRequest.StringMatch;
import dev.bunting.api.UpstreamReference;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@code gloo} provider (Gloo Edge), as Flagger 1.44's {@code gloo.go}: a RouteTable ({@code gateway.solo.io/v1})
 * named like the apex Service, for the user's VirtualService to delegate to, with one route whose
 * {@code routeAction.multi.destinations} split traffic between two Upstreams ({@code gloo.solo.io/v1})
 * {@code <ns>-<svc>-primaryupstream-<port>} and {@code <ns>-<svc>-canaryupstream-<port>}, each a {@code kube} Upstream
 * of the {@code <svc>-primary} / {@code <svc>-canary} Service (name, namespace, port, selector). The Upstreams copy
 * {@code labels}, {@code sslConfig}, {@code circuitBreakers}, {@code connectionConfig}, {@code loadBalancerConfig},
 * {@code useHttp2}, the window sizes and {@code httpProxyHostName} from the user's {@code spec.upstreamRef} Upstream.
 *
 * <p>A/B testing ({@code analysis.match}): one matcher per entry (headers exact or regex, method) on the weighted
 * route, and a second route without matchers that sends the rest to the primary. A weight of 0 is left out, as
 * Flagger's Go types leave it out. The Upstreams are written once both Services are in the engine's cache, together
 * with the RouteTable and before it, so the RouteTable never points at an Upstream that does not exist.
 */
public final class GlooRouter implements TrafficRouter {
  public static final String PROVIDER = "gloo";
  static final String ROUTE_TABLE_API = "gateway.solo.io/v1";
  static final String UPSTREAM_API = "gloo.solo.io/v1";
  static final ResourceDefinitionContext ROUTE_TABLES = new ResourceDefinitionContext.Builder()
      .withGroup("gateway.solo.io").withVersion("v1").withKind("RouteTable").withPlural("routetables")
      .withNamespaced(true).build();
  static final ResourceDefinitionContext UPSTREAMS = new ResourceDefinitionContext.Builder()
      .withGroup("gloo.solo.io").withVersion("v1").withKind("Upstream").withPlural("upstreams")
      .withNamespaced(true).build();
  /** The fields of {@code upstreamRef}'s spec that the generated Upstreams copy (Flagger's list). */
  static final List<String> COPIED_UPSTREAM_FIELDS = List.of("labels", "sslConfig", "circuitBreakers",
      "connectionConfig", "loadBalancerConfig", "useHttp2", "initialStreamWindowSize", "initialConnectionWindowSize",
      "httpProxyHostName");

  /** Flagger's provider match: {@code gloo} and anything after it (e.g. {@code gloo:v1}). */
  @Override
  public boolean handles(String provider) {
    return provider.startsWith(PROVIDER);
  }

  @Override
  public String provider() {
    return PROVIDER;
  }

  @Override
  public List<String> validate(Canary canary) {
    List<String> errors = new ArrayList<>(ServiceSpecChecks.validate(canary));
    if (canary.getSpec() == null || canary.getSpec().service == null) {
      return errors;
    }
    errors.addAll(RouterFeatures.unsupported(canary, PROVIDER, true));
    errors.addAll(abTestingErrors(canary.getSpec().effectiveAnalysis()));
    UpstreamReference ref = canary.getSpec().upstreamRef;
    if (ref != null && (ref.name == null || ref.name.isEmpty())) {
      errors.add("spec.upstreamRef.name is required when spec.upstreamRef is set");
    }
    return errors;
  }

  @Override
  public List<String> problems(Canary canary, CachedObjects cached) {
    return upstreamRef(canary).filter(ref -> cached.get(ref).isEmpty())
        .map(ref -> List.of("spec.upstreamRef: Upstream " + ref.namespace() + "/" + ref.name() + " not found"))
        .orElse(List.of());
  }

  @Override
  public List<ResourceDefinitionContext> kinds() {
    return List.of(ROUTE_TABLES, UPSTREAMS);
  }

  /** The RouteTable, the two Upstreams, and the {@code upstreamRef} Upstream when there is one. */
  @Override
  public List<RoutedObject> objects(Canary canary) {
    String ns = canary.getMetadata().getNamespace();
    List<RoutedObject> objects = new ArrayList<>(List.of(
        new RoutedObject(ROUTE_TABLES, ns, canary.getSpec().serviceName()),
        new RoutedObject(UPSTREAMS, ns, upstreamName(canary, "primary")),
        new RoutedObject(UPSTREAMS, ns, upstreamName(canary, "canary"))));
    upstreamRef(canary).ifPresent(objects::add);
    return objects;
  }

  static String upstreamName(Canary canary, String role) {
    return canary.getMetadata().getNamespace() + "-" + canary.getSpec().serviceName() + "-" + role + "upstream-"
        + canary.getSpec().service.port;
  }

  private static Optional<RoutedObject> upstreamRef(Canary canary) {
    UpstreamReference ref = canary.getSpec() == null ? null : canary.getSpec().upstreamRef;
    if (ref == null || ref.name == null || ref.name.isEmpty()) {
      return Optional.empty();
    }
    String ns = ref.namespace == null || ref.namespace.isEmpty() ? canary.getMetadata().getNamespace() : ref.namespace;
    return Optional.of(new RoutedObject(UPSTREAMS, ns, ref.name));
  }

  @Override
  public List<HasMetadata> desiredObjects(Canary canary, Weights weights, CachedObjects cached) {
    RouterFeatures.requireUsable(this, canary, cached);
    String ns = canary.getMetadata().getNamespace();
    Optional<GenericKubernetesResource> primaryService =
        cached.get(CachedObjects.SERVICES, ns, DefaultServiceBuilder.primaryName(canary));
    Optional<GenericKubernetesResource> canaryService =
        cached.get(CachedObjects.SERVICES, ns, DefaultServiceBuilder.canaryName(canary));
    if (primaryService.isEmpty() || canaryService.isEmpty()) {
      return List.of();
    }
    JsonNode config = upstreamRef(canary).flatMap(cached::get).map(OwnedObject::tree).map(u -> u.path("spec"))
        .orElse(null);
    return List.of(
        upstream(canary, upstreamName(canary, "primary"), primaryService.get(), config),
        upstream(canary, upstreamName(canary, "canary"), canaryService.get(), config),
        routeTable(canary, weights));
  }

  private static GenericKubernetesResource upstream(Canary canary, String name, GenericKubernetesResource service,
      JsonNode config) {
    Map<String, Object> spec = new TreeMap<>();
    if (config != null) {
      for (String field : COPIED_UPSTREAM_FIELDS) {
        JsonNode value = config.get(field);
        if (value != null && !value.isNull()) {
          spec.put(field, OwnedObject.plain(value));
        }
      }
    }
    Map<String, String> selector = OwnedObject.strings(OwnedObject.tree(service).path("spec").path("selector"));
    spec.put("kube", JsonMap.object()
        .put("serviceName", service.getMetadata().getName())
        .put("serviceNamespace", canary.getMetadata().getNamespace())
        .put("servicePort", canary.getSpec().service.port)
        .put("selector", selector.isEmpty() ? null : selector)
        .build());
    return OwnedObject.of(UPSTREAM_API, "Upstream", canary, name, Map.of(), Map.of(), spec);
  }

  private static GenericKubernetesResource routeTable(Canary canary, Weights weights) {
    List<HttpMatchRequest> match = canary.getSpec().effectiveAnalysis().match;
    List<Map<String, Object>> routes = new ArrayList<>();
    routes.add(route(canary, matchers(match), weights));
    if (match != null && !match.isEmpty()) {
      routes.add(route(canary, List.of(), Weights.ALL_PRIMARY));
    }
    var apex = canary.getSpec().service.apex;
    return OwnedObject.of(ROUTE_TABLE_API, "RouteTable", canary, canary.getSpec().serviceName(),
        GeneratedMetadata.labels(apex, Map.of(), List.of()), GeneratedMetadata.annotations(apex),
        Map.of("routes", routes));
  }

  private static Map<String, Object> route(Canary canary, List<Map<String, Object>> matchers, Weights weights) {
    String ns = canary.getMetadata().getNamespace();
    return JsonMap.object()
        .put("matchers", matchers)
        .put("inheritablePathMatchers", true)
        .put("routeAction", Map.of("multi", Map.of("destinations", List.of(
            destination(upstreamName(canary, "primary"), ns, weights.primary()),
            destination(upstreamName(canary, "canary"), ns, weights.canary())))))
        .build();
  }

  private static Map<String, Object> destination(String upstream, String namespace, int weight) {
    return JsonMap.object()
        .put("destination", Map.of("upstream", Map.of("name", upstream, "namespace", namespace)))
        .put("weight", weight == 0 ? null : weight)
        .build();
  }

  /** One matcher per A/B entry: its headers (exact value, or regex) and its method. */
  private static List<Map<String, Object>> matchers(List<HttpMatchRequest> match) {
    List<Map<String, Object>> matchers = new ArrayList<>();
    if (match == null) {
      return matchers;
    }
    for (HttpMatchRequest m : match) {
      List<Map<String, Object>> headers = new ArrayList<>();
      if (m.headers != null) {
        new TreeMap<>(m.headers).forEach((name, value) -> headers.add(value.regex != null && !value.regex.isEmpty()
            ? JsonMap.object().put("name", name).put("value", value.regex).put("regex", true).build()
            : JsonMap.object().put("name", name).put("value", value.exact).build()));
      }
      matchers.add(JsonMap.object()
          .put("headers", headers)
          .put("methods", m.method == null ? null : List.of(m.method.exact))
          .build());
    }
    return matchers;
  }

  /** Route 0's destination weights (a missing weight is 0). */
  @Override
  public RouterState state(Canary canary, CachedObjects cached) {
    List<RoutedObject> objects = objects(canary);
    Optional<GenericKubernetesResource> table = cached.get(objects.get(0));
    if (table.isEmpty()) {
      return RouterState.absent();
    }
    String ns = canary.getMetadata().getNamespace();
    for (RoutedObject upstream : objects.subList(1, 3)) {
      if (cached.get(upstream).isEmpty()) {
        return new RouterState(Optional.empty(), false, "Upstream " + ns + "/" + upstream.name() + " not created yet");
      }
    }
    String label = "RouteTable " + ns + "/" + canary.getSpec().serviceName();
    JsonNode destinations = OwnedObject.tree(table.get()).path("spec").path("routes").path(0).path("routeAction")
        .path("multi").path("destinations");
    String primary = upstreamName(canary, "primary");
    String canaryUpstream = upstreamName(canary, "canary");
    return RouterFeatures.readWeights(label, primary, weightOf(destinations, primary), canaryUpstream,
        weightOf(destinations, canaryUpstream));
  }

  private static Integer weightOf(JsonNode destinations, String upstream) {
    for (JsonNode d : destinations) {
      if (upstream.equals(d.path("destination").path("upstream").path("name").asText())) {
        return d.path("weight").asInt(0);
      }
    }
    return null;
  }

  @Override
  public boolean supportsWeights() {
    return true;
  }

  /** Gloo matchers take headers (exact or regex) and methods (exact). */
  private static List<String> abTestingErrors(CanaryAnalysis analysis) {
    List<String> errors = new ArrayList<>();
    if (analysis.match == null) {
      return errors;
    }
    for (int i = 0; i < analysis.match.size(); i++) {
      String field = "spec.analysis.match[" + i + "]";
      HttpMatchRequest m = analysis.match.get(i);
      RouterFeatures.otherMatchFields(m).stream().filter(f -> !f.equals("method")).forEach(f -> errors.add(field + "." + f
          + ": Gloo A/B testing routes on headers and the method only"));
      boolean hasHeaders = m.headers != null && !m.headers.isEmpty();
      if (!hasHeaders && m.method == null) {
        errors.add(field + " has neither headers nor a method: Gloo A/B testing routes on those");
      }
      if (m.method != null && (m.method.exact == null || m.method.exact.isEmpty())) {
        errors.add(field + ".method: Gloo matches methods exactly");
      }
      if (hasHeaders) {
        for (Map.Entry<String, StringMatch> h : m.headers.entrySet()) {
          StringMatch v = h.getValue() == null ? new StringMatch() : h.getValue();
          boolean exact = v.exact != null && !v.exact.isEmpty();
          boolean regex = v.regex != null && !v.regex.isEmpty();
          if (exact == regex || v.prefix != null || v.suffix != null) {
            errors.add(field + ".headers." + h.getKey() + ": Gloo matches a header by one exact value or one regex");
          }
        }
      }
    }
    return errors;
  }
}
