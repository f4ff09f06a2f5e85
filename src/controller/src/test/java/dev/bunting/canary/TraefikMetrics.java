package dev.bunting.canary;

import dev.bunting.testing.SyntheticAppMetrics;
import dev.bunting.testing.SyntheticAppMetrics.PodTraffic;
import java.util.List;

/**
 * The synthetic pods' traffic as Traefik exports it for the Kubernetes Services behind a TraefikService (the series
 * Flagger's builtin {@code traefik} queries read): {@code traefik_service_request_duration_seconds} by {@code code},
 * with {@code service="<namespace>-<service>-<port>@kubernetescrd"}. A target's pods serve {@code <target>-canary}, the
 * primary's pods {@code <target>-primary}.
 */
final class TraefikMetrics implements SyntheticAppMetrics.MetricFamily {
  private final int port;

  /** {@code port}: the Services' port ({@code service.port}), part of Traefik's service name. */
  TraefikMetrics(int port) {
    this.port = port;
  }

  @Override
  public void render(StringBuilder out, List<PodTraffic> pods) {
    out.append("# TYPE traefik_service_request_duration_seconds histogram\n");
    for (PodTraffic p : pods) {
      String service = p.workload().endsWith("-primary") ? p.workload() : p.workload() + "-canary";
      // pod keeps the series of two pods of one workload apart (a scrape with duplicate series is refused as a whole)
      String labels = "service=\"" + p.namespace() + "-" + service + "-" + port + "@kubernetescrd\",method=\"GET\","
          + "protocol=\"http\",pod=\"" + p.pod() + "\"";
      SyntheticAppMetrics.histogram(out, "traefik_service_request_duration_seconds", labels + ",code=\"200\"", p.ok(),
          p.latency());
      SyntheticAppMetrics.histogram(out, "traefik_service_request_duration_seconds", labels + ",code=\"500\"",
          p.errors(), p.latency());
    }
  }
}
