package dev.bunting.canary.router;

import dev.bunting.api.CanaryService.HeaderOperation;
import dev.bunting.api.CanaryService;
import dev.bunting.api.GoDuration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rule filters Flagger derives from {@code spec.service} ({@code makeFilters}): {@code headers.request} and
 * {@code headers.response} as {@code RequestHeaderModifier} / {@code ResponseHeaderModifier} (add and set sorted by
 * name), {@code rewrite} as {@code URLRewrite}, each {@code mirror} entry as {@code RequestMirror}, and
 * {@code corsPolicy} as a {@code CORS} filter.
 */
final class HttpRouteFilters {
  static final String REPLACE_PREFIX_MATCH = "ReplacePrefixMatch";
  static final String REPLACE_FULL_PATH = "ReplaceFullPath";

  private HttpRouteFilters() {}

  static List<Map<String, Object>> of(CanaryService service) {
    List<Map<String, Object>> filters = new ArrayList<>();
    if (service.headers != null && service.headers.request != null) {
      filters.add(headerModifier("RequestHeaderModifier", "requestHeaderModifier", service.headers.request));
    }
    if (service.headers != null && service.headers.response != null) {
      filters.add(headerModifier("ResponseHeaderModifier", "responseHeaderModifier", service.headers.response));
    }
    if (service.rewrite != null) {
      filters.add(urlRewrite(service.rewrite));
    }
    if (service.mirror != null) {
      for (Map<String, Object> mirror : service.mirror) {
        filters.add(JsonMap.object().put("type", "RequestMirror").put("requestMirror", mirror).build());
      }
    }
    if (service.corsPolicy != null) {
      filters.add(JsonMap.object().put("type", "CORS").put("cors", CorsPolicy.filter(service.corsPolicy)).build());
    }
    return filters;
  }

  /** The {@code RequestMirror} filter that mirrors every request to the canary Service (blue/green mirroring). */
  static Map<String, Object> mirrorTo(String service, int port) {
    return JsonMap.object()
        .put("type", "RequestMirror")
        .put("requestMirror", JsonMap.object().put("backendRef", JsonMap.object()
            .put("group", "").put("kind", "Service").put("name", service).put("port", port)))
        .build();
  }

  /** A {@code ResponseHeaderModifier} that adds one header (a sticky-session {@code Set-Cookie}). */
  static Map<String, Object> addResponseHeader(String name, String value) {
    return JsonMap.object().put("type", "ResponseHeaderModifier").put("responseHeaderModifier", JsonMap.object()
        .put("add", List.of(JsonMap.object().put("name", name).put("value", value).build()))).build();
  }

  /**
   * {@code filters} with one more response header added: into the rule's {@code ResponseHeaderModifier} when it has
   * one (Gateway API allows one per rule), else as a new one. {@code filters} is not changed.
   */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> withResponseHeader(List<Map<String, Object>> filters, String name, String value) {
    List<Map<String, Object>> out = new ArrayList<>();
    boolean added = false;
    for (Map<String, Object> filter : filters) {
      if (!added && "ResponseHeaderModifier".equals(filter.get("type"))) {
        Map<String, Object> modifier = new LinkedHashMap<>((Map<String, Object>) filter.get("responseHeaderModifier"));
        List<Object> add = new ArrayList<>((List<Object>) modifier.getOrDefault("add", List.of()));
        add.add(JsonMap.object().put("name", name).put("value", value).build());
        modifier.put("add", add);
        Map<String, Object> copy = new LinkedHashMap<>(filter);
        copy.put("responseHeaderModifier", modifier);
        out.add(copy);
        added = true;
      } else {
        out.add(filter);
      }
    }
    if (!added) {
      out.add(addResponseHeader(name, value));
    }
    return out;
  }

  private static Map<String, Object> headerModifier(String type, String field, HeaderOperation op) {
    JsonMap modifier = JsonMap.object()
        .put("add", headers(op.add))
        .put("set", headers(op.set))
        .put("remove", op.remove == null ? null : List.copyOf(op.remove));
    return JsonMap.object().put("type", type).put(field, modifier).build();
  }

  private static List<Map<String, Object>> headers(Map<String, String> byName) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (byName != null) {
      new TreeMap<>(byName).forEach((name, value) -> out.add(JsonMap.object().put("name", name).put("value", value).build()));
    }
    return out;
  }

  private static Map<String, Object> urlRewrite(CanaryService.HttpRewrite rewrite) {
    JsonMap filter = JsonMap.object();
    if (rewrite.authority != null && !rewrite.authority.isEmpty()) {
      filter.put("hostname", rewrite.authority);
    }
    if (rewrite.uri != null && !rewrite.uri.isEmpty()) {
      String type = rewriteType(rewrite);
      filter.put("path", JsonMap.object()
          .put("type", type)
          .put(REPLACE_FULL_PATH.equals(type) ? "replaceFullPath" : "replacePrefixMatch", rewrite.uri));
    }
    return JsonMap.object().put("type", "URLRewrite").put("urlRewrite", filter).build();
  }

  /** Flagger's {@code HTTPRewrite.GetType()}: {@code ReplacePrefixMatch} when asked for, else {@code ReplaceFullPath}. */
  static String rewriteType(CanaryService.HttpRewrite rewrite) {
    return REPLACE_PREFIX_MATCH.equals(rewrite.type) ? REPLACE_PREFIX_MATCH : REPLACE_FULL_PATH;
  }

  /** Whether {@code text} is a Gateway API {@code Duration} ({@code ^([0-9]{1,5}(h|m|s|ms)){1,4}$}). */
  static boolean isGatewayDuration(String text) {
    return text != null && text.matches("^([0-9]{1,5}(h|m|s|ms)){1,4}$") && GoDuration.parse(text).isPresent();
  }
}
