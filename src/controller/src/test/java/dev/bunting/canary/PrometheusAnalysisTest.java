package dev.bunting.canary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.AnalysisStatus;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryAnalysis;
import dev.bunting.api.CanaryMetric;
import dev.bunting.api.CanarySpec;
import dev.bunting.api.CanaryStatus;
import dev.bunting.api.MetricTemplate;
import dev.bunting.api.NamedReference;
import dev.bunting.api.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The metric analysis against a Prometheus stand-in that answers by query text: which queries it sends (windows that
 * belong to the release, the revision's pods, the primary's query), and what a user reads in {@code status.analysis}
 * and the failed check's message for each judge and no-data policy.
 */
class PrometheusAnalysisTest {
  private static final Instant START = Instant.parse("2026-11-26T10:00:00Z");
  private static final Instant NOW = START.plusSeconds(20);

  static Vertx vertx;
  static HttpServer server;
  static final List<MultiMap> requests = new CopyOnWriteArrayList<>();
  static volatile Function<MultiMap, String> answer;
  private PrometheusAnalysis analysis;
  private final Map<String, MetricTemplate> templates = new java.util.HashMap<>();

  @BeforeAll
  static void startPrometheus() throws Exception {
    vertx = Vertx.vertx();
    server = vertx.createHttpServer().requestHandler(req -> {
      MultiMap params = MultiMap.caseInsensitiveMultiMap().addAll(req.params()).add("path", req.path());
      requests.add(params);
      String body = answer.apply(params);
      req.response().setStatusCode(body == null ? 503 : 200).end(body == null ? "down" : body);
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void fresh() {
    requests.clear();
    analysis = new PrometheusAnalysis(vertx, new PrometheusAnalysis.Sources() {
      @Override
      public Optional<MetricTemplate> template(String namespace, String name) {
        return Optional.ofNullable(templates.get(name));
      }

      @Override
      public Optional<Secret> secret(String namespace, String name) {
        return Optional.empty();
      }

      @Override
      public Future<Optional<String>> podTemplateHash(CanarySnapshot snapshot) {
        return Future.succeededFuture(Optional.of("7d9f6c5b8"));
      }
    }, Optional.of("http://127.0.0.1:" + server.actualPort()), "kubernetes", true);
  }

  private static String vector(double v) {
    return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\""
        + v + "\"]}]}}";
  }

  private static String empty() {
    return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}";
  }

  private static String matrix(double... values) {
    StringBuilder b = new StringBuilder("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{"
        + "\"metric\":{},\"values\":[");
    for (int i = 0; i < values.length; i++) {
      b.append(i == 0 ? "" : ",").append("[").append(i).append(",\"").append(values[i]).append("\"]");
    }
    return b.append("]}]}}").toString();
  }

  private static CanarySnapshot snapshot(CanaryAnalysis analysis) {
    Canary canary = new Canary();
    canary.setMetadata(new ObjectMetaBuilder().withName("podinfo").withNamespace("test").build());
    CanarySpec spec = new CanarySpec();
    spec.provider = "kubernetes";
    spec.targetRef = new ObjectReference("apps/v1", "Deployment", "podinfo");
    spec.analysis = analysis;
    canary.setSpec(spec);
    CanaryStatus st = new CanaryStatus();
    st.analysis = new AnalysisStatus();
    st.analysis.startedAt = START.toString();
    canary.setStatus(st);
    return new CanarySnapshot(canary, NOW, true, "kubernetes", true, List.of(), null, null, "v2:1", Map.of(), true);
  }

  private static CanaryAnalysis analysis(CanaryMetric... metrics) {
    CanaryAnalysis a = new CanaryAnalysis();
    a.interval = "10s";
    a.threshold = 2;
    a.stepWeight = 10;
    a.metrics = List.of(metrics);
    return a;
  }

  private CheckResult run(CanaryAnalysis a) throws Exception {
    return analysis.analyse(snapshot(a)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static CanaryMetric successRate(Double min) {
    CanaryMetric m = new CanaryMetric();
    m.name = "request-success-rate";
    m.interval = "1m";
    m.thresholdRange = new CanaryMetric.ThresholdRange(min, null);
    return m;
  }

  @Test
  void withoutWindowReleaseTheBuiltinQueryIsFlaggersAndStatusShowsWhatWasJudged() throws Exception {
    answer = q -> vector(99.5);
    CheckResult r = run(analysis(successRate(99.0)));
    assertThat(r.outcome()).isEqualTo(CheckResult.Outcome.PASSED);
    assertThat(requests).singleElement().satisfies(q -> {
      assertThat(q.get("query")).contains("kubernetes_pod_name=~\"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\"")
          .contains("[1m]");
      assertThat(q.get("time")).isEqualTo(Long.toString(NOW.getEpochSecond()));
    });
    AnalysisStatus.Metric m = r.analysis().metrics.get(0);
    assertThat(m.result).isEqualTo("Passed");
    assertThat(m.value).isEqualTo(99.5);
    assertThat(m.range).isEqualTo(">= 99");
    assertThat(m.window).isEqualTo("1m");
    assertThat(m.message).isEqualTo("99.5% within >= 99 over 1m");
    assertThat(m.query).startsWith("sum( rate( http_request_duration_seconds_count{");
  }

  @Test
  void withWindowReleaseTheBuiltinQueryCoversOnlyThisReleaseAndItsPods() throws Exception {
    answer = q -> vector(80);
    CanaryAnalysis a = analysis(successRate(99.0));
    a.window = "release";
    CheckResult r = run(a);
    assertThat(requests.get(0).get("query")).contains("kubernetes_pod_name=~\"podinfo-7d9f6c5b8-[0-9a-zA-Z]+\"")
        .contains("[20s]").doesNotContain("[1m]");
    assertThat(r.outcome()).isEqualTo(CheckResult.Outcome.FAILED);
    assertThat(r.message()).as("Flagger's text for a threshold metric")
        .isEqualTo("Halt podinfo.test advancement success rate 80.00% < 99%");
    assertThat(r.analysis().metrics.get(0).window).isEqualTo("20s");
    assertThat(r.analysis().metrics.get(0).message).isEqualTo("Halt podinfo.test advancement success rate 80.00% < 99% "
        + "over 20s");
  }

  @Test
  void minRequestsCountsTheCanarysRequestsOfThisRelease() throws Exception {
    answer = q -> q.get("query").startsWith("sum( increase(") ? vector(3) : vector(100);
    CanaryMetric m = successRate(99.0);
    m.minRequests = 10;
    CheckResult r = run(analysis(m));
    assertThat(requests).extracting(q -> q.get("query")).anyMatch(q -> q.equals(
        "sum( increase( http_request_duration_seconds_count{ kubernetes_namespace=\"test\", "
            + "kubernetes_pod_name=~\"podinfo-7d9f6c5b8-[0-9a-zA-Z]+\" }[20s] ) )"));
    assertThat(r.outcome()).as("a 100% success rate over 3 requests is no evidence").isEqualTo(CheckResult.Outcome.FAILED);
    assertThat(r.message()).isEqualTo("Halt podinfo.test advancement request-success-rate: not enough data: the canary "
        + "served 3 requests in 20s (minRequests 10)");
    assertThat(r.analysis().metrics.get(0).result).isEqualTo("NoData");
    assertThat(r.analysis().metrics.get(0).requests).isEqualTo(3.0);
  }

  @Test
  void noDataWaitHoldsAndSkipLeavesTheMetricOut() throws Exception {
    answer = q -> q.get("query").contains("status!~") ? empty() : vector(0.02);
    CanaryMetric rate = successRate(99.0);
    rate.noData = "wait";
    CanaryMetric latency = new CanaryMetric();
    latency.name = "request-duration";
    latency.thresholdRange = new CanaryMetric.ThresholdRange(null, 500.0);
    CheckResult waiting = run(analysis(rate, latency));
    assertThat(waiting.outcome()).isEqualTo(CheckResult.Outcome.WAITING);
    assertThat(waiting.message()).isEqualTo("request-success-rate: not enough data: no values (probably podinfo.test "
        + "is not receiving traffic) (noData: wait)");
    assertThat(waiting.analysis().metrics).extracting(x -> x.result).containsExactly("Waiting", "Passed");

    rate.noData = "skip";
    CheckResult skipped = run(analysis(rate, latency));
    assertThat(skipped.outcome()).isEqualTo(CheckResult.Outcome.PASSED);
    assertThat(skipped.analysis().metrics).extracting(x -> x.result).containsExactly("Skipped", "Passed");

    CheckResult alone = run(analysis(rate));
    assertThat(alone.outcome()).as("a tick where no metric had data never passes").isEqualTo(CheckResult.Outcome.FAILED);
    assertThat(alone.message()).startsWith("Halt podinfo.test advancement no metric had data");

    rate.noData = null;
    assertThat(run(analysis(rate)).message()).as("fail: Flagger's message")
        .isEqualTo("Halt advancement no values found for kubernetes metric request-success-rate probably podinfo.test is "
            + "not receiving traffic");
  }

  @Test
  void compareRunsTheSameTemplateForTheCanaryAndThePrimaryOverSamplesSinceTheAnalysisStart() throws Exception {
    MetricTemplate t = new MetricTemplate();
    t.setMetadata(new ObjectMetaBuilder().withName("latency").withNamespace("test").build());
    t.setSpec(new MetricTemplate.Spec());
    t.getSpec().query = "sum(rate(http_request_duration_seconds_sum{kubernetes_pod_name=~\"{{ pods }}\"}[{{ window }}]))"
        + " / sum(rate(http_request_duration_seconds_count{kubernetes_pod_name=~\"{{ pods }}\"}[{{ window }}])) * 1000";
    templates.put("latency", t);
    answer = q -> q.get("query").contains("podinfo-primary") ? matrix(20, 20.4, 19.8, 20.2, 20.1, 19.9)
        : matrix(26, 26.3, 25.8, 26.1, 26.4, Double.NaN, 25.9);
    CanaryMetric m = new CanaryMetric();
    m.name = "latency";
    m.templateRef = new NamedReference("latency", null);
    m.interval = "5s";
    m.compare = "primary";
    m.minSamples = 5;
    CheckResult r = run(analysis(m));
    assertThat(requests).hasSize(2).allSatisfy(q -> {
      assertThat(q.get("path")).isEqualTo("/api/v1/query_range");
      assertThat(q.get("start")).as("one step after the analysis start").isEqualTo(Long.toString(
          START.getEpochSecond() + 5));
      assertThat(q.get("end")).isEqualTo(Long.toString(NOW.getEpochSecond()));
      assertThat(q.get("step")).isEqualTo("5");
    });
    assertThat(requests.get(0).get("query")).contains("podinfo-7d9f6c5b8-[0-9a-zA-Z]+").contains("[5s]");
    assertThat(requests.get(1).get("query")).contains("podinfo-primary-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)");
    assertThat(r.outcome()).isEqualTo(CheckResult.Outcome.FAILED);
    assertThat(r.message()).startsWith("Halt podinfo.test advancement latency canary higher than primary: mean 1.30x "
        + "primary (26.1 vs 20.1), p=0.00").endsWith(" < 0.01, higher is worse, tolerance 10%");
    AnalysisStatus.Metric s = r.analysis().metrics.get(0);
    assertThat(s.result).isEqualTo("Failed");
    assertThat(s.canary.count).as("NaN left out").isEqualTo(6);
    assertThat(s.primary.count).isEqualTo(6);
    assertThat(s.primary.median).isEqualTo(20.05);
    assertThat(s.window).isEqualTo("samples every 5s since 2026-11-26T10:00:00Z");
    assertThat(s.comparison).startsWith("mean 1.30x primary");
  }

  @Test
  void tooFewSamplesFollowTheNoDataPolicy() throws Exception {
    answer = q -> matrix(20, 21);
    CanaryMetric m = new CanaryMetric();
    m.name = "request-duration";
    m.interval = "5s";
    m.compare = "primary";
    m.noData = "wait";
    CheckResult r = run(analysis(m));
    assertThat(r.outcome()).isEqualTo(CheckResult.Outcome.WAITING);
    assertThat(r.message()).isEqualTo("request-duration: not enough data: too few samples: canary 2, primary 2 "
        + "(minSamples 10) (noData: wait)");
  }

  @Test
  void compareCountsTheCanarysRequestsSinceTheAnalysisStart() throws Exception {
    answer = q -> q.get("query").startsWith("sum( increase(") ? vector(40) : matrix(20, 21, 20, 22, 21, 20);
    CanaryMetric m = new CanaryMetric();
    m.name = "request-duration";
    m.interval = "5s";
    m.compare = "primary";
    m.minSamples = 5;
    m.minRequests = 100;
    CheckResult r = run(analysis(m));
    assertThat(requests).extracting(q -> q.get("query")).anyMatch(q -> q.startsWith("sum( increase(")
        && q.endsWith("[20s] ) )"));
    assertThat(r.message()).isEqualTo("Halt podinfo.test advancement request-duration: not enough data: the canary "
        + "served 40 requests since the analysis start (minRequests 100)");
  }

  @Test
  void aPrometheusOutageNeverPassesEvenWithAScore() throws Exception {
    answer = q -> null;
    CanaryAnalysis a = analysis(successRate(99.0));
    a.score = new CanaryAnalysis.Score();
    CheckResult r = run(a);
    assertThat(r.outcome()).isEqualTo(CheckResult.Outcome.FAILED);
    assertThat(r.message()).isEqualTo("Prometheus query failed: error response: HTTP 503: down");
    assertThat(r.analysis().metrics.get(0).result).isEqualTo("Error");
  }

  @Test
  void theScoreDecidesBetweenPassMarginalAndRollback() throws Exception {
    CanaryMetric rate = successRate(99.0);
    CanaryMetric latency = new CanaryMetric();
    latency.name = "request-duration";
    latency.thresholdRange = new CanaryMetric.ThresholdRange(null, 500.0);
    CanaryMetric errors = new CanaryMetric();
    errors.name = "errors";
    errors.query = "sum(rate(errors_total[{{ window }}]))";
    errors.thresholdRange = new CanaryMetric.ThresholdRange(null, 1.0);
    CanaryAnalysis a = analysis(rate, latency, errors);
    a.score = new CanaryAnalysis.Score();
    a.score.pass = 90.0;
    a.score.marginal = 60.0;

    answer = q -> q.get("query").startsWith("sum(rate(errors") ? vector(5)
        : q.get("query").startsWith("histogram_quantile") ? vector(0.02) : vector(99.9);
    CheckResult marginal = run(a);
    assertThat(marginal.outcome()).as("2 of 3 pass: 66.67").isEqualTo(CheckResult.Outcome.FAILED);
    assertThat(marginal.analysis().score).isEqualTo(66.67);
    assertThat(marginal.analysis().result).isEqualTo("Marginal");
    assertThat(marginal.message()).isEqualTo("Halt podinfo.test advancement marginal score 66.7 (pass 90, marginal 60); "
        + "not passed: errors");

    answer = q -> vector(1000);
    CheckResult failed = run(a);
    assertThat(failed.outcome()).as("1 of 3 pass: 33.33").isEqualTo(CheckResult.Outcome.ABORTED);
    assertThat(failed.message()).isEqualTo("score below marginal: score 33.3 (pass 90, marginal 60); not passed: "
        + "request-duration, errors");
  }
}
