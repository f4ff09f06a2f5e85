package dev.bunting.canary;

import dev.bunting.testing.SyntheticAppMetrics;
import java.util.List;

/**
 * The series Knative's Envoy-based ingress exports per revision ({@code envoy_cluster_upstream_rq} by response code,
 * {@code envoy_cluster_upstream_rq_time} in milliseconds), with {@code envoy_cluster_name="<namespace>/<revision>"}, as
 * Flagger's builtin {@code knative} queries read them. Pods belong to a revision through the Deployment the Knative
 * stand-in runs for it ({@code <revision>-deployment}); other pods export nothing here.
 */
final class KnativeEnvoyMetrics implements SyntheticAppMetrics.MetricFamily {
  static final double[] MILLISECONDS = {5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};

  @Override
  public void render(StringBuilder out, List<SyntheticAppMetrics.PodTraffic> pods) {
    out.append("# TYPE envoy_cluster_upstream_rq counter\n");
    for (SyntheticAppMetrics.PodTraffic p : pods) {
      if (p.workload().endsWith("-deployment")) {
        String labels = labels(p);
        out.append("envoy_cluster_upstream_rq{").append(labels).append(",envoy_response_code=\"200\"} ")
            .append(p.ok()).append('\n');
        out.append("envoy_cluster_upstream_rq{").append(labels).append(",envoy_response_code=\"503\"} ")
            .append(p.errors()).append('\n');
      }
    }
    out.append("# TYPE envoy_cluster_upstream_rq_time histogram\n");
    for (SyntheticAppMetrics.PodTraffic p : pods) {
      if (p.workload().endsWith("-deployment")) {
        SyntheticAppMetrics.histogram(out, "envoy_cluster_upstream_rq_time", labels(p), p.ok() + p.errors(),
            p.latency() * 1000, MILLISECONDS);
      }
    }
  }

  private static String labels(SyntheticAppMetrics.PodTraffic p) {
    String revision = p.workload().substring(0, p.workload().length() - "-deployment".length());
    return "envoy_cluster_name=\"" + p.namespace() + "/" + revision + "\",kubernetes_pod_name=\"" + p.pod() + "\"";
  }
}
