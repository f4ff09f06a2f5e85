package dev.bunting.canary.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryAnalysis;
import dev.bunting.api.HttpMatchRequest;
import dev.bunting.api.HttpMatchRequest.StringMatch;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The {@code nginx} provider (ingress-nginx), as Flagger 1.44's {@code ingress.go}: the user's Ingress
 * ({@code spec.ingressRef}) is cloned into {@code <ingress>-canary}, an ingress-nginx canary Ingress whose paths to the
 * apex Service go to {@code <svc>-canary}; the user's Ingress is never written.
 *
 * <ul>
 *   <li>labels: the user's Ingress's; annotations: the user's, without those containing {@code <prefix>/canary} and
 *       without {@code kubectl.kubernetes.io/last-applied-configuration}, plus the Flux opt-out annotations,
 *       {@code <prefix>/canary: "true"} and {@code <prefix>/canary-weight: "<canary weight>"};</li>
 *   <li>A/B testing ({@code analysis.match}) while the canary has traffic: {@code canary-weight: "0"} and
 *       {@code canary-by-header} + {@code canary-by-header-value} (exact) or {@code canary-by-header-pattern} (regex),
 *       and/or {@code canary-by-cookie} (the cookie named by {@code headers.cookie.exact}); at weight 0 these are
 *       dropped again.</li>
 * </ul>
 *
 * <p>The annotation prefix is {@code --ingress-annotations-prefix} (default {@code nginx.ingress.kubernetes.io}).
 */
public final class NginxRouter implements UserIngressRouter {
  public static final String PROVIDER = "nginx";

  private final String prefix;

  public NginxRouter(RouterSettings settings) {
    this.prefix = settings.ingressAnnotationsPrefix();
  }

  @Override
  public String provider() {
    return PROVIDER;
  }

  private String annotation(String suffix) {
    return prefix + "/" + suffix;
  }

  @Override
  public List<String> validate(Canary canary) {
    List<String> errors = new ArrayList<>(ServiceSpecChecks.validate(canary));
    if (canary.getSpec() == null) {
      return errors;
    }
    errors.addAll(UserIngress.validate(canary, PROVIDER));
    errors.addAll(RouterFeatures.unsupported(canary, PROVIDER, true));
    errors.addAll(abTestingErrors(canary.getSpec().effectiveAnalysis()));
    return errors;
  }

  @Override
  public List<HasMetadata> desiredObjects(Canary canary, Weights weights, CachedObjects cached) {
    RouterFeatures.requireUsable(this, canary, cached);
    ObjectNode ingress = UserIngress.read(canary, cached).orElseThrow();
    UserIngress.apexPaths(ingress, canary.getSpec().serviceName())
        .forEach(path -> UserIngress.setBackend(path, DefaultServiceBuilder.canaryName(canary)));
    return List.of(OwnedObject.of(UserIngress.API_VERSION, "Ingress", canary, UserIngress.cloneName(canary),
        OwnedObject.copiedLabels(ingress), annotations(canary, ingress, weights),
        OwnedObject.plain(ingress.path("spec"))));
  }

  private Map<String, String> annotations(Canary canary, JsonNode ingress, Weights weights) {
    Map<String, String> annotations = OwnedObject.copiedAnnotations(ingress, k -> k.contains(annotation("canary")));
    annotations.put(annotation("canary"), "true");
    List<HttpMatchRequest> match = canary.getSpec().effectiveAnalysis().match;
    if (match == null || match.isEmpty() || weights.canary() == 0) {
      annotations.put(annotation("canary-weight"), String.valueOf(weights.canary()));
      return annotations;
    }
    annotations.put(annotation("canary-weight"), "0");
    for (HttpMatchRequest m : match) {
      m.headers.forEach((name, value) -> {
        if (name.equals("cookie")) {
          annotations.put(annotation("canary-by-cookie"), value.exact);
          return;
        }
        annotations.put(annotation("canary-by-header"), name);
        if (value.exact != null && !value.exact.isEmpty()) {
          annotations.put(annotation("canary-by-header-value"), value.exact);
        }
        if (value.regex != null && !value.regex.isEmpty()) {
          annotations.put(annotation("canary-by-header-pattern"), value.regex);
        }
      });
    }
    return annotations;
  }

  /**
   * Flagger's {@code GetRoutes}: during A/B testing a canary Ingress with {@code canary-by-header} or
   * {@code canary-by-cookie} has all matched traffic (0/100); otherwise the weights are 100 − w / w with w the
   * {@code canary-weight} annotation (0 when there is none).
   */
  @Override
  public RouterState state(Canary canary, CachedObjects cached) {
    if (!UserIngress.referenced(canary)) {
      return RouterState.absent();
    }
    Optional<GenericKubernetesResource> clone = cached.get(UserIngress.objects(canary).get(1));
    if (clone.isEmpty()) {
      return RouterState.absent();
    }
    Map<String, String> annotations = OwnedObject.strings(OwnedObject.tree(clone.get()).path("metadata")
        .path("annotations"));
    List<HttpMatchRequest> match = canary.getSpec().effectiveAnalysis().match;
    if (match != null && !match.isEmpty() && (annotations.containsKey(annotation("canary-by-header"))
        || annotations.containsKey(annotation("canary-by-cookie")))) {
      return RouterState.accepted(Weights.ALL_CANARY);
    }
    String label = "Ingress " + canary.getMetadata().getNamespace() + "/" + UserIngress.cloneName(canary);
    String weight = annotations.getOrDefault(annotation("canary-weight"), "0");
    int canaryWeight;
    try {
      canaryWeight = Integer.parseInt(weight.trim());
    } catch (NumberFormatException e) {
      return new RouterState(Optional.empty(), false, label + " has " + annotation("canary-weight") + " \"" + weight
          + "\", which is not a number");
    }
    return RouterFeatures.readWeights(label, DefaultServiceBuilder.primaryName(canary), 100 - canaryWeight,
        DefaultServiceBuilder.canaryName(canary), canaryWeight);
  }

  @Override
  public boolean supportsWeights() {
    return true;
  }

  /**
   * ingress-nginx routes a canary by one header and one cookie at most, exact or regex for the header, and cannot
   * combine header routing with weights: what Flagger would silently drop or pick at random is rejected.
   */
  private static List<String> abTestingErrors(CanaryAnalysis analysis) {
    List<String> errors = new ArrayList<>();
    if (analysis.match == null || analysis.match.isEmpty()) {
      return errors;
    }
    if (analysis.iterationsOrZero() == 0) {
      errors.add("spec.analysis.match needs spec.analysis.iterations for provider nginx: a canary Ingress routes"
          + " either by header and cookie (A/B testing) or by weight, not both");
    }
    TreeSet<String> headers = new TreeSet<>();
    TreeSet<String> cookies = new TreeSet<>();
    for (int i = 0; i < analysis.match.size(); i++) {
      String field = "spec.analysis.match[" + i + "]";
      HttpMatchRequest m = analysis.match.get(i);
      RouterFeatures.otherMatchFields(m).forEach(f -> errors.add(field + "." + f + ": nginx A/B testing routes on a header and a cookie"
          + " only"));
      if (m.headers == null || m.headers.isEmpty()) {
        errors.add(field + " has no headers: nginx A/B testing routes on a header and a cookie");
        continue;
      }
      for (Map.Entry<String, StringMatch> h : m.headers.entrySet()) {
        StringMatch value = h.getValue() == null ? new StringMatch() : h.getValue();
        String headerField = field + ".headers." + h.getKey();
        if (h.getKey().equals("cookie")) {
          cookies.add(String.valueOf(value.exact));
          if (value.exact == null || value.exact.isEmpty() || value.prefix != null || value.suffix != null
              || value.regex != null) {
            errors.add(headerField + ": nginx matches a cookie by its name, given as exact (requests whose cookie"
                + " of that name is \"always\" reach the canary)");
          }
          continue;
        }
        headers.add(h.getKey());
        boolean exact = value.exact != null && !value.exact.isEmpty();
        boolean regex = value.regex != null && !value.regex.isEmpty();
        if (exact == regex || value.prefix != null || value.suffix != null) {
          errors.add(headerField + ": nginx matches a header by one exact value or one regex");
        }
      }
    }
    if (headers.size() > 1) {
      errors.add("spec.analysis.match: nginx routes on one header, and these entries name " + String.join(", ", headers));
    }
    if (cookies.size() > 1) {
      errors.add("spec.analysis.match: nginx routes on one cookie, and these entries name " + String.join(", ", cookies));
    }
    return errors;
  }
}
