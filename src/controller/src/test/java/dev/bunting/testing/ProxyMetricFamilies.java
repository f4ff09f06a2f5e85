package dev.bunting.testing;

import dev.bunting.testing.SyntheticAppMetrics.MetricFamily;
import dev.bunting.testing.SyntheticAppMetrics.PodTraffic;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The series the ingress controllers and proxies in front of the synthetic pods would export, with the labels that
 * Flagger's builtin {@code request-success-rate} and {@code request-duration} queries select. Every family assumes the
 * tests' naming: the target Deployment, the apex Service and the user's Ingress or ApisixRoute all share the canary's
 * name; a pod of {@code <name>} is the canary, a pod of {@code <name>-primary} the primary. Each series also carries
 * {@code pod}, the synthetic pod whose requests it counts (a proxy's series would carry its own pod), so the counters
 * of two pods, or of a pod that is gone and its successor, never share a series.
 */
public final class ProxyMetricFamilies {
  /** Envoy's upstream_rq_time buckets, in milliseconds. */
  private static final double[] ENVOY_MS = {0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000};
  private static final Pattern NON_WORD = Pattern.compile("\\W");

  private ProxyMetricFamilies() {}

  /** ingress-nginx: {@code nginx_ingress_controller_requests} and the response duration sum and count. */
  public static final MetricFamily NGINX = (out, pods) -> {
    out.append("# TYPE nginx_ingress_controller_requests counter\n");
    for (PodTraffic p : pods) {
      String target = target(p);
      String canary = isCanary(p) ? p.namespace() + "-" + target + "-canary-80" : "";
      String labels = "namespace=\"" + p.namespace() + "\",ingress=\"" + target + "\",canary=\"" + canary + "\""
          + pod(p);
      out.append("nginx_ingress_controller_requests{").append(labels).append(",status=\"200\"} ").append(p.ok())
          .append('\n');
      out.append("nginx_ingress_controller_requests{").append(labels).append(",status=\"503\"} ").append(p.errors())
          .append('\n');
      double count = p.ok() + p.errors();
      out.append("nginx_ingress_controller_response_duration_seconds_sum{").append(labels).append("} ")
          .append(count * p.latency()).append('\n');
      out.append("nginx_ingress_controller_response_duration_seconds_count{").append(labels).append("} ")
          .append(count).append('\n');
    }
  };

  /** Contour's Envoy: {@code envoy_cluster_upstream_rq} and {@code envoy_cluster_upstream_rq_time} (milliseconds). */
  public static final MetricFamily CONTOUR = (out, pods) -> {
    out.append("# TYPE envoy_cluster_upstream_rq counter\n");
    for (PodTraffic p : pods) {
      String cluster = "envoy_cluster_name=\"" + p.namespace() + "_" + target(p) + (isCanary(p) ? "-canary" : "-primary")
          + "_80\"" + pod(p);
      out.append("envoy_cluster_upstream_rq{").append(cluster).append(",envoy_response_code=\"200\"} ").append(p.ok())
          .append('\n');
      out.append("envoy_cluster_upstream_rq{").append(cluster).append(",envoy_response_code=\"503\"} ")
          .append(p.errors()).append('\n');
      SyntheticAppMetrics.histogram(out, "envoy_cluster_upstream_rq_time", cluster, p.ok() + p.errors(),
          p.latency() * 1000, ENVOY_MS);
    }
  };

  /**
   * Skipper: route names {@code kube_<ns>__<ingress>_canary__<host>__<path>__<backend>} with every non-word character
   * as {@code _} (host {@code app.example.com}, path {@code /}).
   */
  public static final MetricFamily SKIPPER = (out, pods) -> {
    for (PodTraffic p : pods) {
      String backend = target(p) + (isCanary(p) ? "-canary" : "-primary");
      String route = "route=\"" + word("kube_" + p.namespace() + "__" + target(p) + "-canary__app.example.com__/__"
          + backend) + "\"" + pod(p);
      SyntheticAppMetrics.histogram(out, "skipper_response_duration_seconds", route + ",code=\"200\"", p.ok(),
          p.latency());
      SyntheticAppMetrics.histogram(out, "skipper_response_duration_seconds", route + ",code=\"503\"", p.errors(),
          p.latency());
      SyntheticAppMetrics.histogram(out, "skipper_serve_route_duration_seconds", route, p.ok() + p.errors(),
          p.latency());
    }
  };

  /**
   * APISIX's prometheus plugin ({@code prefer_name}): route {@code <ns>_<route>-<target>-canary_<http entry>} for the
   * canary route Bunting generates, {@code apisix_http_status} and {@code apisix_http_latency} (milliseconds).
   */
  public static final MetricFamily APISIX = (out, pods) -> {
    for (PodTraffic p : pods) {
      if (!isCanary(p)) {
        continue;
      }
      String route = "route=\"" + p.namespace() + "_" + target(p) + "-" + target(p) + "-canary_method\"" + pod(p);
      out.append("apisix_http_status{").append(route).append(",code=\"200\"} ").append(p.ok()).append('\n');
      out.append("apisix_http_status{").append(route).append(",code=\"503\"} ").append(p.errors()).append('\n');
      SyntheticAppMetrics.histogram(out, "apisix_http_latency", route + ",type=\"request\"", p.ok() + p.errors(),
          p.latency() * 1000, ENVOY_MS);
    }
  };

  /** Every family of this class, for a test that runs canaries of several providers side by side. */
  public static List<MetricFamily> all() {
    return List.of(NGINX, CONTOUR, SKIPPER, APISIX);
  }

  private static String pod(PodTraffic p) {
    return ",pod=\"" + p.pod() + "\"";
  }

  private static boolean isCanary(PodTraffic p) {
    return !p.workload().endsWith("-primary");
  }

  private static String target(PodTraffic p) {
    return isCanary(p) ? p.workload() : p.workload().substring(0, p.workload().length() - "-primary".length());
  }

  private static String word(String s) {
    return NON_WORD.matcher(s).replaceAll("_");
  }
}
