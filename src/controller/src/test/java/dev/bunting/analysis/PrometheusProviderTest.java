package dev.bunting.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

@ExtendWith(VertxExtension.class)
class PrometheusProviderTest {

  private Vertx vertx;
  private StubPrometheus prometheus;
  private PrometheusProvider provider;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    prometheus = await(new StubPrometheus().start(vertx));
  }

  @AfterEach
  void closeProvider() {
    if (provider != null) {
      provider.close();
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private MetricValue query(PrometheusEndpoint endpoint, String query) throws Exception {
    provider = new PrometheusProvider(vertx, endpoint);
    return await(provider.query(query));
  }

  private MetricValue answer(StubPrometheus.Answer answer) throws Exception {
    prometheus.answering(answer);
    return query(PrometheusEndpoint.of(prometheus.url()), "up");
  }

  // --- the request -----------------------------------------------------------------------------

  @Test
  void getsTheInstantQueryEndpointWithTheCollapsedQueryAndNoTime() throws Exception {
    prometheus.answering(StubPrometheus.vector("99.5"));
    MetricValue value = query(PrometheusEndpoint.of(prometheus.url()),
        "\n\tsum(\n\t\trate(x{a=\"b\"}[1m])\n\t)  \n * 100 \n");

    assertThat(value).isEqualTo(MetricValue.of(99.5));
    StubPrometheus.Request request = prometheus.lastRequest();
    assertThat(request.path()).isEqualTo("/api/v1/query");
    assertThat(request.param("query")).isEqualTo("sum( rate(x{a=\"b\"}[1m]) ) * 100");
    assertThat(request.params().names()).containsExactly("query");
    assertThat(request.header("Authorization")).isNull();
  }

  @Test
  void sendsTheEvaluationTimeOnlyWhenAsked() throws Exception {
    query(PrometheusEndpoint.of(prometheus.url()).withEvaluationTime(Instant.ofEpochSecond(1_700_000_000, 500_000_000)),
        "up");
    assertThat(prometheus.lastRequest().param("time")).isEqualTo("1700000000.5");

    await(provider.query("up", Instant.ofEpochSecond(1_600_000_000)));
    assertThat(prometheus.lastRequest().param("time")).isEqualTo("1600000000");
  }

  @Test
  void joinsTheAddressPath() throws Exception {
    query(PrometheusEndpoint.of(prometheus.url() + "/prometheus/"), "up");
    assertThat(prometheus.lastRequest().path()).isEqualTo("/prometheus/api/v1/query");
  }

  @Test
  void sendsTheTemplateHeaders() throws Exception {
    query(PrometheusEndpoint.of(prometheus.url()).withHeaders(Map.of(
        "X-Scope-OrgID", List.of("tenant-a"),
        "User-Agent", List.of("custom-agent"),
        "X-Multi", List.of("one", "two"))), "up");
    StubPrometheus.Request request = prometheus.lastRequest();
    assertThat(request.header("X-Scope-OrgID")).isEqualTo("tenant-a");
    assertThat(request.headers().getAll("User-Agent")).containsExactly("custom-agent");
    assertThat(request.headers().getAll("X-Multi")).containsExactly("one", "two");
  }

  @Test
  void usesTheBearerTokenFromTheSecret() throws Exception {
    query(PrometheusEndpoint.of(prometheus.url()).withSecret(Map.of("token", "s3cr3t-token")), "up");
    assertThat(prometheus.lastRequest().header("Authorization")).isEqualTo("Bearer s3cr3t-token");
  }

  @Test
  void usesBasicAuthFromTheSecret() throws Exception {
    query(PrometheusEndpoint.of(prometheus.url()).withSecret(Map.of("username", "ann", "password", "pw:1")), "up");
    assertThat(prometheus.lastRequest().header("Authorization")).isEqualTo("Basic " + base64("ann:pw:1"));
  }

  @Test
  void usesUserInfoOfTheAddressForBasicAuth() throws Exception {
    query(PrometheusEndpoint.of("http://bob:p%40ss@127.0.0.1:" + prometheus.port()), "up");
    assertThat(prometheus.lastRequest().header("Authorization")).isEqualTo("Basic " + base64("bob:p@ss"));
  }

  @Test
  void secretsMustHoldATokenOrAUsernameAndPassword() {
    PrometheusEndpoint endpoint = PrometheusEndpoint.of("http://prometheus:9090");
    assertThatThrownBy(() -> endpoint.withSecret(Map.of())).hasMessage(
        "prometheus credentials does not contain a username");
    assertThatThrownBy(() -> endpoint.withSecret(Map.of("username", "ann"))).hasMessage(
        "prometheus credentials does not contain a password");
    assertThat(endpoint.withSecret(Map.of("token", "t", "username", "ignored")).bearerToken()).isEqualTo("t");
  }

  @Test
  void rejectsInvalidAddressesWithoutShowingCredentials() {
    assertThatThrownBy(() -> PrometheusEndpoint.of("")).hasMessage("prometheus address  is not a valid URL");
    assertThatThrownBy(() -> PrometheusEndpoint.of("prometheus:9090"))
        .hasMessage("prometheus address prometheus:9090 is not a valid URL");
    assertThatThrownBy(() -> PrometheusEndpoint.of("ftp://prometheus"))
        .hasMessage("prometheus address ftp://prometheus is not a valid URL");
    assertThatThrownBy(() -> PrometheusEndpoint.of("http://user:hunter2@exa mple.com"))
        .hasMessageNotContaining("hunter2");
  }

  // --- answers ---------------------------------------------------------------------------------

  @Test
  void readsTheSampleOfAnInstantVector() throws Exception {
    assertThat(answer(StubPrometheus.vector("0.25"))).isEqualTo(MetricValue.of(0.25));
    assertThat(answer(StubPrometheus.vector("+Inf"))).isEqualTo(MetricValue.of(Double.POSITIVE_INFINITY));
  }

  @Test
  void readsScalars() throws Exception {
    MetricValue value = answer(StubPrometheus.json(200,
        "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000,\"42\"]}}"));
    assertThat(value).isEqualTo(MetricValue.of(42));
  }

  @Test
  void anEmptyVectorOrNaNIsNoValues() throws Exception {
    assertThat(answer(StubPrometheus.json(200,
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}")))
        .isEqualTo(MetricValue.noValues("no values found"));
    assertThat(answer(StubPrometheus.vector("NaN")))
        .isEqualTo(MetricValue.noValues("no values found (the query returned NaN)"));
  }

  @Test
  void severalSeriesFailNamingTheCount() throws Exception {
    MetricValue value = answer(StubPrometheus.json(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
        + "\"result\":[{\"metric\":{\"pod\":\"a\"},\"value\":[1,\"1\"]},{\"metric\":{\"pod\":\"b\"},\"value\":[1,\"2\"]}]}}"));
    assertThat(value).isInstanceOf(MetricValue.Failed.class);
    assertThat(((MetricValue.Failed) value).message())
        .startsWith("query returned 2 series but the analysis needs exactly one")
        .contains("{pod=\"a\"}, {pod=\"b\"}");
  }

  @Test
  void rangeVectorsFail() throws Exception {
    MetricValue value = answer(StubPrometheus.json(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
        + "\"result\":[{\"metric\":{},\"values\":[[1,\"1\"],[2,\"2\"]]}]}}"));
    assertThat(value).isEqualTo(MetricValue.failed("query returned a range vector (matrix); the analysis needs an "
        + "instant vector or a scalar: remove the top-level [range] selector"));
  }

  @Test
  void httpErrorsCarryPrometheusError() throws Exception {
    MetricValue value = answer(StubPrometheus.json(400, "{\"status\":\"error\",\"errorType\":\"bad_data\","
        + "\"error\":\"invalid parameter \\\"query\\\": 1:5: parse error: unexpected end of input\"}"));
    assertThat(value).isEqualTo(MetricValue.failed("error response: HTTP 400: bad_data: invalid parameter \"query\": "
        + "1:5: parse error: unexpected end of input"));
  }

  @Test
  void httpErrorsWithOtherBodiesCarryAShortExcerpt() throws Exception {
    String html = "<html>\n  <body>" + "Service Unavailable ".repeat(50) + "</body></html>";
    MetricValue value = answer(StubPrometheus.json(503, html));
    String message = ((MetricValue.Failed) value).message();
    assertThat(message).startsWith("error response: HTTP 503: <html> <body>Service Unavailable Service")
        .endsWith("...");
    assertThat(message.length()).isLessThan(350);
  }

  @Test
  void unreadableBodiesFail() throws Exception {
    MetricValue value = answer(StubPrometheus.json(200, "not json"));
    assertThat(((MetricValue.Failed) value).message()).startsWith("error unmarshaling result: ")
        .endsWith(", 'not json'");
  }

  @Test
  void slowAnswersTimeOut() throws Exception {
    prometheus.answering(StubPrometheus.noAnswer());
    long started = System.nanoTime();
    MetricValue value = query(PrometheusEndpoint.of(prometheus.url()).withTimeout(Duration.ofMillis(300)), "up");
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;
    assertThat(value).isEqualTo(MetricValue.failed(
        "request failed: no answer from http://127.0.0.1:" + prometheus.port() + " within 300ms"));
    assertThat(elapsedMs).isLessThan(5_000);
  }

  @Test
  void unreachableServersFail() throws Exception {
    MetricValue value = query(PrometheusEndpoint.of("http://127.0.0.1:1"), "up");
    assertThat(((MetricValue.Failed) value).message()).startsWith("request failed: ");
  }

  @Test
  void rendersTemplatesBeforeSendingThem() throws Exception {
    QueryTemplate template = QueryTemplate.compile("sum(up{namespace=\"{{ namespace }}\",d=\"{{ variables.d }}\"})");
    provider = new PrometheusProvider(vertx, PrometheusEndpoint.of(prometheus.url()));
    QueryModel model = QueryModel.of("podinfo", "test", "podinfo");

    assertThat(await(provider.query(template, model.withVariables(Map.of("d", "in"))))).isEqualTo(MetricValue.of(1));
    assertThat(prometheus.lastRequest().param("query")).isEqualTo("sum(up{namespace=\"test\",d=\"in\"})");

    int sent = prometheus.requests().size();
    assertThat(await(provider.query(template, model))).isEqualTo(MetricValue.failed(
        "query render error: template: line 1: map has no entry for key \"d\""));
    assertThat(prometheus.requests()).hasSize(sent);
  }

  // --- isOnline --------------------------------------------------------------------------------

  @Test
  void isOnlineWhenVectorOneAnswersOne() throws Exception {
    prometheus.answering(StubPrometheus.vector("1"));
    provider = new PrometheusProvider(vertx, PrometheusEndpoint.of(prometheus.url()));
    assertThat(await(provider.isOnline())).isTrue();
    assertThat(prometheus.lastRequest().param("query")).isEqualTo("vector(1)");
  }

  @Test
  void isNotOnlineWhenTheAnswerIsNotOne() {
    prometheus.answering(StubPrometheus.vector("0"));
    provider = new PrometheusProvider(vertx, PrometheusEndpoint.of(prometheus.url()));
    assertThatThrownBy(() -> await(provider.isOnline())).hasRootCauseMessage("value is not 1 for query: vector(1)");
  }

  @Test
  void isNotOnlineWhenTheQueryFails() {
    prometheus.answering(StubPrometheus.json(500, "boom"));
    provider = new PrometheusProvider(vertx, PrometheusEndpoint.of(prometheus.url()));
    assertThatThrownBy(() -> await(provider.isOnline()))
        .hasRootCauseMessage("running query failed: error response: HTTP 500: boom");
  }

  // --- TLS -------------------------------------------------------------------------------------

  @Test
  void insecureSkipVerifyAcceptsASelfSignedCertificate() throws Exception {
    SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
    try {
      StubPrometheus tls = await(new StubPrometheus().answering(StubPrometheus.vector("7"))
          .start(vertx, new HttpServerOptions().setSsl(true).setKeyCertOptions(certificate.keyCertOptions())));
      String url = "https://localhost:" + tls.port();

      MetricValue verified = query(PrometheusEndpoint.of(url), "up");
      assertThat(verified).isInstanceOf(MetricValue.Failed.class);
      assertThat(((MetricValue.Failed) verified).message()).startsWith("request failed: ");
      provider.close();

      assertThat(query(PrometheusEndpoint.of(url).withInsecureSkipVerify(true), "up")).isEqualTo(MetricValue.of(7));
    } finally {
      certificate.delete();
    }
  }

  // --- secrets stay secret ---------------------------------------------------------------------

  @Test
  void credentialsAreNeverLoggedNorShown() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(PrometheusProvider.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    Level previous = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    logger.addAppender(appender);
    try {
      prometheus.answering(StubPrometheus.json(401, "unauthorized"));
      PrometheusEndpoint endpoint = PrometheusEndpoint.of("http://carol:addr-secret@127.0.0.1:" + prometheus.port())
          .withSecret(Map.of("token", "token-secret"));
      MetricValue value = query(endpoint, "up");

      assertThat(appender.list).isNotEmpty();
      assertThat(appender.list).allSatisfy(e -> assertThat(e.getFormattedMessage())
          .doesNotContain("token-secret").doesNotContain("addr-secret"));
      assertThat(((MetricValue.Failed) value).message()).doesNotContain("secret");
      assertThat(endpoint.toString()).doesNotContain("secret").contains("auth=bearer");
      assertThat(provider.toString()).doesNotContain("secret");
      assertThat(endpoint.redactedAddress()).isEqualTo("http://127.0.0.1:" + prometheus.port());
    } finally {
      logger.detachAppender(appender);
      logger.setLevel(previous);
    }
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
