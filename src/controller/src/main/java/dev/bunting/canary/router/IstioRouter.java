package dev.bunting.canary.router;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryAnalysis;
import dev.bunting.api.CanaryService;
import dev.bunting.api.HttpMatchRequest;
import dev.bunting.api.GoDuration;
import dev.bunting.canary.router.StickySessions.Cookie;
import dev.bunting.canary.router.StickySessions.Cookies;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code istio} provider: the VirtualService {@code <svc>} and the DestinationRules {@code <svc>-primary} and
 * {@code <svc>-canary} ({@code networking.istio.io/v1beta1}), built as Flagger 1.44's {@code istio.go} builds them.
 *
 * <ul>
 *   <li>DestinationRules: {@code host} = their name, {@code trafficPolicy} from {@code service.trafficPolicy};</li>
 *   <li>VirtualService: {@code hosts} = {@code service.hosts} plus {@code <svc>} (unless already there or {@code *}),
 *       {@code gateways} = {@code service.gateways} or {@code [mesh]}; none of either with {@code delegation};
 *       one HTTP route with {@code service.match}, {@code rewrite}, {@code timeout}, {@code retries},
 *       {@code corsPolicy} and {@code headers}, and the destinations {@code <svc>-primary} / {@code <svc>-canary} with
 *       the weights ({@code port.number} set with {@code portDiscovery} behind a non-mesh gateway or a delegation);
 *       {@code appProtocol: tcp} makes it a TCP route;</li>
 *   <li>A/B testing: route 0 matches the analysis matches merged into the service matches, route 1 sends the service
 *       matches to the primary;</li>
 *   <li>mirroring: {@code mirror} to {@code <svc>-canary} (and {@code mirrorPercentage} from {@code mirrorWeight}) on
 *       the weighted route;</li>
 *   <li>sticky sessions ({@link StickySessions}): cookie rules ahead of the weighted route and {@code Set-Cookie}
 *       response headers on its destinations.</li>
 * </ul>
 *
 * <p>A VirtualService the user already has is taken over without an owner reference (so it outlives the Canary), and
 * its spec as it was is kept in the annotation {@value #ORIGINAL_CONFIGURATION} unless kubectl's
 * {@value #KUBECTL_LAST_APPLIED} already holds it; with {@code revertOnDeletion} it gets that spec back. The whole spec
 * is Bunting's ({@link #replacesSpec()}).
 */
public final class IstioRouter implements TrafficRouter {
  public static final String PROVIDER = "istio";
  public static final String GROUP = "networking.istio.io";
  public static final String VERSION = "v1beta1";
  public static final String ORIGINAL_CONFIGURATION = "flagger.kubernetes.io/original-configuration";
  public static final String KUBECTL_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
  static final String MESH = "mesh";

  private static final ObjectMapper JSON = Serialization.jsonMapper();

  public static final ResourceDefinitionContext VIRTUAL_SERVICES = kind("VirtualService", "virtualservices");
  public static final ResourceDefinitionContext DESTINATION_RULES = kind("DestinationRule", "destinationrules");

  private static ResourceDefinitionContext kind(String kind, String plural) {
    return new ResourceDefinitionContext.Builder()
        .withGroup(GROUP).withVersion(VERSION).withKind(kind).withPlural(plural).withNamespaced(true).build();
  }

  @Override
  public String provider() {
    return PROVIDER;
  }

  @Override
  public List<String> validate(Canary canary) {
    List<String> errors = new ArrayList<>(ServiceSpecChecks.validate(canary));
    CanaryService service = canary.getSpec() == null ? null : canary.getSpec().service;
    if (service == null) {
      return errors;
    }
    if (Boolean.TRUE.equals(service.delegation) && (nonEmpty(service.hosts) || nonEmpty(service.gateways))) {
      errors.add("spec.service.delegation: a delegate VirtualService has no hosts and no gateways; remove"
          + " spec.service.hosts and spec.service.gateways");
    }
    if (service.timeout != null && !service.timeout.isEmpty() && GoDuration.parse(service.timeout).isEmpty()) {
      errors.add("spec.service.timeout must be a duration such as 30s or 500ms, got " + service.timeout);
    }
    CanaryAnalysis analysis = canary.getSpec().effectiveAnalysis();
    if (analysis.mirrorWeight != null && (analysis.mirrorWeight < 0 || analysis.mirrorWeight > 100)) {
      errors.add("spec.analysis.mirrorWeight must be between 0 and 100, got " + analysis.mirrorWeight);
    }
    errors.addAll(StickySessions.validate(canary));
    return errors;
  }

  @Override
  public List<ResourceDefinitionContext> kinds() {
    return List.of(VIRTUAL_SERVICES, DESTINATION_RULES);
  }

  /** The VirtualService {@code <svc>}, then the DestinationRules {@code <svc>-canary} and {@code <svc>-primary}. */
  @Override
  public List<RoutedObject> objects(Canary canary) {
    String ns = canary.getMetadata().getNamespace();
    return List.of(
        new RoutedObject(VIRTUAL_SERVICES, ns, canary.getSpec().serviceName()),
        new RoutedObject(DESTINATION_RULES, ns, DefaultServiceBuilder.canaryName(canary)),
        new RoutedObject(DESTINATION_RULES, ns, DefaultServiceBuilder.primaryName(canary)));
  }

  @Override
  public List<HasMetadata> desiredObjects(Canary canary, Weights weights, CachedObjects cached) {
    List<String> errors = validate(canary);
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("Canary " + canary.getMetadata().getNamespace() + "/"
          + canary.getMetadata().getName() + " is not valid for provider " + PROVIDER + ": " + String.join("; ", errors));
    }
    return List.of(
        destinationRule(canary, DefaultServiceBuilder.canaryName(canary), cached),
        destinationRule(canary, DefaultServiceBuilder.primaryName(canary), cached),
        virtualService(canary, weights, cached));
  }

  private GenericKubernetesResource destinationRule(Canary canary, String name, CachedObjects cached) {
    Optional<GenericKubernetesResource> existing = cached.get(DESTINATION_RULES, canary.getMetadata().getNamespace(), name);
    ObjectMetaBuilder meta = new ObjectMetaBuilder().withName(name).withNamespace(canary.getMetadata().getNamespace());
    if (existing.isEmpty() || CanaryOwnership.isControlledBy(existing.get(), canary)) {
      meta.withOwnerReferences(CanaryOwnership.reference(canary));
    }
    Map<String, Object> spec = JsonMap.object()
        .put("host", name)
        .put("trafficPolicy", canary.getSpec().service.trafficPolicy)
        .build();
    return resource("DestinationRule", meta.build(), spec);
  }

  private GenericKubernetesResource virtualService(Canary canary, Weights weights, CachedObjects cached) {
    CanaryService service = canary.getSpec().service;
    String apex = canary.getSpec().serviceName();
    String ns = canary.getMetadata().getNamespace();
    Optional<GenericKubernetesResource> existing = cached.get(VIRTUAL_SERVICES, ns, apex);
    boolean takenOver = existing.isPresent() && !CanaryOwnership.isControlledBy(existing.get(), canary);

    Map<String, String> annotations = new LinkedHashMap<>(GeneratedMetadata.annotations(service.apex));
    if (takenOver) {
      original(existing.get()).ifPresent(o -> annotations.put(ORIGINAL_CONFIGURATION, o));
    }
    ObjectMetaBuilder meta = new ObjectMetaBuilder()
        .withName(apex)
        .withNamespace(ns)
        .withLabels(GeneratedMetadata.labels(service.apex, Map.of(), List.of()))
        .withAnnotations(annotations);
    if (!takenOver) {
      meta.withOwnerReferences(CanaryOwnership.reference(canary));
    }

    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("hosts", hosts(canary));
    List<String> gateways = gateways(service);
    if (!gateways.isEmpty()) {
      spec.put("gateways", gateways);
    }
    if (isTcp(service)) {
      spec.put("tcp", List.of(JsonMap.object()
          .put("match", l4Matches(service))
          .put("route", List.of(destination(canary, DefaultServiceBuilder.primaryName(canary), weights.primary()),
              destination(canary, DefaultServiceBuilder.canaryName(canary), weights.canary())))
          .build()));
    } else {
      spec.put("http", httpRoutes(canary, weights));
    }
    return resource("VirtualService", meta.build(), spec);
  }

  /** The HTTP routes for {@code weights}: A/B, sticky sessions, or one weighted route (mirrored when asked). */
  private List<Map<String, Object>> httpRoutes(Canary canary, Weights weights) {
    CanaryService service = canary.getSpec().service;
    CanaryAnalysis analysis = canary.getSpec().effectiveAnalysis();
    String primary = DefaultServiceBuilder.primaryName(canary);
    String canaryHost = DefaultServiceBuilder.canaryName(canary);
    List<Map<String, Object>> serviceMatch = matches(service.match);

    if (analysis.match != null && !analysis.match.isEmpty()) {
      return List.of(
          route(service, mergeMatches(matches(analysis.match), serviceMatch), List.of(
              destination(canary, primary, weights.primary()), destination(canary, canaryHost, weights.canary()))),
          route(service, serviceMatch, List.of(destination(canary, primary, weights.primary()))));
    }

    Map<String, Object> primaryDestination = destination(canary, primary, weights.primary());
    Map<String, Object> canaryDestination = destination(canary, canaryHost, weights.canary());
    Optional<Cookies> cookies = StickySessions.of(canary);
    List<Map<String, Object>> routes = new ArrayList<>();
    if (cookies.isPresent() && weights.canary() != 0 && cookies.get().canary().isPresent()) {
      Cookies c = cookies.get();
      canaryDestination.put("headers", responseHeader(StickySessions.SET_COOKIE_HEADER, c.setCanary()));
      routes.add(route(service, cookieMatches(c.canary().get(), serviceMatch), List.of(
          destination(canary, primary, 0), destination(canary, canaryHost, 100))));
      if (c.primarySticky()) {
        primaryDestination.put("headers", responseHeader(StickySessions.SET_COOKIE_HEADER, c.setPrimary()));
        routes.add(route(service, cookieMatches(c.primary().get(), serviceMatch), List.of(
            destination(canary, primary, 100), destination(canary, canaryHost, 0))));
      }
    } else if (cookies.isPresent() && weights.canary() == 0 && cookies.get().previous().isPresent()) {
      Cookies c = cookies.get();
      Map<String, Object> expiring = route(service, cookieMatches(c.previous().get(), serviceMatch), List.of(
          destination(canary, primary, weights.primary()), destination(canary, canaryHost, weights.canary())));
      expiring.put("headers", withResponseAdd(service.headers, StickySessions.SET_COOKIE_HEADER, c.expirePrevious()));
      routes.add(expiring);
    }
    Map<String, Object> weighted = route(service, serviceMatch, List.of(primaryDestination, canaryDestination));
    if (weights.mirrored()) {
      weighted.put("mirror", Map.of("host", canaryHost));
      if (analysis.mirrorWeight != null && analysis.mirrorWeight > 0) {
        weighted.put("mirrorPercentage", Map.of("value", analysis.mirrorWeight));
      }
    }
    routes.add(weighted);
    return routes;
  }

  /** One HTTP route with the settings every route shares and the given matches and destinations. */
  private static Map<String, Object> route(CanaryService service, List<Map<String, Object>> match,
      List<Map<String, Object>> destinations) {
    Map<String, Object> route = new LinkedHashMap<>();
    if (!match.isEmpty()) {
      route.put("match", match);
    }
    route.put("route", destinations);
    if (service.rewrite != null) {
      route.put("rewrite", JsonMap.object().put("uri", blankToNull(service.rewrite.uri))
          .put("authority", blankToNull(service.rewrite.authority)).build());
    }
    if (service.timeout != null && !service.timeout.isEmpty()) {
      route.put("timeout", service.timeout);
    }
    if (service.retries != null) {
      // Flagger's HTTPRetry always writes attempts (0 when not given)
      route.put("retries", JsonMap.object()
          .put("attempts", service.retries.attempts == null ? 0 : service.retries.attempts)
          .put("perTryTimeout", blankToNull(service.retries.perTryTimeout))
          .put("retryOn", blankToNull(service.retries.retryOn))
          .build());
    }
    if (service.corsPolicy != null) {
      route.put("corsPolicy", service.corsPolicy);
    }
    if (service.headers != null) {
      route.put("headers", toJson(service.headers));
    }
    return route;
  }

  /** {@code {destination: {host[, port]}, weight}}; the port with {@code portDiscovery} behind a gateway or delegation. */
  private static Map<String, Object> destination(Canary canary, String host, int weight) {
    CanaryService service = canary.getSpec().service;
    Map<String, Object> destination = new LinkedHashMap<>();
    destination.put("host", host);
    boolean behindGateway = service.gateways != null && !service.gateways.isEmpty()
        && !MESH.equals(service.gateways.get(0));
    if (Boolean.TRUE.equals(service.portDiscovery) && (behindGateway || Boolean.TRUE.equals(service.delegation))) {
      destination.put("port", Map.of("number", service.port));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("destination", destination);
    out.put("weight", weight);
    return out;
  }

  private static List<String> hosts(Canary canary) {
    CanaryService service = canary.getSpec().service;
    if (Boolean.TRUE.equals(service.delegation)) {
      return List.of();
    }
    String apex = canary.getSpec().serviceName();
    List<String> hosts = new ArrayList<>(service.hosts == null ? List.of() : service.hosts);
    if (!hosts.contains(apex) && !hosts.contains("*")) {
      hosts.add(apex);
    }
    return hosts;
  }

  private static List<String> gateways(CanaryService service) {
    if (Boolean.TRUE.equals(service.delegation)) {
      return List.of();
    }
    return service.gateways == null || service.gateways.isEmpty() ? List.of(MESH) : List.copyOf(service.gateways);
  }

  static boolean isTcp(CanaryService service) {
    return service.appProtocol != null && service.appProtocol.toLowerCase(Locale.ROOT).equals("tcp");
  }

  /** Flagger's L4 matches: one {@code {port}} per {@code service.match} entry. */
  private static List<Map<String, Object>> l4Matches(CanaryService service) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (service.match != null) {
      for (HttpMatchRequest m : service.match) {
        out.add(JsonMap.object().put("port", m.port == null || m.port == 0 ? null : m.port).build());
      }
    }
    return out;
  }

  private static List<Map<String, Object>> matches(List<HttpMatchRequest> match) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (match != null) {
      match.forEach(m -> out.add(toJson(m)));
    }
    return out;
  }

  /**
   * Flagger's Istio {@code mergeMatchConditions}: one match per (analysis, service) pair, the service match with its
   * {@code headers} and {@code sourceLabels} replaced by the analysis match's when it has them; the analysis matches
   * as they are when there are no service matches.
   */
  static List<Map<String, Object>> mergeMatches(List<Map<String, Object>> analysis, List<Map<String, Object>> service) {
    if (service.isEmpty()) {
      return analysis;
    }
    List<Map<String, Object>> merged = new ArrayList<>();
    for (Map<String, Object> a : analysis) {
      for (Map<String, Object> s : service) {
        Map<String, Object> m = new LinkedHashMap<>(s);
        if (a.get("headers") != null) {
          m.put("headers", a.get("headers"));
        }
        if (a.get("sourceLabels") != null) {
          m.put("sourceLabels", a.get("sourceLabels"));
        }
        merged.add(m);
      }
    }
    return merged;
  }

  private static List<Map<String, Object>> cookieMatches(Cookie cookie, List<Map<String, Object>> serviceMatch) {
    Map<String, Object> match = Map.of("headers", Map.of(StickySessions.COOKIE_HEADER, Map.of("regex", cookie.headerRegex())));
    return mergeMatches(List.of(match), serviceMatch);
  }

  private static Map<String, Object> responseHeader(String name, String value) {
    return Map.of("response", Map.of("add", Map.of(name, value)));
  }

  /** {@code service.headers} with one more response header added (a copy; the Canary is not changed). */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> withResponseAdd(CanaryService.HeaderOperations headers, String name, String value) {
    Map<String, Object> out = headers == null ? new LinkedHashMap<>() : toJson(headers);
    Map<String, Object> response = new LinkedHashMap<>(
        out.get("response") instanceof Map<?, ?> r ? (Map<String, Object>) r : Map.of());
    Map<String, Object> add = new LinkedHashMap<>(
        response.get("add") instanceof Map<?, ?> a ? (Map<String, Object>) a : Map.of());
    add.put(name, value);
    response.put("add", add);
    out.put("response", response);
    return out;
  }

  @Override
  public RouterState state(Canary canary, CachedObjects cached) {
    String apex = canary.getSpec().serviceName();
    String ns = canary.getMetadata().getNamespace();
    Optional<GenericKubernetesResource> vs = cached.get(VIRTUAL_SERVICES, ns, apex);
    if (vs.isEmpty()) {
      return RouterState.absent();
    }
    String primary = DefaultServiceBuilder.primaryName(canary);
    String canaryHost = DefaultServiceBuilder.canaryName(canary);
    JsonNode spec = JSON.valueToTree(vs.get()).path("spec");
    JsonNode routes = spec.path(isTcp(canary.getSpec().service) ? "tcp" : "http");
    // the last route with the canary destination: the weighted one (sticky and A/B primary routes come before it)
    JsonNode weighted = null;
    for (JsonNode route : routes) {
      if (destinationWeight(route, canaryHost).isPresent()) {
        weighted = route;
      }
    }
    String label = "VirtualService " + apex + "." + ns;
    if (weighted == null) {
      return new RouterState(Optional.empty(), false,
          label + " does not contain routes for " + primary + " and " + canaryHost);
    }
    int primaryWeight = destinationWeight(weighted, primary).orElse(0);
    int canaryWeight = destinationWeight(weighted, canaryHost).orElse(0);
    if (primaryWeight < 0 || canaryWeight < 0 || primaryWeight + canaryWeight != 100) {
      return new RouterState(Optional.empty(), false, label + " has destination weights " + primaryWeight + "/"
          + canaryWeight + " for " + primary + "/" + canaryHost + ", which do not add up to 100");
    }
    boolean mirrored = !weighted.path("mirror").path("host").asText("").isEmpty();
    return RouterState.accepted(new Weights(primaryWeight, canaryWeight, mirrored));
  }

  /** The weight of {@code host} in a route (a missing weight reads 0, as in Flagger's Go types); empty when absent. */
  private static Optional<Integer> destinationWeight(JsonNode route, String host) {
    for (JsonNode d : route.path("route")) {
      if (host.equals(d.path("destination").path("host").asText())) {
        return Optional.of(d.path("weight").asInt(0));
      }
    }
    return Optional.empty();
  }

  /**
   * The taken-over VirtualService with the spec it had before the canary: from kubectl's last-applied configuration,
   * else from {@value #ORIGINAL_CONFIGURATION} (Flagger's {@code Finalize}). None for a VirtualService this canary
   * created (the garbage collector deletes it with the Canary) or without a recorded original.
   */
  @Override
  public List<HasMetadata> revertedObjects(Canary canary, CachedObjects cached) {
    String apex = canary.getSpec().serviceName();
    String ns = canary.getMetadata().getNamespace();
    Optional<GenericKubernetesResource> vs = cached.get(VIRTUAL_SERVICES, ns, apex);
    if (vs.isEmpty() || CanaryOwnership.isControlledBy(vs.get(), canary)) {
      return List.of();
    }
    Optional<Map<String, Object>> spec = recordedSpec(vs.get());
    if (spec.isEmpty()) {
      return List.of();
    }
    return List.of(resource("VirtualService", new ObjectMetaBuilder().withName(apex).withNamespace(ns).build(),
        spec.get()));
  }

  /** The spec recorded before the take-over, if any. */
  @SuppressWarnings("unchecked")
  static Optional<Map<String, Object>> recordedSpec(GenericKubernetesResource vs) {
    Map<String, String> annotations = vs.getMetadata().getAnnotations();
    if (annotations == null) {
      return Optional.empty();
    }
    try {
      String kubectl = annotations.get(KUBECTL_LAST_APPLIED);
      if (kubectl != null) {
        Map<String, Object> applied = JSON.readValue(kubectl, Map.class);
        return applied.get("spec") instanceof Map<?, ?> m ? Optional.of((Map<String, Object>) m) : Optional.empty();
      }
      String original = annotations.get(ORIGINAL_CONFIGURATION);
      return original == null ? Optional.empty() : Optional.of(JSON.readValue(original, Map.class));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  /**
   * The value of {@value #ORIGINAL_CONFIGURATION} for a VirtualService being taken over: the one already recorded
   * (never overwritten), else its current spec; none when kubectl's last-applied configuration holds the original.
   */
  private static Optional<String> original(GenericKubernetesResource vs) {
    Map<String, String> annotations = vs.getMetadata().getAnnotations();
    if (annotations != null && annotations.containsKey(KUBECTL_LAST_APPLIED)) {
      return Optional.empty();
    }
    if (annotations != null && annotations.containsKey(ORIGINAL_CONFIGURATION)) {
      return Optional.of(annotations.get(ORIGINAL_CONFIGURATION));
    }
    Object spec = vs.getAdditionalProperties().get("spec");
    try {
      return Optional.of(JSON.writeValueAsString(spec == null ? Map.of() : spec));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the spec of VirtualService " + vs.getMetadata().getName(), e);
    }
  }

  @Override
  public boolean supportsWeights() {
    return true;
  }

  @Override
  public boolean supportsMirroring() {
    return true;
  }

  @Override
  public boolean replacesSpec() {
    return true;
  }

  private static GenericKubernetesResource resource(String kind, ObjectMeta meta, Map<String, Object> spec) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(GROUP + "/" + VERSION)
        .withKind(kind)
        .withMetadata(meta)
        .withAdditionalProperties(Map.of("spec", spec))
        .build();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> toJson(Object value) {
    return JSON.convertValue(value, LinkedHashMap.class);
  }

  private static boolean nonEmpty(List<?> list) {
    return list != null && !list.isEmpty();
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
