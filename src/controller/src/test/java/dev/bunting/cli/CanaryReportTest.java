package dev.bunting.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

/** What {@code bunting status NAME} prints for a canary the comparison judge stopped. */
class CanaryReportTest {

  @Test
  void showsPhaseWeightFailedChecksAndTheLastAnalysisMetricByMetric() {
    Canary canary = Serialization.unmarshal("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: podinfo, namespace: test}
        spec:
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
          service: {port: 9898}
          analysis: {interval: 10s, threshold: 2, stepWeight: 10, maxWeight: 50}
        status:
          phase: Progressing
          canaryWeight: 20
          failedChecks: 1
          conditions:
          - {type: Ready, status: Unknown, reason: Progressing, message: "failed checks 1/2: Halt ..."}
          analysis:
            startedAt: "2026-11-26T10:00:00Z"
            evaluatedAt: "2026-11-26T10:00:40Z"
            result: Failed
            message: "Halt podinfo.test advancement latency canary higher than primary"
            metrics:
            - name: request-success-rate
              result: Passed
              value: 100
              range: ">= 99"
              window: 20s
              requests: 412
              query: "sum( rate( http_request_duration_seconds_count{...}[20s] ) )"
            - name: latency
              result: Failed
              window: "samples every 5s since 2026-11-26T10:00:00Z"
              canary: {count: 6, median: 26, mean: 26.1}
              primary: {count: 6, median: 20.05, mean: 20.1}
              comparison: "mean 1.30x primary (26.1 vs 20.1), p=0.0025 < 0.01, higher is worse, tolerance 10%"
              message: "latency canary higher than primary: mean 1.30x primary"
        """, Canary.class);
    assertThat(CanaryReport.lines(canary)).containsExactly(
        "Analysis of this release since 2026-11-26T10:00:00Z, last tick 2026-11-26T10:00:40Z: Failed",
        "  Halt podinfo.test advancement latency canary higher than primary",
        "  METRIC                   RESULT   MEASURED                           EXPECTED       WINDOW",
        "  request-success-rate     Passed   100, 412 requests                  >= 99          20s",
        "      query: sum( rate( http_request_duration_seconds_count{...}[20s] ) )",
        "  latency                  Failed   canary median 26 (6) vs primary median 20.05 (6) not worse      "
            + "samples every 5s since 2026-11-26T10:00:00Z",
        "      latency canary higher than primary: mean 1.30x primary");
  }
}
