package dev.bunting.canary.router;

import dev.bunting.api.HttpMatchRequest.StringMatch;
import dev.bunting.api.HttpMatchRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Maps Istio-style {@code HTTPMatchRequest}s ({@code service.match}, {@code analysis.match}) onto Gateway API
 * {@code HTTPRouteMatch}es the way Flagger's {@code mapRouteMatches} does: uri regex/exact/prefix to path
 * {@code RegularExpression}/{@code Exact}/{@code PathPrefix}, method exact, headers and query parameters exact or
 * regex. Other fields ({@code sourceLabels}, {@code authority}, ...) have no Gateway API equivalent and are not used.
 * Headers and query parameters are sorted by name so the object is the same on every build.
 */
final class HttpRouteMatches {
  static final String PATH_PREFIX = "PathPrefix";

  /** The mapped matches, and what could not be mapped (empty when all could). */
  record Mapping(List<Map<String, Object>> matches, List<String> errors) {}

  private HttpRouteMatches() {}

  /** {@code field} names the list in messages, e.g. {@code spec.service.match}. */
  static Mapping map(List<HttpMatchRequest> requests, String field) {
    List<Map<String, Object>> matches = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    if (requests != null) {
      for (int i = 0; i < requests.size(); i++) {
        Mapping one = mapOne(requests.get(i), field + "[" + i + "]");
        matches.addAll(one.matches());
        errors.addAll(one.errors());
      }
    }
    return new Mapping(matches, errors);
  }

  /** One request: no match when nothing in it maps (Flagger drops such entries); {@code at} names it in messages. */
  static Mapping mapOne(HttpMatchRequest request, String at) {
    List<String> errors = new ArrayList<>();
    JsonMap match = JsonMap.object();
    if (request.uri != null) {
      pathMatch(request.uri).ifPresentOrElse(path -> match.put("path", path),
          () -> errors.add(at + ".uri: Gateway API supports only exact, prefix and regex path matches"));
    }
    if (request.method != null) {
      if (nonEmpty(request.method.exact)) {
        match.put("method", request.method.exact);
      } else {
        errors.add(at + ".method: Gateway API supports only exact method matches");
      }
    }
    match.put("headers", valueMatches(request.headers, at + ".headers", errors));
    match.put("queryParams", valueMatches(request.queryParams, at + ".queryParams", errors));
    Map<String, Object> built = match.build();
    return new Mapping(built.isEmpty() ? List.of() : List.of(built), errors);
  }

  /** Flagger's default when {@code service.match} maps to nothing: everything, {@code PathPrefix /}. */
  static List<Map<String, Object>> orEverything(List<Map<String, Object>> matches) {
    if (!matches.isEmpty()) {
      return matches;
    }
    return List.of(JsonMap.object().put("path", JsonMap.object().put("type", PATH_PREFIX).put("value", "/")).build());
  }

  /**
   * Flagger's {@code mergeMatchConditions}: one match per (analysis, service) pair, the service match with its headers
   * and query parameters replaced by the analysis match's when it has any.
   */
  static List<Map<String, Object>> merge(List<Map<String, Object>> analysis, List<Map<String, Object>> service) {
    if (analysis.isEmpty()) {
      return service;
    }
    if (service.isEmpty()) {
      return analysis;
    }
    List<Map<String, Object>> merged = new ArrayList<>();
    for (Map<String, Object> a : analysis) {
      for (Map<String, Object> s : service) {
        Map<String, Object> m = new LinkedHashMap<>(s);
        if (a.containsKey("headers")) {
          m.put("headers", a.get("headers"));
        }
        if (a.containsKey("queryParams")) {
          m.put("queryParams", a.get("queryParams"));
        }
        merged.add(m);
      }
    }
    return merged;
  }

  private static Optional<Map<String, Object>> pathMatch(StringMatch uri) {
    String type;
    String value;
    if (nonEmpty(uri.regex)) {
      type = "RegularExpression";
      value = uri.regex;
    } else if (nonEmpty(uri.exact)) {
      type = "Exact";
      value = uri.exact;
    } else if (nonEmpty(uri.prefix)) {
      type = PATH_PREFIX;
      value = uri.prefix;
    } else {
      return Optional.empty();
    }
    return Optional.of(JsonMap.object().put("type", type).put("value", value).build());
  }

  private static List<Map<String, Object>> valueMatches(Map<String, StringMatch> byName, String field, List<String> errors) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (byName == null) {
      return out;
    }
    for (Map.Entry<String, StringMatch> e : new TreeMap<>(byName).entrySet()) {
      StringMatch m = e.getValue();
      if (m != null && nonEmpty(m.exact)) {
        out.add(JsonMap.object().put("name", e.getKey()).put("type", "Exact").put("value", m.exact).build());
      } else if (m != null && nonEmpty(m.regex)) {
        out.add(JsonMap.object().put("name", e.getKey()).put("type", "RegularExpression").put("value", m.regex).build());
      } else {
        errors.add(field + "." + e.getKey() + ": Gateway API supports only exact and regex matches");
      }
    }
    return out;
  }

  private static boolean nonEmpty(String s) {
    return s != null && !s.isEmpty();
  }
}
