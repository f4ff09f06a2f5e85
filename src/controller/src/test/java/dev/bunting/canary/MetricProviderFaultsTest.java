package dev.bunting.canary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.AnalysisStatus;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryAnalysis;
import dev.bunting.api.CanaryMetric;
import dev.bunting.api.CanarySpec;
import dev.bunting.api.CanaryStatus;
import dev.bunting.api.MetricTemplate;
import dev.bunting.api.ObjectReference;
import dev.bunting.testing.FaultyPrometheus.Fault;
import dev.bunting.testing.FaultyPrometheus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every way a metric provider can fail, through the canary's metric analysis against a Prometheus stand-in that is
 * switched to the fault: the tick is a failed check (never a pass, so never a step or a promotion), its message names
 * the fault, {@code status.analysis} shows the metric's result, and the next tick after the fault is gone passes.
 * How a failed check counts towards the threshold and the rollback is {@link CanaryDeciderTest}'s; the same faults
 * against a running canary are {@code MetricProviderFaultsClusterTest}'s.
 */
class MetricProviderFaultsTest {
  private static final Instant NOW = Instant.parse("2026-12-05T10:00:20Z");

  static Vertx vertx;
  static FaultyPrometheus prometheus;
  static PrometheusAnalysis analysis;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    prometheus = FaultyPrometheus.start(vertx, null);
    analysis = new PrometheusAnalysis(vertx, new PrometheusAnalysis.Sources() {
      @Override
      public Optional<MetricTemplate> template(String namespace, String name) {
        return Optional.empty();
      }

      @Override
      public Optional<Secret> secret(String namespace, String name) {
        return Optional.empty();
      }

      @Override
      public Future<Optional<String>> podTemplateHash(CanarySnapshot snapshot) {
        return Future.succeededFuture(Optional.empty());
      }
    }, Optional.of(prometheus.url()), "kubernetes", false);
  }

  @AfterAll
  static void stop() throws Exception {
    prometheus.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static CanarySnapshot snapshot() {
    Canary canary = new Canary();
    canary.setMetadata(new ObjectMetaBuilder().withName("podinfo").withNamespace("test").build());
    CanarySpec spec = new CanarySpec();
    spec.provider = "kubernetes";
    spec.targetRef = new ObjectReference("apps/v1", "Deployment", "podinfo");
    CanaryAnalysis a = new CanaryAnalysis();
    a.interval = "10s";
    a.threshold = 2;
    a.stepWeight = 10;
    CanaryMetric rate = new CanaryMetric();
    rate.name = "request-success-rate";
    rate.interval = "1m";
    rate.thresholdRange = new CanaryMetric.ThresholdRange(99.0, null);
    a.metrics = List.of(rate);
    spec.analysis = a;
    canary.setSpec(spec);
    CanaryStatus st = new CanaryStatus();
    st.analysis = new AnalysisStatus();
    st.analysis.startedAt = NOW.minusSeconds(20).toString();
    canary.setStatus(st);
    return new CanarySnapshot(canary, NOW, true, "kubernetes", true, List.of(), null, null, "v2:1", Map.of(), true);
  }

  private static CheckResult tick() throws Exception {
    return analysis.analyse(snapshot()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** What the failed check's message must say for each fault, and the metric's result in status. */
  private static final Map<Fault, List<String>> EXPECTED = Map.of(
      Fault.DOWN, List.of("Prometheus query failed: request failed: ", "Error"),
      Fault.ERROR_500, List.of("Prometheus query failed: error response: HTTP 500: internal: injected fault: "
          + "storage unavailable", "Error"),
      Fault.TIMEOUT, List.of("Prometheus query failed: request failed: no answer from http://127.0.0.1:", "Error"),
      Fault.EMPTY, List.of("Halt advancement no values found for kubernetes metric request-success-rate probably "
          + "podinfo.test is not receiving traffic", "NoData"),
      Fault.NAN, List.of("Halt advancement no values found for kubernetes metric request-success-rate", "NoData"),
      Fault.INF, List.of("Halt podinfo.test advancement request-success-rate is +Inf: the query divides by zero",
          "Failed"),
      Fault.SEVERAL_SERIES, List.of("Prometheus query failed: query returned 2 series but the analysis needs exactly "
          + "one", "Error"));

  @ParameterizedTest
  @EnumSource(value = Fault.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  void aFaultIsAFailedCheckNamingItAndTheNextHealthyTickPasses(Fault fault) throws Exception {
    prometheus.inject(Fault.NONE);
    assertThat(tick().outcome()).as("healthy before the fault").isEqualTo(CheckResult.Outcome.PASSED);

    prometheus.inject(fault);
    CheckResult failed = tick();
    assertThat(failed.outcome()).as(fault + ": a failed check, never a pass nor a wait")
        .isEqualTo(CheckResult.Outcome.FAILED);
    assertThat(failed.message()).as(fault.name()).startsWith(EXPECTED.get(fault).get(0));
    if (fault == Fault.TIMEOUT) {
      assertThat(failed.message()).endsWith(" within 5000ms");
    }
    assertThat(failed.analysis().metrics).singleElement()
        .satisfies(m -> assertThat(m.result).as(fault.name()).isEqualTo(EXPECTED.get(fault).get(1)));

    prometheus.inject(Fault.NONE);
    CheckResult recovered = tick();
    assertThat(recovered.outcome()).as("recovered after " + fault).isEqualTo(CheckResult.Outcome.PASSED);
    assertThat(recovered.analysis().metrics.get(0).value).isEqualTo(99.9);
  }
}
