package dev.bunting.canary.router;

import dev.bunting.api.GoDuration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Maps Istio's {@code corsPolicy} ({@code spec.service.corsPolicy}) onto the Gateway API {@code CORS} filter:
 * {@code allowOrigin} and exact {@code allowOrigins} entries become {@code allowOrigins}, {@code allowMethods},
 * {@code allowHeaders}, {@code exposeHeaders} and {@code allowCredentials} carry over, {@code maxAge} (a duration)
 * becomes whole seconds. Prefix and regex origins have no Gateway API equivalent: {@link #validate} rejects them
 * (Flagger drops them with an error log).
 */
final class CorsPolicy {
  private static final String FIELD = "spec.service.corsPolicy";

  private CorsPolicy() {}

  static List<String> validate(Map<String, Object> policy) {
    List<String> errors = new ArrayList<>();
    if (policy.get("allowOrigins") instanceof List<?> origins) {
      for (int i = 0; i < origins.size(); i++) {
        if (!(origins.get(i) instanceof Map<?, ?> m) || !(m.get("exact") instanceof String)) {
          errors.add(FIELD + ".allowOrigins[" + i + "]: Gateway API CORS origins are exact values (wildcards like "
              + "https://*.example.com allowed); prefix and regex matches are not supported");
        }
      }
    }
    Object maxAge = policy.get("maxAge");
    if (maxAge != null && (!(maxAge instanceof String s) || GoDuration.parse(s).isEmpty())) {
      errors.add(FIELD + ".maxAge: must be a duration such as 24h or 600s, got " + maxAge);
    }
    return errors;
  }

  static Map<String, Object> filter(Map<String, Object> policy) {
    List<Object> origins = new ArrayList<>(strings(policy.get("allowOrigin")));
    if (policy.get("allowOrigins") instanceof List<?> matches) {
      for (Object m : matches) {
        if (m instanceof Map<?, ?> match && match.get("exact") instanceof String exact) {
          origins.add(exact);
        }
      }
    }
    JsonMap cors = JsonMap.object()
        .put("allowOrigins", origins)
        .put("allowMethods", strings(policy.get("allowMethods")))
        .put("allowHeaders", strings(policy.get("allowHeaders")))
        .put("exposeHeaders", strings(policy.get("exposeHeaders")));
    if (Boolean.TRUE.equals(policy.get("allowCredentials"))) {
      cors.put("allowCredentials", true);
    }
    if (policy.get("maxAge") instanceof String maxAge) {
      GoDuration.parse(maxAge).ifPresent(d -> cors.put("maxAge", (int) d.getSeconds()));
    }
    return cors.build();
  }

  private static List<Object> strings(Object value) {
    return value instanceof List<?> list ? new ArrayList<>(list) : List.of();
  }
}
