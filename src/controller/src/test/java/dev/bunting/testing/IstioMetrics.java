package dev.bunting.testing;

import dev.bunting.testing.SyntheticAppMetrics.MetricFamily;
import dev.bunting.testing.SyntheticAppMetrics.PodTraffic;
import java.util.List;

/**
 * The synthetic pods' traffic as Istio's sidecars report it on the server side ({@code reporter="destination"}):
 * {@code istio_requests_total} by {@code response_code}, and the {@code istio_request_duration_milliseconds} histogram
 * with Istio's default buckets, labelled with {@code destination_workload} (the Deployment) and
 * {@code destination_workload_namespace}. These are the series Flagger's builtin {@code istio} queries select, so
 * {@code request-success-rate} and {@code request-duration} work unchanged against them.
 */
public final class IstioMetrics implements MetricFamily {
  public static final IstioMetrics FAMILY = new IstioMetrics();

  /** Istio's default buckets for {@code istio_request_duration_milliseconds}. */
  private static final double[] BUCKETS_MS = {0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000,
      60000, 300000, 600000, 1800000, 3600000};

  private IstioMetrics() {}

  @Override
  public void render(StringBuilder out, List<PodTraffic> pods) {
    out.append("# TYPE istio_requests_total counter\n");
    for (PodTraffic p : pods) {
      out.append("istio_requests_total{").append(labels(p, "200")).append("} ").append(p.ok()).append('\n');
      out.append("istio_requests_total{").append(labels(p, "500")).append("} ").append(p.errors()).append('\n');
    }
    out.append("# TYPE istio_request_duration_milliseconds histogram\n");
    for (PodTraffic p : pods) {
      SyntheticAppMetrics.histogram(out, "istio_request_duration_milliseconds", labels(p, "200"), p.ok(),
          p.latency() * 1000, BUCKETS_MS);
      SyntheticAppMetrics.histogram(out, "istio_request_duration_milliseconds", labels(p, "500"), p.errors(),
          p.latency() * 1000, BUCKETS_MS);
    }
  }

  private static String labels(PodTraffic p, String code) {
    return "reporter=\"destination\",destination_workload=\"" + p.workload()
        + "\",destination_workload_namespace=\"" + p.namespace() + "\",destination_app=\"" + p.workload()
        + "\",pod=\"" + p.pod() + "\",response_code=\"" + code + "\"";
  }
}
