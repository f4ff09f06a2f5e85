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
 */
public record QueryModel(String name, String namespace, String target, String service, String ingress,
    String route, String interval, Map<String, String> variables) {

  /** The function names a query template may use. */
  public static final Set<String> FUNCTION_NAMES =
      Set.of("name", "namespace", "target", "service", "ingress", "route", "interval", "variables");

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
  }

  /** A model with only the required names; every other value takes Flagger's default. */
  public static QueryModel of(String name, String namespace, String target) {
    return new QueryModel(name, namespace, target, null, null, null, null, null);
  }

  public QueryModel withService(String value) {
    return new QueryModel(name, namespace, target, value, ingress, route, interval, variables);
  }

  public QueryModel withIngress(String value) {
    return new QueryModel(name, namespace, target, service, value, route, interval, variables);
  }

  public QueryModel withRoute(String value) {
    return new QueryModel(name, namespace, target, service, ingress, value, interval, variables);
  }

  public QueryModel withInterval(String value) {
    return new QueryModel(name, namespace, target, service, ingress, route, value, variables);
  }

  public QueryModel withVariables(Map<String, String> value) {
    return new QueryModel(name, namespace, target, service, ingress, route, interval, value);
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
    return functions;
  }
}
