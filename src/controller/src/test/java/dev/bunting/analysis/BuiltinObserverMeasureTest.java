package dev.bunting.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.analysis.FlaggerGoldenQueries.Golden;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The end-to-end shape of Flagger's observer tests: the observer renders its query, the provider sends it to
 * a Prometheus stub, and the value comes back in analysis units (Flagger's stubs answer 100, or 0.100 s for
 * the HTTP observer, and expect 100 ms).
 */
@ExtendWith(VertxExtension.class)
class BuiltinObserverMeasureTest {

  private static StubPrometheus prometheus;
  private static PrometheusProvider provider;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    prometheus = await(new StubPrometheus().answering(request ->
        StubPrometheus.vector(request.param("query").contains("http_request_duration_seconds_bucket")
            ? "0.100" : "100")).start(vertx));
    provider = new PrometheusProvider(vertx, PrometheusEndpoint.of(prometheus.url()));
  }

  @AfterAll
  static void stop() {
    provider.close();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  static Stream<Golden> goldens() {
    return FlaggerGoldenQueries.ALL.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldens")
  void successRate(Golden golden) throws Exception {
    MetricValue value = await(golden.observer().measure(BuiltinMetric.REQUEST_SUCCESS_RATE, golden.model(),
        provider));
    assertThat(prometheus.lastRequest().param("query")).isEqualTo(golden.successRate().strip());
    assertThat(value).isEqualTo(MetricValue.of(100));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldens")
  void durationInMilliseconds(Golden golden) throws Exception {
    MetricValue value = await(golden.observer().measure(BuiltinMetric.REQUEST_DURATION, golden.model(), provider));
    assertThat(prometheus.lastRequest().param("query")).isEqualTo(golden.duration().strip());
    assertThat(value).isEqualTo(MetricValue.of(100));
  }

  @Test
  void noValuesAndFailuresPassThrough() throws Exception {
    prometheus.answering(StubPrometheus.json(200,
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}"));
    QueryModel model = QueryModel.of("podinfo", "test", "podinfo");
    assertThat(await(BuiltinObserver.HTTP.measure(BuiltinMetric.REQUEST_DURATION, model, provider)))
        .isEqualTo(MetricValue.noValues("no values found"));
    prometheus.answering(StubPrometheus.json(500, "down"));
    assertThat(await(BuiltinObserver.HTTP.measure(BuiltinMetric.REQUEST_DURATION, model, provider)))
        .isEqualTo(MetricValue.failed("error response: HTTP 500: down"));
  }
}
