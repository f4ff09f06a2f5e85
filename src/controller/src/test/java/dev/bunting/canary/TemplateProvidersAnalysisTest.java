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
import dev.bunting.api.SecretReference;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A MetricTemplate of another provider than Prometheus decides a check through the analysis: the rendered query goes
 * to that provider's API with the template Secret's keys, and its answer is judged with the metric's threshold range.
 */
class TemplateProvidersAnalysisTest {
  private static final Instant NOW = Instant.parse("2026-11-26T10:00:20Z");

  static Vertx vertx;
  static HttpServer datadog;
  static final List<MultiMap> requests = new CopyOnWriteArrayList<>();
  static volatile String answer;
  private final Map<String, MetricTemplate> templates = new HashMap<>();
  private final Map<String, Secret> secrets = new HashMap<>();
  private PrometheusAnalysis analysis;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    datadog = vertx.createHttpServer().requestHandler(req -> {
      requests.add(MultiMap.caseInsensitiveMultiMap().addAll(req.params()).addAll(req.headers())
          .add("path", req.path()));
      req.response().putHeader("Content-Type", "application/json").end(answer);
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
        return Optional.ofNullable(secrets.get(namespace + "/" + name));
      }

      @Override
      public Future<Optional<String>> podTemplateHash(CanarySnapshot snapshot) {
        return Future.succeededFuture(Optional.empty());
      }
    }, Optional.empty(), "kubernetes", true);
  }

  private void template(String name, String type, String query) {
    MetricTemplate t = new MetricTemplate();
    t.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("monitoring").build());
    t.setSpec(new MetricTemplate.Spec());
    t.getSpec().provider = new MetricTemplate.Provider();
    t.getSpec().provider.type = type;
    t.getSpec().provider.address = "http://127.0.0.1:" + datadog.actualPort();
    t.getSpec().provider.secretRef = new SecretReference();
    t.getSpec().provider.secretRef.name = "datadog";
    t.getSpec().query = query;
    templates.put(name, t);
    secrets.put("monitoring/datadog", new SecretBuilder().withNewMetadata().withName("datadog")
        .withNamespace("monitoring").endMetadata().withData(Map.of(
            "datadog_api_key", b64("dd-api"), "datadog_application_key", b64("dd-app"))).build());
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private CheckResult run(double max) throws Exception {
    CanaryMetric m = new CanaryMetric();
    m.name = "errors";
    m.interval = "1m";
    m.templateRef = new NamedReference("dd-errors", "monitoring");
    m.thresholdRange = new CanaryMetric.ThresholdRange(null, max);
    CanaryAnalysis a = new CanaryAnalysis();
    a.interval = "1m";
    a.threshold = 2;
    a.stepWeight = 10;
    a.metrics = List.of(m);
    Canary canary = new Canary();
    canary.setMetadata(new ObjectMetaBuilder().withName("podinfo").withNamespace("test").build());
    CanarySpec spec = new CanarySpec();
    spec.provider = "kubernetes";
    spec.targetRef = new ObjectReference("apps/v1", "Deployment", "podinfo");
    spec.analysis = a;
    canary.setSpec(spec);
    CanaryStatus st = new CanaryStatus();
    st.analysis = new AnalysisStatus();
    st.analysis.startedAt = NOW.minusSeconds(20).toString();
    canary.setStatus(st);
    CanarySnapshot s = new CanarySnapshot(canary, NOW, true, "kubernetes", true, List.of(), null, null, "v2:1",
        Map.of(), true);
    return analysis.analyse(s).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aDatadogTemplateDecidesTheCheck() throws Exception {
    template("dd-errors", "datadog", "sum:errors{service:{{ target }},env:{{ namespace }}}.as_count()");
    answer = "{\"series\":[{\"pointlist\":[[1,3.0],[2,50.0]]}]}";

    CheckResult passed = run(5);
    assertThat(passed.outcome()).isEqualTo(CheckResult.Outcome.PASSED);
    MultiMap sent = requests.get(0);
    assertThat(sent.get("path")).isEqualTo("/api/v1/query");
    assertThat(sent.get("query")).isEqualTo("sum:errors{service:podinfo,env:test}.as_count()");
    assertThat(sent.get("DD-API-KEY")).isEqualTo("dd-api");
    assertThat(sent.get("DD-APPLICATION-KEY")).isEqualTo("dd-app");
    assertThat(sent.get("to")).isEqualTo(Long.toString(NOW.getEpochSecond()));
    assertThat(sent.get("from")).isEqualTo(Long.toString(NOW.getEpochSecond() - 600));

    CheckResult failed = run(2);
    assertThat(failed.outcome()).isEqualTo(CheckResult.Outcome.FAILED);
    assertThat(failed.message()).contains("errors").contains("3");
  }

  @Test
  void noSeriesIsNoValuesForThatProvider() throws Exception {
    template("dd-errors", "datadog", "sum:errors{*}");
    answer = "{\"series\":[]}";
    CheckResult r = run(5);
    assertThat(r.outcome()).isEqualTo(CheckResult.Outcome.FAILED);
    assertThat(r.message()).contains("no values found for datadog metric errors");
  }

  @Test
  void anUnknownTypeIsAnErrorNamingTheSupportedTypes() throws Exception {
    template("dd-errors", "opentsdb", "x");
    CheckResult r = run(5);
    assertThat(r.outcome()).isEqualTo(CheckResult.Outcome.FAILED);
    assertThat(r.message()).contains("unsupported metric provider type \"opentsdb\"").contains("datadog, cloudwatch");
    assertThat(r.analysis().metrics.get(0).result).isEqualTo("Error");
    assertThat(requests).isEmpty();
  }

  @Test
  void aMissingSecretKeyIsAnErrorNotAPromotion() throws Exception {
    template("dd-errors", "datadog", "x");
    secrets.put("monitoring/datadog", new SecretBuilder().withNewMetadata().withName("datadog").endMetadata()
        .withData(Map.of("datadog_api_key", b64("a"))).build());
    CheckResult r = run(5);
    assertThat(r.outcome()).isEqualTo(CheckResult.Outcome.FAILED);
    assertThat(r.message()).contains("datadog credentials does not contain datadog_application_key");
  }
}
