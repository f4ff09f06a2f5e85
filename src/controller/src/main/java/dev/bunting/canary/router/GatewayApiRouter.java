package dev.bunting.canary.router;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryAnalysis;
import dev.bunting.api.CanaryService.ParentReference;
import dev.bunting.api.CanaryService;
import dev.bunting.api.HttpMatchRequest;
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
import java.util.function.Function;

/**
 * The Gateway API providers ({@code gatewayapi:v1}, {@code gatewayapi:v1beta1}): one HTTPRoute named like the apex
 * Service, built as Flagger 1.44's {@code gateway_api.go} builds it.
 *
 * <ul>
 *   <li>{@code parentRefs} from {@code service.gatewayRefs}, {@code hostnames} from {@code service.hosts};</li>
 *   <li>rule 0: matches from {@code service.match} (else {@code PathPrefix /}), filters from {@code service.headers},
 *       {@code rewrite}, {@code mirror} and {@code corsPolicy}, {@code timeouts} from {@code service.timeout} and
 *       {@code backendTimeout}, and {@code backendRefs} {@code <svc>-primary} / {@code <svc>-canary} with the
 *       weights;</li>
 *   <li>A/B testing ({@code analysis.match}): rule 0 matches are the analysis matches merged into the service
 *       matches, and rule 1 sends the remaining service matches to {@code <svc>-primary} only;</li>
 *   <li>while {@link Weights#mirrored()}: a {@code RequestMirror} filter on the weighted rule copies requests to
 *       {@code <svc>-canary};</li>
 *   <li>sticky sessions ({@code analysis.sessionAffinity}, {@link StickySessions}): cookie rules ahead of the weighted
 *       rule, and {@code Set-Cookie} {@code ResponseHeaderModifier} filters on its backendRefs.</li>
 * </ul>
 *
 * <p>Metadata: {@code service.apex} labels and annotations, the Flux opt-out annotations, an owner reference to the
 * Canary. Annotations that others put on the route are not part of the applied object, so server-side apply leaves
 * them alone.
 */
public final class GatewayApiRouter implements TrafficRouter {
  public static final String GROUP = "gateway.networking.k8s.io";
  public static final String KIND = "HTTPRoute";

  private final String provider;
  private final String version;
  private final ResourceDefinitionContext httpRoutes;
  private final Function<Canary, List<ParentReference>> parents;

  private GatewayApiRouter(String provider, String version, Function<Canary, List<ParentReference>> parents) {
    this.provider = provider;
    this.version = version;
    this.parents = parents;
    this.httpRoutes = new ResourceDefinitionContext.Builder()
        .withGroup(GROUP)
        .withVersion(version)
        .withKind(KIND)
        .withPlural("httproutes")
        .withNamespaced(true)
        .build();
  }

  /** {@code gatewayapi:v1}: {@code gateway.networking.k8s.io/v1} HTTPRoutes. */
  public static GatewayApiRouter v1() {
    return new GatewayApiRouter("gatewayapi:v1", "v1", GatewayApiRouter::gatewayRefs);
  }

  /** {@code gatewayapi:v1beta1}: {@code gateway.networking.k8s.io/v1beta1} HTTPRoutes (e.g. Linkerd). */
  public static GatewayApiRouter v1beta1() {
    return new GatewayApiRouter("gatewayapi:v1beta1", "v1beta1", GatewayApiRouter::gatewayRefs);
  }

  /**
   * The same HTTPRoute for another provider that routes with Gateway API (e.g. {@link LinkerdRouter}): its own name in
   * messages, and its own parents ({@code parents} returns null or empty when the canary has none).
   */
  static GatewayApiRouter forProvider(String provider, String version,
      Function<Canary, List<ParentReference>> parents) {
    return new GatewayApiRouter(provider, version, parents);
  }

  private static List<ParentReference> gatewayRefs(Canary canary) {
    return canary.getSpec().service.gatewayRefs;
  }

  @Override
  public String provider() {
    return provider;
  }

  @Override
  public List<String> validate(Canary canary) {
    List<String> errors = new ArrayList<>(ServiceSpecChecks.validate(canary));
    CanaryService service = canary.getSpec() == null ? null : canary.getSpec().service;
    if (service == null) {
      return errors;
    }
    List<ParentReference> parentRefs = parents.apply(canary);
    if (parentRefs == null || parentRefs.isEmpty()) {
      errors.add("spec.service.gatewayRefs is required for provider " + provider());
    } else {
      for (int i = 0; i < parentRefs.size(); i++) {
        ParentReference ref = parentRefs.get(i);
        if (ref == null || ref.name == null || ref.name.isEmpty()) {
          errors.add("spec.service.gatewayRefs[" + i + "].name is required");
        }
      }
    }
    errors.addAll(HttpRouteMatches.map(service.match, "spec.service.match").errors());
    CanaryAnalysis analysis = canary.getSpec().effectiveAnalysis();
    errors.addAll(abTestingMatchErrors(analysis.match));
    if (service.rewrite != null && service.rewrite.type != null && !service.rewrite.type.isEmpty()
        && !List.of(HttpRouteFilters.REPLACE_PREFIX_MATCH, HttpRouteFilters.REPLACE_FULL_PATH).contains(service.rewrite.type)) {
      errors.add("spec.service.rewrite.type must be ReplacePrefixMatch or ReplaceFullPath, got " + service.rewrite.type);
    }
    prefixRewriteError(service, analysis).ifPresent(errors::add);
    durationError("spec.service.timeout", service.timeout).ifPresent(errors::add);
    durationError("spec.service.backendTimeout", service.backendTimeout).ifPresent(errors::add);
    if (service.corsPolicy != null) {
      errors.addAll(CorsPolicy.validate(service.corsPolicy));
    }
    errors.addAll(StickySessions.validate(canary));
    return errors;
  }

  @Override
  public List<ResourceDefinitionContext> kinds() {
    return List.of(httpRoutes);
  }

  /** The HTTPRoute named like the apex Service. */
  @Override
  public List<RoutedObject> objects(Canary canary) {
    return List.of(new RoutedObject(httpRoutes, canary.getMetadata().getNamespace(), canary.getSpec().serviceName()));
  }

  @Override
  public List<HasMetadata> desiredObjects(Canary canary, Weights weights, CachedObjects cached) {
    ServiceSpecChecks.requireValid(this, canary);
    GenericKubernetesResource route = httpRoute(canary, weights);
    if (!weights.mirrored() && cached.get(objects(canary).get(0)).map(live -> mirrorsTo(
        Serialization.jsonMapper().valueToTree(live), DefaultServiceBuilder.canaryName(canary))).orElse(false)) {
      clearFilters(route);
    }
    return List.of(route);
  }

  /**
   * Writes {@code filters: []} on every rule without filters. The reconciler skips an apply whose fields the cached
   * route already has, and a rule that leaves {@code filters} out has them all; when mirroring stops without other
   * changes (a rollback while mirrored), the empty list is what makes the apply happen and remove the mirror.
   */
  @SuppressWarnings("unchecked")
  private static void clearFilters(GenericKubernetesResource route) {
    Map<String, Object> spec = (Map<String, Object>) route.getAdditionalProperties().get("spec");
    for (Map<String, Object> rule : (List<Map<String, Object>>) spec.get("rules")) {
      rule.putIfAbsent("filters", List.of());
    }
  }

  private GenericKubernetesResource httpRoute(Canary canary, Weights weights) {
    CanaryService service = canary.getSpec().service;
    String apex = canary.getSpec().serviceName();
    String primary = DefaultServiceBuilder.primaryName(canary);
    String canaryService = DefaultServiceBuilder.canaryName(canary);
    List<Map<String, Object>> serviceMatches =
        HttpRouteMatches.orEverything(HttpRouteMatches.map(service.match, "spec.service.match").matches());
    List<HttpMatchRequest> abMatch = canary.getSpec().effectiveAnalysis().match;
    boolean abTesting = abMatch != null && !abMatch.isEmpty();

    List<Map<String, Object>> weightedFilters = new ArrayList<>(HttpRouteFilters.of(service));
    if (weights.mirrored()) {
      weightedFilters.add(HttpRouteFilters.mirrorTo(canaryService, service.port));
    }
    Map<String, Object> primaryRef = backendRef(primary, service.port, weights.primary());
    Map<String, Object> canaryRef = backendRef(canaryService, service.port, weights.canary());
    List<Map<String, Object>> rules = new ArrayList<>();
    Optional<StickySessions.Cookies> cookies = abTesting ? Optional.empty() : StickySessions.of(canary);
    List<Map<String, Object>> rawServiceMatches = HttpRouteMatches.map(service.match, "spec.service.match").matches();
    if (cookies.isPresent() && weights.canary() != 0 && cookies.get().canary().isPresent()) {
      StickySessions.Cookies c = cookies.get();
      canaryRef.put("filters", List.of(HttpRouteFilters.addResponseHeader(StickySessions.SET_COOKIE_HEADER,
          c.setCanary())));
      rules.add(rule(cookieMatches(c.canary().get(), rawServiceMatches), weightedFilters,
          List.of(backendRef(primary, service.port, 0), backendRef(canaryService, service.port, 100)), service));
      if (c.primarySticky()) {
        primaryRef.put("filters", List.of(HttpRouteFilters.addResponseHeader(StickySessions.SET_COOKIE_HEADER,
            c.setPrimary())));
        rules.add(rule(cookieMatches(c.primary().get(), rawServiceMatches), weightedFilters,
            List.of(backendRef(primary, service.port, 100), backendRef(canaryService, service.port, 0)), service));
      }
    } else if (cookies.isPresent() && weights.canary() == 0 && cookies.get().previous().isPresent()) {
      StickySessions.Cookies c = cookies.get();
      rules.add(rule(cookieMatches(c.previous().get(), rawServiceMatches),
          HttpRouteFilters.withResponseHeader(weightedFilters, StickySessions.SET_COOKIE_HEADER, c.expirePrevious()),
          List.of(backendRef(primary, service.port, weights.primary()),
              backendRef(canaryService, service.port, weights.canary())), service));
    }
    rules.add(rule(abTesting
            ? HttpRouteMatches.merge(HttpRouteMatches.map(abMatch, "spec.analysis.match").matches(), serviceMatches)
            : serviceMatches,
        weightedFilters, List.of(primaryRef, canaryRef), service));
    if (abTesting) {
      rules.add(JsonMap.object()
          .put("matches", serviceMatches)
          .put("filters", HttpRouteFilters.of(service))
          .put("backendRefs", List.of(backendRef(primary, service.port, 100)))
          .put("timeouts", timeouts(service))
          .build());
    }
    Map<String, Object> spec = JsonMap.object()
        .put("parentRefs", ParentRefs.toSpec(parents.apply(canary)))
        .put("hostnames", service.hosts == null ? null : List.copyOf(service.hosts))
        .put("rules", rules)
        .build();
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(GROUP + "/" + version)
        .withKind(KIND)
        .withMetadata(new ObjectMetaBuilder()
            .withName(apex)
            .withNamespace(canary.getMetadata().getNamespace())
            .withLabels(GeneratedMetadata.labels(service.apex, Map.of(), List.of()))
            .withAnnotations(GeneratedMetadata.annotations(service.apex))
            .withOwnerReferences(CanaryOwnership.reference(canary))
            .build())
        .withAdditionalProperties(Map.of("spec", spec))
        .build();
  }

  private static Map<String, Object> rule(List<Map<String, Object>> matches, List<Map<String, Object>> filters,
      List<Map<String, Object>> backendRefs, CanaryService service) {
    return JsonMap.object()
        .put("matches", matches)
        .put("filters", filters)
        .put("backendRefs", backendRefs)
        .put("timeouts", timeouts(service))
        .build();
  }

  /** The sticky rule's matches: the cookie header match merged into each service match (Flagger's merge). */
  private static List<Map<String, Object>> cookieMatches(StickySessions.Cookie cookie,
      List<Map<String, Object>> serviceMatches) {
    Map<String, Object> match = JsonMap.object().put("headers", List.of(JsonMap.object()
        .put("type", "RegularExpression")
        .put("name", StickySessions.COOKIE_HEADER)
        .put("value", cookie.headerRegex())
        .build())).build();
    return HttpRouteMatches.merge(List.of(match), serviceMatches);
  }

  private static Map<String, Object> backendRef(String name, int port, int weight) {
    return JsonMap.object().put("group", "").put("kind", "Service").put("name", name).put("port", port)
        .put("weight", weight).build();
  }

  private static Map<String, Object> timeouts(CanaryService service) {
    Map<String, Object> timeouts = JsonMap.object()
        .put("request", blankToNull(service.timeout))
        .put("backendRequest", blankToNull(service.backendTimeout))
        .build();
    return timeouts.isEmpty() ? null : timeouts;
  }

  @Override
  public RouterState state(Canary canary, CachedObjects cached) {
    Optional<GenericKubernetesResource> existing = cached.get(objects(canary).get(0));
    if (existing.isEmpty()) {
      return RouterState.absent();
    }
    JsonNode route = Serialization.jsonMapper().valueToTree(existing.get());
    String label = route.path("metadata").path("name").asText() + "." + route.path("metadata").path("namespace").asText();
    String primary = DefaultServiceBuilder.primaryName(canary);
    String canaryService = DefaultServiceBuilder.canaryName(canary);
    Optional<JsonNode> weightedRule = weightedRule(route, primary, canaryService);
    if (weightedRule.isEmpty()) {
      return new RouterState(Optional.empty(), false,
          "HTTPRoute " + label + " has no rule that splits traffic between " + primary + " and " + canaryService);
    }
    int primaryWeight = weightOf(weightedRule.get(), primary);
    int canaryWeight = weightOf(weightedRule.get(), canaryService);
    if (primaryWeight < 0 || canaryWeight < 0 || primaryWeight + canaryWeight != 100) {
      return new RouterState(Optional.empty(), false, "HTTPRoute " + label + " has backend weights " + primaryWeight
          + "/" + canaryWeight + " for " + primary + "/" + canaryService + ", which do not add up to 100");
    }
    Weights weights = new Weights(primaryWeight, canaryWeight, mirrorsTo(route, canaryService));
    Optional<String> problem = HttpRouteAcceptance.problem(route);
    return new RouterState(Optional.of(weights), problem.isEmpty(), problem.orElse(""));
  }

  /**
   * The last rule with exactly the two backends: the weighted one (Flagger skips the primary-only A/B rule the same way,
   * and the sticky-session rules come before it).
   */
  private static Optional<JsonNode> weightedRule(JsonNode route, String primary, String canary) {
    JsonNode weighted = null;
    for (JsonNode rule : route.path("spec").path("rules")) {
      JsonNode refs = rule.path("backendRefs");
      if (refs.size() == 2 && hasBackend(refs, primary) && hasBackend(refs, canary)) {
        weighted = rule;
      }
    }
    return Optional.ofNullable(weighted);
  }

  private static boolean hasBackend(JsonNode refs, String name) {
    for (JsonNode ref : refs) {
      if (name.equals(ref.path("name").asText())) {
        return true;
      }
    }
    return false;
  }

  /** A backend's weight; Gateway API defaults a missing weight to 1. */
  private static int weightOf(JsonNode rule, String name) {
    for (JsonNode ref : rule.path("backendRefs")) {
      if (name.equals(ref.path("name").asText())) {
        return ref.hasNonNull("weight") ? ref.get("weight").asInt() : 1;
      }
    }
    return 0;
  }

  private static boolean mirrorsTo(JsonNode route, String canary) {
    for (JsonNode rule : route.path("spec").path("rules")) {
      for (JsonNode filter : rule.path("filters")) {
        if ("RequestMirror".equals(filter.path("type").asText())
            && canary.equals(filter.path("requestMirror").path("backendRef").path("name").asText())) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public boolean supportsWeights() {
    return true;
  }

  @Override
  public boolean supportsMirroring() {
    return true;
  }

  /** A/B entries must carry headers or query parameters: only those survive Flagger's match merge. */
  private static List<String> abTestingMatchErrors(List<HttpMatchRequest> match) {
    List<String> errors = new ArrayList<>();
    if (match == null) {
      return errors;
    }
    for (int i = 0; i < match.size(); i++) {
      String field = "spec.analysis.match[" + i + "]";
      HttpRouteMatches.Mapping mapping = HttpRouteMatches.mapOne(match.get(i), field);
      errors.addAll(mapping.errors());
      boolean routesOnRequest = mapping.matches().stream()
          .anyMatch(m -> m.containsKey("headers") || m.containsKey("queryParams"));
      if (mapping.errors().isEmpty() && !routesOnRequest) {
        errors.add(field + ": Gateway API A/B testing routes on headers and queryParams, and this entry has neither,"
            + " so every request would reach the canary");
      }
    }
    return errors;
  }

  /**
   * Gateway API accepts a {@code ReplacePrefixMatch} rewrite only in a rule with exactly one {@code PathPrefix} match
   * (a CEL rule of the HTTPRoute CRD); said up front instead of as the API server's rejection.
   */
  private static Optional<String> prefixRewriteError(CanaryService service, CanaryAnalysis analysis) {
    if (service.rewrite == null || service.rewrite.uri == null || service.rewrite.uri.isEmpty()
        || !HttpRouteFilters.REPLACE_PREFIX_MATCH.equals(HttpRouteFilters.rewriteType(service.rewrite))) {
      return Optional.empty();
    }
    List<HttpMatchRequest> match = service.match == null ? List.of() : service.match;
    boolean onePrefix = match.isEmpty()
        || (match.size() == 1 && match.get(0).uri != null && match.get(0).uri.prefix != null
            && !match.get(0).uri.prefix.isEmpty() && match.get(0).uri.exact == null && match.get(0).uri.regex == null);
    boolean oneAbEntry = analysis.match == null || analysis.match.size() <= 1;
    if (onePrefix && oneAbEntry) {
      return Optional.empty();
    }
    return Optional.of("spec.service.rewrite.type ReplacePrefixMatch needs exactly one path prefix match per HTTPRoute"
        + " rule: at most one spec.service.match entry, matching uri.prefix, and at most one spec.analysis.match entry");
  }

  private static Optional<String> durationError(String field, String value) {
    if (value == null || value.isEmpty() || HttpRouteFilters.isGatewayDuration(value)) {
      return Optional.empty();
    }
    return Optional.of(field + " must be a Gateway API duration such as 30s, 1m or 500ms, got " + value);
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
