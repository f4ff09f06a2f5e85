package dev.bunting.analysis;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a query template can see: Flagger's {@code MetricTemplateModel}. Templates reach it through
 * zero-argument functions: {@code {{ name }}}, {@code {{ namespace }}}, {@code {{ target }}},
 * {@code {{ service }}}, {@code {{ ingress }}}, {@code {{ route }}}, {@code {{ interval }}} and
 * {@code {{ variables.key }}} (or {@code {{ index variables "key" }}}).
 *
 * <p>Bunting adds three functions that tie a query to the release being analysed (docs/analysis.md):
 * {@code {{ analysisStart }}} (Unix seconds when this revision's analysis started), {@code {{ window }}} (the
 * metric's interval clipped to the time since that start, e.g. {@code 20s}) and {@code {{ pods }}} (a regular
 * expression matching the pods of this revision: {@code <target>-<pod-template-hash>-[0-9a-zA-Z]+} when the hash is
 * known, else Flagger's {@code <target>-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)}). Without a release they default to the
 * interval and Flagger's pattern, so a query renders as Flagger renders it.
 *
 * <p>Flagger's defaults when a Canary leaves them out: {@code service} is {@code spec.service.name} else the
 * target, {@code ingress} is {@code spec.ingressRef.name} else the target, {@code route} is
 * {@code spec.routeRef.name} else the target (for Knative, the latest created revision), {@code interval} is
 * the metric's interval (default {@code 1m}). The compact constructor applies them to {@code null} values,
 * so {@code QueryModel.of(name, namespace, target)} plus the {@code with...} methods build any model.
 *
 * @param name the Canary's name
 * @param namespace the Canary's namespace
 * @param target {@code spec.targetRef.name}
 * @param service {@code spec.service.name}, or the target
 * @param ingress {@code spec.ingressRef.name}, or the target
 * @param route {@code spec.routeRef.name}, or the target; for Knative the latest created revision
 * @param interval the metric interval, a Prometheus duration such as {@code 1m}
 * @param variables the metric's {@code templateVariables}
 * @param analysisStart Unix seconds of the analysis start (Bunting), or empty
 * @param window the interval clipped to the analysis start (Bunting), or the interval
 * @param pods the regular expression of this revision's pod names (Bunting), or Flagger's pattern for the target
 */
public record QueryModel(String name, String namespace, String target, String service, String ingress,
    String route, String interval, Map<String, String> variables, String analysisStart, String window, String pods) {

  /** The function names a query template may use. */
  public static final Set<String> FUNCTION_NAMES = Set.of("name", "namespace", "target", "service", "ingress",
      "route", "interval", "variables", "analysisStart", "window", "pods");

  /** Longest generated pod name prefix Kubernetes keeps ({@code maxGeneratedNameLength}: 63 - 5 random characters). */
  private static final int MAX_GENERATED_PREFIX = 58;

  /** Flagger's default metric interval. */
  public static final String DEFAULT_INTERVAL = "1m";

  public QueryModel {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(target, "target");
    service = service == null ? target : service;
    ingress = ingress == null ? target : ingress;
    route = route == null ? target : route;
    interval = interval == null || interval.isBlank() ? DEFAULT_INTERVAL : interval;
    variables = variables == null ? Map.of() : Map.copyOf(variables);
    analysisStart = analysisStart == null ? "" : analysisStart;
    window = window == null || window.isBlank() ? interval : window;
    pods = pods == null || pods.isBlank() ? flaggerPods(target) : pods;
  }

  /** Flagger's model: no release, so {@code window} is the interval and {@code pods} Flagger's pattern. */
  public QueryModel(String name, String namespace, String target, String service, String ingress, String route,
      String interval, Map<String, String> variables) {
    this(name, namespace, target, service, ingress, route, interval, variables, null, null, null);
  }

  /** A model with only the required names; every other value takes Flagger's default. */
  public static QueryModel of(String name, String namespace, String target) {
    return new QueryModel(name, namespace, target, null, null, null, null, null);
  }

  public QueryModel withService(String value) {
    return new QueryModel(name, namespace, target, value, ingress, route, interval, variables, analysisStart, window,
        pods);
  }

  public QueryModel withIngress(String value) {
    return new QueryModel(name, namespace, target, service, value, route, interval, variables, analysisStart, window,
        pods);
  }

  public QueryModel withRoute(String value) {
    return new QueryModel(name, namespace, target, service, ingress, value, interval, variables, analysisStart, window,
        pods);
  }

  /** Sets the interval; a window that was the interval follows it. */
  public QueryModel withInterval(String value) {
    return new QueryModel(name, namespace, target, service, ingress, route, value, variables, analysisStart,
        window.equals(interval) ? null : window, pods);
  }

  public QueryModel withVariables(Map<String, String> value) {
    return new QueryModel(name, namespace, target, service, ingress, route, interval, value, analysisStart, window,
        pods);
  }

  /**
   * Ties the model to a release: the analysis start, the window (the interval clipped to it) and this revision's pods.
   *
   * @param start Unix seconds of the analysis start
   * @param clippedWindow a Prometheus duration, e.g. {@code 20s}
   * @param podPattern from {@link #revisionPods} or {@link #flaggerPods}
   */
  public QueryModel withRelease(long start, String clippedWindow, String podPattern) {
    return new QueryModel(name, namespace, target, service, ingress, route, interval, variables,
        Long.toString(start), clippedWindow, podPattern);
  }

  /** Sets only the window (e.g. one sample step for a range query). */
  public QueryModel withWindow(String value) {
    return new QueryModel(name, namespace, target, service, ingress, route, interval, variables, analysisStart, value,
        pods);
  }

  /**
   * The same model for the primary: {@code target} is {@code <target>-primary} and {@code pods} the primary's pods
   * (Flagger's pattern on the primary's name: the primary is not changing during an analysis).
   */
  public QueryModel forPrimary() {
    String primary = target + "-primary";
    return new QueryModel(name, namespace, primary, service, ingress, route, interval, variables, analysisStart, window,
        flaggerPods(primary));
  }

  /** Flagger's pod name pattern: {@code <target>-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)}, any revision of the target. */
  public static String flaggerPods(String target) {
    return target + "-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)";
  }

  /**
   * The pods of one revision of a Deployment: {@code <target>-<hash>-[0-9a-zA-Z]+}. Falls back to Flagger's pattern
   * when the hash is unknown or Kubernetes would have cut the generated name inside the hash (very long names).
   */
  public static String revisionPods(String target, String podTemplateHash) {
    if (podTemplateHash == null || podTemplateHash.isBlank()
        || target.length() + podTemplateHash.length() + 2 > MAX_GENERATED_PREFIX
        || !podTemplateHash.matches("[0-9a-zA-Z]+")) {
      return flaggerPods(target);
    }
    return target + "-" + podTemplateHash + "-[0-9a-zA-Z]+";
  }

  /** The values behind the template functions, keyed by {@link #FUNCTION_NAMES}. */
  public Map<String, Object> templateFunctions() {
    Map<String, Object> functions = new LinkedHashMap<>();
    functions.put("name", name);
    functions.put("namespace", namespace);
    functions.put("target", target);
    functions.put("service", service);
    functions.put("ingress", ingress);
    functions.put("route", route);
    functions.put("interval", interval);
    functions.put("variables", variables);
    functions.put("analysisStart", analysisStart);
    functions.put("window", window);
    functions.put("pods", pods);
    return functions;
  }
}
