package dev.bunting.canary;

import dev.bunting.testing.SyntheticAppMetrics;
import dev.bunting.testing.SyntheticAppMetrics.PodTraffic;
import java.util.List;

/**
 * The synthetic pods' traffic as Linkerd's proxies export it (the series Flagger's builtin {@code linkerd} queries and
 * Flagger's Linkerd MetricTemplates read): {@code response_total} by {@code classification} and
 * {@code response_latency_ms} (milliseconds), labelled with {@code namespace}, {@code deployment}, {@code pod} and
 * {@code direction="inbound"}, as the inbound side of each meshed pod reports them.
 */
final class LinkerdMetrics implements SyntheticAppMetrics.MetricFamily {
  /** Linkerd's latency buckets (milliseconds), up to 10 s. */
  private static final double[] BUCKETS_MS = {1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000,
      3000, 4000, 5000, 10000};

  static final LinkerdMetrics FAMILY = new LinkerdMetrics();

  @Override
  public void render(StringBuilder out, List<PodTraffic> pods) {
    out.append("# TYPE response_total counter\n");
    for (PodTraffic p : pods) {
      out.append("response_total{").append(labels(p)).append(",classification=\"success\",status_code=\"200\"} ")
          .append(p.ok()).append('\n');
      out.append("response_total{").append(labels(p)).append(",classification=\"failure\",status_code=\"500\"} ")
          .append(p.errors()).append('\n');
    }
    out.append("# TYPE response_latency_ms histogram\n");
    for (PodTraffic p : pods) {
      SyntheticAppMetrics.histogram(out, "response_latency_ms", labels(p), p.ok() + p.errors(), p.latency() * 1000,
          BUCKETS_MS);
    }
  }

  private static String labels(PodTraffic p) {
    return "namespace=\"" + p.namespace() + "\",deployment=\"" + p.workload() + "\",pod=\"" + p.pod()
        + "\",direction=\"inbound\"";
  }
}
