package dev.bunting.canary.router;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bunting.canary.router.ParentRefs.Parent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether the Gateway API implementation has accepted the current generation of an HTTPRoute: for every
 * {@code spec.parentRefs} entry, the {@code status.parents} entries with the same parent must exist and each must
 * report {@code Accepted=True} with {@code observedGeneration >= metadata.generation}. Flagger's {@code GetRoutes}
 * applies the same test but lets a parent without any status through; Bunting waits for it, so weights are never
 * reported for a route no gateway has taken yet.
 */
final class HttpRouteAcceptance {
  private HttpRouteAcceptance() {}

  /** Empty when accepted, else why not (the first parent that is not ready). */
  static Optional<String> problem(JsonNode route) {
    String namespace = route.path("metadata").path("namespace").asText("");
    String label = route.path("metadata").path("name").asText("") + "." + namespace;
    long generation = route.path("metadata").path("generation").asLong(0);
    List<JsonNode> statuses = new ArrayList<>();
    route.path("status").path("parents").forEach(statuses::add);
    for (JsonNode ref : route.path("spec").path("parentRefs")) {
      Parent parent = ParentRefs.resolve(ref, namespace);
      List<JsonNode> accepted = statuses.stream()
          .filter(s -> ParentRefs.same(ParentRefs.resolve(s.path("parentRef"), namespace), parent))
          .flatMap(s -> conditions(s).stream())
          .filter(c -> "Accepted".equals(c.path("type").asText()))
          .toList();
      if (accepted.isEmpty()) {
        return Optional.of("HTTPRoute " + label + " parent " + parent.display()
            + " is not ready (no Accepted condition reported for it yet)");
      }
      for (JsonNode condition : accepted) {
        String status = condition.path("status").asText("");
        long observed = condition.path("observedGeneration").asLong(0);
        if (!"True".equals(status) || observed < generation) {
          return Optional.of("HTTPRoute " + label + " parent " + parent.display() + " is not ready (status: " + status
              + ", observed generation: " + observed + ", current generation: " + generation + ")");
        }
      }
    }
    return Optional.empty();
  }

  private static List<JsonNode> conditions(JsonNode parentStatus) {
    List<JsonNode> out = new ArrayList<>();
    parentStatus.path("conditions").forEach(out::add);
    return out;
  }
}
