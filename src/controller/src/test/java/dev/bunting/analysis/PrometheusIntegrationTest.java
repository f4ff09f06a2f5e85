package dev.bunting.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bunting.testing.PrometheusServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The builtin {@code kubernetes} queries and {@link PrometheusProvider} against a real Prometheus that scrapes
 * an exporter served by this test: {@code http_request_duration_seconds} histograms with the
 * {@code kubernetes_namespace} / {@code kubernetes_pod_name} / {@code status} labels of Flagger's bundled
 * Prometheus config.
 *
 * <p>The exporter's counters grow linearly with time, 10 requests a second for {@code podinfo}: 8 answer 200
 * and 2 answer 500 (80 % success), and every status has the same latency distribution: 60 % ≤ 50 ms, 30 % in
 * (50 ms, 100 ms], 6 % in (100 ms, 250 ms], 4 % in (250 ms, 500 ms]. Prometheus' {@code histogram_quantile(0.99)}
 * interpolates inside the last bucket: 0.25 + 0.25 × (99 − 96) / 4 = 0.4375 s, which the HTTP observer
 * reports as 437 ms. A second workload, {@code idle}, exports counters that never move.
 */
@Tag("cluster")
@ExtendWith(VertxExtension.class)
class PrometheusIntegrationTest {

  private static final String NAMESPACE = "test";
  private static final double[] BOUNDS = {0.05, 0.1, 0.25, 0.5, 1.0};
  /** Cumulative share of requests at or below each bound (and +Inf). */
  private static final double[] CUMULATIVE = {0.60, 0.90, 0.96, 1.0, 1.0};

  private static HttpServer exporter;
  private static PrometheusServer prometheus;
  private static PrometheusProvider provider;
  private static final long STARTED = System.nanoTime();

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    if (!PrometheusServer.isAvailable()) {
      return; // every test is skipped with the reason in requirePrometheus()
    }
    exporter = await(vertx.createHttpServer()
        .requestHandler(req -> req.response().putHeader("Content-Type", "text/plain; version=0.0.4")
            .end(metrics()))
        .listen(0, "127.0.0.1"));
    prometheus = PrometheusServer.start("analysis-it", PrometheusServer.scrapeConfig(exporter.actualPort()));
    provider = new PrometheusProvider(vertx, PrometheusEndpoint.of(prometheus.url()));
    // rate() over the 10 s window needs two scrapes of the podinfo series
    prometheus.awaitData("sum(rate(http_request_duration_seconds_count{kubernetes_pod_name=~\"podinfo-.*\"}[10s]))",
        Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() throws Exception {
    if (provider != null) {
      provider.close();
    }
    if (prometheus != null) {
      prometheus.close();
    }
    if (exporter != null) {
      await(exporter.close());
    }
  }

  @BeforeEach
  void requirePrometheus() {
    assumeTrue(PrometheusServer.isAvailable(), PrometheusServer.UNAVAILABLE);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static MetricValue measure(BuiltinMetric metric, String target) throws Exception {
    QueryModel model = QueryModel.of(target, NAMESPACE, target).withInterval("10s");
    return await(BuiltinQueries.observerFor("kubernetes").measure(metric, model, provider));
  }

  @Test
  void prometheusIsOnline() throws Exception {
    assertThat(await(provider.isOnline())).isTrue();
  }

  @Test
  void successRateIsTheShareOfNon5xxRequests() throws Exception {
    MetricValue value = measure(BuiltinMetric.REQUEST_SUCCESS_RATE, "podinfo");
    assertThat(value).isInstanceOf(MetricValue.Value.class);
    assertThat(((MetricValue.Value) value).value()).isCloseTo(80.0, within(1e-6));

    MetricVerdict verdict = MetricJudge.judge(new MetricCheck("request-success-rate", MetricCheck.Kind.SUCCESS_RATE,
        ThresholdRange.atLeast(99), 0, "kubernetes", "podinfo", NAMESPACE, "podinfo"), value);
    assertThat(verdict.message()).isEqualTo("Halt podinfo.test advancement success rate 80.00% < 99%");
  }

  @Test
  void durationIsTheP99InWholeMilliseconds() throws Exception {
    MetricValue value = measure(BuiltinMetric.REQUEST_DURATION, "podinfo");
    assertThat(value).isEqualTo(MetricValue.of(437));

    MetricCheck check = new MetricCheck("request-duration", MetricCheck.Kind.DURATION, ThresholdRange.atMost(500), 0,
        "kubernetes", "podinfo", NAMESPACE, "podinfo");
    assertThat(MetricJudge.judge(check, value).passed()).isTrue();
  }

  @Test
  void aTargetWithoutTrafficHasNoValues() throws Exception {
    MetricValue missing = measure(BuiltinMetric.REQUEST_SUCCESS_RATE, "absent");
    assertThat(missing).isEqualTo(MetricValue.noValues("no values found"));

    MetricValue idle = measure(BuiltinMetric.REQUEST_SUCCESS_RATE, "idle");
    assertThat(idle).isEqualTo(MetricValue.noValues("no values found (the query returned NaN)"));

    MetricVerdict verdict = MetricJudge.judge(new MetricCheck("request-success-rate", MetricCheck.Kind.SUCCESS_RATE,
        ThresholdRange.atLeast(99), 0, "kubernetes", "idle", NAMESPACE, "idle"), idle);
    assertThat(verdict.message()).isEqualTo(
        "Halt advancement no values found for kubernetes metric request-success-rate probably idle.test is not "
            + "receiving traffic");
  }

  @Test
  void severalSeriesAreAnError() throws Exception {
    MetricValue value = await(provider.query("sum by (kubernetes_pod_name) (http_request_duration_seconds_count)"));
    assertThat(value).isInstanceOf(MetricValue.Failed.class);
    assertThat(((MetricValue.Failed) value).message()).startsWith("query returned 2 series");
  }

  @Test
  void badQueriesCarryPrometheusError() throws Exception {
    MetricValue value = await(provider.query("sum(rate(http_request_duration_seconds_count[1m])"));
    assertThat(value).isInstanceOf(MetricValue.Failed.class);
    assertThat(((MetricValue.Failed) value).message()).startsWith("error response: HTTP 400: bad_data: ");
  }

  // --- the exporter ----------------------------------------------------------------------------

  /** Prometheus text format for two workloads; podinfo's counters grow with time, idle's stay put. */
  private static String metrics() {
    double seconds = (System.nanoTime() - STARTED) / 1e9;
    StringBuilder out = new StringBuilder()
        .append("# HELP http_request_duration_seconds Duration of HTTP requests.\n")
        .append("# TYPE http_request_duration_seconds histogram\n");
    histogram(out, "podinfo-7d9f8b6c5-x2k4p", "200", 8 * seconds);
    histogram(out, "podinfo-7d9f8b6c5-x2k4p", "500", 2 * seconds);
    histogram(out, "idle-5c6d7e8f9-q1w2e", "200", 42);
    return out.toString();
  }

  private static void histogram(StringBuilder out, String pod, String status, double requests) {
    String labels = "kubernetes_namespace=\"" + NAMESPACE + "\",kubernetes_pod_name=\"" + pod + "\",status=\""
        + status + "\"";
    // Double.toString keeps every bit (Prometheus parses 1.5E3 too), so 8t : 2t stays exactly 4 : 1
    for (int i = 0; i < BOUNDS.length; i++) {
      out.append(String.format(Locale.ROOT, "http_request_duration_seconds_bucket{%s,le=\"%s\"} %s%n", labels,
          BOUNDS[i], requests * CUMULATIVE[i]));
    }
    out.append(String.format(Locale.ROOT, "http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %s%n", labels,
        requests));
    out.append(String.format(Locale.ROOT, "http_request_duration_seconds_sum{%s} %s%n", labels, requests * 0.09));
    out.append(String.format(Locale.ROOT, "http_request_duration_seconds_count{%s} %s%n", labels, requests));
  }
}
