package dev.bunting.playground;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the simulated gateway reads from an HTTPRoute: whether it is attached to the gateway and serves a host, and
 * the weighted backend Services of its first rule (the rule Bunting's Gateway API router writes the primary and
 * canary weights into). Pure; built from the route as the API server returns it.
 *
 * @param route the HTTPRoute's name
 * @param backends the first rule's backendRefs with their weights (a missing weight is 1, as the Gateway API says)
 */
public record RouteBackends(String route, List<Backend> backends) {

  /** A backend Service, its port and its weight. */
  public record Backend(String service, int port, int weight) {}

  /**
   * The backends of {@code route} when it has a parentRef to {@code gateway} (in the route's namespace) and serves
   * {@code host} (or sets no hostnames); empty otherwise.
   */
  @SuppressWarnings("unchecked")
  public static Optional<RouteBackends> of(GenericKubernetesResource route, String gateway, String host) {
    Object specObject = route.getAdditionalProperties().get("spec");
    if (!(specObject instanceof Map<?, ?> spec)) {
      return Optional.empty();
    }
    List<Map<String, Object>> parents = (List<Map<String, Object>>) spec.get("parentRefs");
    String namespace = route.getMetadata().getNamespace();
    boolean attached = parents != null && parents.stream().anyMatch(p -> gateway.equals(p.get("name"))
        && (p.get("namespace") == null || namespace.equals(p.get("namespace"))));
    if (!attached || !servesHost((List<String>) spec.get("hostnames"), host)) {
      return Optional.empty();
    }
    List<Map<String, Object>> rules = (List<Map<String, Object>>) spec.get("rules");
    List<Backend> backends = new ArrayList<>();
    if (rules != null && !rules.isEmpty() && rules.get(0).get("backendRefs") instanceof List<?> refs) {
      for (Object o : refs) {
        Map<String, Object> ref = (Map<String, Object>) o;
        Object kind = ref.getOrDefault("kind", "Service");
        if (!"Service".equals(kind)) {
          continue;
        }
        backends.add(new Backend((String) ref.get("name"), number(ref.get("port"), 0), number(ref.get("weight"), 1)));
      }
    }
    return Optional.of(new RouteBackends(route.getMetadata().getName(), List.copyOf(backends)));
  }

  private static boolean servesHost(List<String> hostnames, String host) {
    if (hostnames == null || hostnames.isEmpty()) {
      return true;
    }
    String h = host == null ? "" : host.toLowerCase(Locale.ROOT).replaceFirst(":\\d+$", "");
    return hostnames.stream().map(n -> n.toLowerCase(Locale.ROOT)).anyMatch(n -> n.equals(h)
        || (n.startsWith("*.") && h.endsWith(n.substring(1))));
  }

  private static int number(Object value, int fallback) {
    return value instanceof Number n ? n.intValue() : fallback;
  }

  /** The sum of the weights. */
  public int totalWeight() {
    return backends.stream().mapToInt(Backend::weight).sum();
  }

  /** The weight of one Service's backendRef; 0 when the route has none for it. */
  public int weight(String service) {
    return backends.stream().filter(b -> b.service().equals(service)).mapToInt(Backend::weight).sum();
  }

  /**
   * The backend for a number drawn uniformly from {@code [0, totalWeight())}: each backend gets its weight's share of
   * the numbers. Empty when every weight is 0.
   */
  public Optional<Backend> pick(int draw) {
    int left = draw;
    for (Backend b : backends) {
      if (left < b.weight()) {
        return Optional.of(b);
      }
      left -= b.weight();
    }
    return Optional.empty();
  }
}
