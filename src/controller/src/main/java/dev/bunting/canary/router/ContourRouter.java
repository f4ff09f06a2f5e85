package dev.bunting.canary.router;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryAnalysis;
import dev.bunting.api.CanaryService;
import dev.bunting.api.HttpMatchRequest;
import dev.bunting.api.HttpMatchRequest.StringMatch;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code contour} provider, as Flagger 1.44's {@code contour.go}: one HTTPProxy ({@code projectcontour.io/v1})
 * named like the apex Service, without a virtual host, to be included by the user's root HTTPProxy.
 *
 * <ul>
 *   <li>route 0: condition {@code prefix} ({@code service.match[0].uri.prefix}, else {@code /}),
 *       {@code timeoutPolicy} {@code {response: service.timeout, idle: 5m}}, {@code retryPolicy} from
 *       {@code service.retries}, and the services {@code <svc>-primary} / {@code <svc>-canary} on
 *       {@code service.port} with the weights (a weight of 0 is left out, as Flagger's Go types leave it out) and a
 *       {@code l5d-dst-override} request header for Linkerd;</li>
 *   <li>A/B testing ({@code analysis.match}): route 0 carries the header condition with the weights, route 1 the plain
 *       prefix with all traffic on the primary;</li>
 *   <li>{@code spec.ingressClassName} from {@code --ingress-class}; metadata from {@code service.apex}.</li>
 * </ul>
 */
public final class ContourRouter implements TrafficRouter {
  public static final String PROVIDER = "contour";
  static final String API_VERSION = "projectcontour.io/v1";
  static final ResourceDefinitionContext HTTP_PROXIES = new ResourceDefinitionContext.Builder()
      .withGroup("projectcontour.io").withVersion("v1").withKind("HTTPProxy").withPlural("httpproxies")
      .withNamespaced(true).build();

  private final String ingressClass;

  public ContourRouter(RouterSettings settings) {
    this.ingressClass = settings.ingressClass();
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
    CanaryService.HttpRetry retries = canary.getSpec().service.retries;
    if (retries != null && retries.attempts != null && retries.attempts < 0) {
      errors.add("spec.service.retries.attempts must not be negative, got " + retries.attempts);
    }
    return errors;
  }

  @Override
  public List<ResourceDefinitionContext> kinds() {
    return List.of(HTTP_PROXIES);
  }

  @Override
  public List<RoutedObject> objects(Canary canary) {
    return List.of(new RoutedObject(HTTP_PROXIES, canary.getMetadata().getNamespace(), canary.getSpec().serviceName()));
  }

  @Override
  public List<HasMetadata> desiredObjects(Canary canary, Weights weights, CachedObjects cached) {
    RouterFeatures.requireUsable(this, canary, cached);
    CanaryService service = canary.getSpec().service;
    String prefix = prefix(service);
    List<HttpMatchRequest> match = canary.getSpec().effectiveAnalysis().match;
    List<Map<String, Object>> routes = new ArrayList<>();
    if (match != null && !match.isEmpty()) {
      routes.add(route(canary, headerConditions(match, prefix), weights));
      routes.add(route(canary, List.of(Map.of("prefix", prefix)), Weights.ALL_PRIMARY));
    } else {
      routes.add(route(canary, List.of(Map.of("prefix", prefix)), weights));
    }
    Map<String, Object> spec = JsonMap.object()
        .put("ingressClassName", ingressClass.isEmpty() ? null : ingressClass)
        .put("routes", routes)
        .build();
    return List.of(OwnedObject.of(API_VERSION, "HTTPProxy", canary, canary.getSpec().serviceName(),
        GeneratedMetadata.labels(service.apex, Map.of(), List.of()), GeneratedMetadata.annotations(service.apex), spec));
  }

  private static String prefix(CanaryService service) {
    if (service.match != null && !service.match.isEmpty() && service.match.get(0).uri != null
        && service.match.get(0).uri.prefix != null && !service.match.get(0).uri.prefix.isEmpty()) {
      return service.match.get(0).uri.prefix;
    }
    return "/";
  }

  /** Flagger's {@code makeConditions}: the header of the A/B entry, exact or (for prefix and suffix) contains. */
  private static List<Map<String, Object>> headerConditions(List<HttpMatchRequest> match, String prefix) {
    List<Map<String, Object>> conditions = new ArrayList<>();
    for (HttpMatchRequest m : match) {
      m.headers.forEach((name, value) -> {
        String contains = value.prefix != null && !value.prefix.isEmpty() ? value.prefix
            : value.suffix != null && !value.suffix.isEmpty() ? value.suffix : null;
        Map<String, Object> header = JsonMap.object().put("name", name)
            .put(contains == null ? "exact" : "contains", contains == null ? value.exact : contains).build();
        conditions.add(JsonMap.object().put("prefix", prefix).put("header", header).build());
      });
    }
    return conditions;
  }

  private Map<String, Object> route(Canary canary, List<Map<String, Object>> conditions, Weights weights) {
    CanaryService service = canary.getSpec().service;
    return JsonMap.object()
        .put("conditions", conditions)
        .put("timeoutPolicy", service.timeout == null || service.timeout.isEmpty() ? null
            : JsonMap.object().put("response", service.timeout).put("idle", "5m").build())
        .put("retryPolicy", retryPolicy(service.retries))
        .put("services", List.of(
            backend(canary, DefaultServiceBuilder.primaryName(canary), weights.primary()),
            backend(canary, DefaultServiceBuilder.canaryName(canary), weights.canary())))
        .build();
  }

  private static Map<String, Object> retryPolicy(CanaryService.HttpRetry retries) {
    if (retries == null) {
      return null;
    }
    List<String> retryOn = retries.retryOn == null || retries.retryOn.isBlank() ? null
        : Arrays.stream(retries.retryOn.split(",")).toList();
    return JsonMap.object()
        .put("count", retries.attempts == null || retries.attempts == 0 ? null : retries.attempts)
        .put("perTryTimeout", retries.perTryTimeout == null || retries.perTryTimeout.isEmpty() ? null
            : retries.perTryTimeout)
        .put("retryOn", retryOn)
        .build();
  }

  private static Map<String, Object> backend(Canary canary, String name, int weight) {
    String dstOverride = name + "." + canary.getMetadata().getNamespace() + ".svc.cluster.local:"
        + canary.getSpec().service.port;
    return JsonMap.object()
        .put("name", name)
        .put("port", canary.getSpec().service.port)
        .put("weight", weight == 0 ? null : weight)
        .put("requestHeadersPolicy", Map.of("set", List.of(Map.of("name", "l5d-dst-override", "value", dstOverride))))
        .build();
  }

  /** Route 0's weight of {@code <svc>-primary} and {@code <svc>-canary} (a missing weight is 0). */
  @Override
  public RouterState state(Canary canary, CachedObjects cached) {
    Optional<GenericKubernetesResource> proxy = cached.get(objects(canary).get(0));
    if (proxy.isEmpty()) {
      return RouterState.absent();
    }
    String label = "HTTPProxy " + canary.getMetadata().getNamespace() + "/" + canary.getSpec().serviceName();
    JsonNode services = OwnedObject.tree(proxy.get()).path("spec").path("routes").path(0).path("services");
    String primary = DefaultServiceBuilder.primaryName(canary);
    String canaryService = DefaultServiceBuilder.canaryName(canary);
    return RouterFeatures.readWeights(label, primary, weightOf(services, primary), canaryService,
        weightOf(services, canaryService));
  }

  private static Integer weightOf(JsonNode services, String name) {
    for (JsonNode s : services) {
      if (name.equals(s.path("name").asText())) {
        return s.path("weight").asInt(0);
      }
    }
    return null;
  }

  @Override
  public boolean supportsWeights() {
    return true;
  }

  /**
   * Contour A/B testing routes on one header: Flagger writes a prefix condition next to each header, and Contour
   * refuses a route with more than one prefix condition. Regex matches have no Contour condition (Flagger writes an
   * empty exact match).
   */
  private static List<String> abTestingErrors(CanaryAnalysis analysis) {
    List<String> errors = new ArrayList<>();
    if (analysis.match == null || analysis.match.isEmpty()) {
      return errors;
    }
    int headers = 0;
    for (int i = 0; i < analysis.match.size(); i++) {
      String field = "spec.analysis.match[" + i + "]";
      HttpMatchRequest m = analysis.match.get(i);
      RouterFeatures.otherMatchFields(m).forEach(f -> errors.add(field + "." + f + ": Contour A/B testing routes on a header"
          + " only"));
      if (m.headers == null || m.headers.isEmpty()) {
        errors.add(field + " has no headers: Contour A/B testing routes on a header");
        continue;
      }
      for (Map.Entry<String, StringMatch> h : m.headers.entrySet()) {
        headers++;
        StringMatch v = h.getValue() == null ? new StringMatch() : h.getValue();
        if (v.regex != null || (isBlank(v.exact) && isBlank(v.prefix) && isBlank(v.suffix))) {
          errors.add(field + ".headers." + h.getKey() + ": Contour matches a header by exact, prefix or suffix (both"
              + " as contains)");
        }
      }
    }
    if (headers > 1) {
      errors.add("spec.analysis.match: Contour A/B testing routes on one header (one HTTPProxy condition block), and "
          + headers + " are given");
    }
    return errors;
  }

  private static boolean isBlank(String s) {
    return s == null || s.isEmpty();
  }
}
