package dev.bunting.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each MetricTemplate provider against a local stand-in of its API: the request it sends (path, parameters, auth
 * headers, body), the value it takes from the answer (Flagger's choice), what counts as no values, and HTTP errors.
 */
class MetricProvidersTest {
  static final Instant NOW = Instant.parse("2026-01-10T12:00:00Z");
  static final long NOW_S = NOW.getEpochSecond();

  static Vertx vertx;
  static ProviderStandIn api;
  static MetricProviders providers;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    api = new ProviderStandIn(vertx);
    providers = new MetricProviders(vertx, Clock.fixed(NOW, ZoneOffset.UTC),
        Map.of("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        null);
  }

  @AfterAll
  static void stop() throws Exception {
    providers.close();
    api.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void fresh() {
    api.requests.clear();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static ProviderSettings settings(String type, Map<String, String> secret) {
    return new ProviderSettings(type, api.url(), null, secret, null, false, Duration.ofMinutes(1));
  }

  static MetricValue run(ProviderSettings s, String query) throws Exception {
    return await(providers.create(s).query(query, null));
  }

  static void answer(int status, String contentType, String body) {
    api.answers = r -> new ProviderStandIn.Answer(status, contentType, body);
  }

  static void answerJson(String body) {
    answer(200, "application/json", body);
  }

  // --- the factory ------------------------------------------------------------------------------

  @Test
  void unknownTypeNamesTheSupportedTypes() {
    assertThatThrownBy(() -> providers.create(settings("opentsdb", null)))
        .hasMessage("unsupported metric provider type \"opentsdb\" in spec.provider.type; supported types: "
            + "prometheus, datadog, cloudwatch, newrelic, graphite, influxdb, dynatrace, stackdriver, splunk, keptn");
  }

  @Test
  void secretValuesNeverShowInSettings() {
    ProviderSettings s = settings("datadog", Map.of("datadog_api_key", "sekrit-api", "datadog_application_key", "k2"));
    assertThat(s.toString()).contains("datadog_api_key").doesNotContain("sekrit-api");
  }

  // --- datadog ----------------------------------------------------------------------------------

  static final Map<String, String> DATADOG = Map.of("datadog_api_key", "api-1", "datadog_application_key", "app-2");

  @Test
  void datadogSendsTheWindowAndKeysAndTakesTheOldestPointOfTheFirstSeries() throws Exception {
    answerJson("{\"series\":[{\"pointlist\":[[1,2.5],[2,9.0]]},{\"pointlist\":[[1,7]]}]}");
    MetricValue v = run(settings("datadog", DATADOG), " sum:requests{env:prod}.as_count()\n");
    assertThat(v).isEqualTo(MetricValue.of(2.5));
    ProviderStandIn.Request r = api.last();
    assertThat(r.method()).isEqualTo("GET");
    assertThat(r.path()).isEqualTo("/api/v1/query");
    assertThat(r.param("query")).isEqualTo("sum:requests{env:prod}.as_count()");
    assertThat(r.param("from")).isEqualTo(Long.toString(NOW_S - 600));
    assertThat(r.param("to")).isEqualTo(Long.toString(NOW_S));
    assertThat(r.header("DD-API-KEY")).isEqualTo("api-1");
    assertThat(r.header("DD-APPLICATION-KEY")).isEqualTo("app-2");
  }

  @Test
  void datadogNoSeriesOrNoPointsIsNoValues() throws Exception {
    answerJson("{\"series\":[]}");
    assertThat(run(settings("datadog", DATADOG), "q")).isInstanceOf(MetricValue.NoValues.class);
    answerJson("{\"series\":[{\"pointlist\":[]}]}");
    assertThat(run(settings("datadog", DATADOG), "q")).isInstanceOf(MetricValue.NoValues.class);
    answerJson("{\"series\":[{\"pointlist\":[[1,null],[2,3]]}]}");
    assertThat(run(settings("datadog", DATADOG), "q")).isInstanceOf(MetricValue.NoValues.class);
  }

  @Test
  void datadogHttpErrorFailsWithoutTheKeys() throws Exception {
    answer(403, "application/json", "{\"errors\":[\"Forbidden\"]}");
    MetricValue v = run(settings("datadog", DATADOG), "q");
    assertThat(v).isInstanceOf(MetricValue.Failed.class);
    assertThat(((MetricValue.Failed) v).message()).contains("HTTP 403").contains("Forbidden")
        .doesNotContain("api-1").doesNotContain("app-2");
  }

  @Test
  void datadogNeedsBothKeys() {
    assertThatThrownBy(() -> providers.create(settings("datadog", Map.of("datadog_api_key", "a"))))
        .hasMessage("datadog credentials does not contain datadog_application_key");
  }

  // --- newrelic ---------------------------------------------------------------------------------

  static final Map<String, String> NEWRELIC = Map.of("newrelic_account_id", "1234", "newrelic_query_key", "nrq");

  @Test
  void newrelicAppendsSinceAndReadsTheOnlyResult() throws Exception {
    answerJson("{\"results\":[{\"result\":3.5}]}");
    assertThat(run(settings("newrelic", NEWRELIC), "SELECT average(duration) FROM Transaction"))
        .isEqualTo(MetricValue.of(3.5));
    ProviderStandIn.Request r = api.last();
    assertThat(r.path()).isEqualTo("/v1/accounts/1234/query");
    assertThat(r.param("nrql")).isEqualTo("SELECT average(duration) FROM Transaction SINCE 60 seconds ago");
    assertThat(r.header("X-Query-Key")).isEqualTo("nrq");
  }

  @Test
  void newrelicNullOrSeveralResultsIsNoValues() throws Exception {
    answerJson("{\"results\":[{\"result\":null}]}");
    assertThat(run(settings("newrelic", NEWRELIC), "q")).isInstanceOf(MetricValue.NoValues.class);
    answerJson("{\"results\":[{\"result\":1},{\"result\":2}]}");
    assertThat(run(settings("newrelic", NEWRELIC), "q")).isInstanceOf(MetricValue.NoValues.class);
    answer(500, "text/plain", "boom");
    assertThat(run(settings("newrelic", NEWRELIC), "q")).isEqualTo(
        MetricValue.failed("error response from newrelic: HTTP 500: boom"));
  }

  // --- dynatrace --------------------------------------------------------------------------------

  @Test
  void dynatraceSendsTheSelectorAndTakesTheFirstValueOfTheLastData() throws Exception {
    answerJson("{\"result\":[{\"data\":[{\"timestamps\":[1],\"values\":[1.0]},{\"timestamps\":[2],"
        + "\"values\":[42.5,7]}]}]}");
    assertThat(run(settings("dynatrace", Map.of("dynatrace_token", "dt0c01.x")), "builtin:service.response.time"))
        .isEqualTo(MetricValue.of(42.5));
    ProviderStandIn.Request r = api.last();
    assertThat(r.path()).isEqualTo("/api/v2/metrics/query");
    assertThat(r.param("metricSelector")).isEqualTo("builtin:service.response.time");
    assertThat(r.param("resolution")).isEqualTo("Inf");
    assertThat(r.param("from")).isEqualTo(Long.toString((NOW_S - 600) * 1000));
    assertThat(r.param("to")).isEqualTo(Long.toString(NOW_S * 1000));
    assertThat(r.header("Authorization")).isEqualTo("Api-Token dt0c01.x");
  }

  @Test
  void dynatraceEmptyIsNoValuesAndTheAddressIsRequired() throws Exception {
    answerJson("{\"result\":[{\"data\":[]}]}");
    assertThat(run(settings("dynatrace", Map.of("dynatrace_token", "t")), "q"))
        .isInstanceOf(MetricValue.NoValues.class);
    assertThatThrownBy(() -> providers.create(new ProviderSettings("dynatrace", null, null,
        Map.of("dynatrace_token", "t"), null, false, null))).hasMessageContaining("dynatrace endpoint is not set");
  }

  // --- graphite ---------------------------------------------------------------------------------

  @Test
  void graphiteSendsTheRenderQueryWithBasicAuthAndTakesTheLastNonNullPoint() throws Exception {
    answerJson("[{\"target\":\"a\",\"datapoints\":[[1.5,100],[null,160]]},"
        + "{\"target\":\"b\",\"datapoints\":[[\"2.5\",100],[null,160]]}]");
    ProviderSettings s = new ProviderSettings("graphite", api.url() + "/graphite/", null,
        Map.of("username", "u", "password", "p"), null, false, null);
    assertThat(await(providers.create(s).query("target=sumSeries(app.{{x}}.requests)\n  &from=-1min", null)))
        .isEqualTo(MetricValue.of(2.5));
    ProviderStandIn.Request r = api.last();
    assertThat(r.path()).isEqualTo("/graphite/render");
    assertThat(r.param("target")).isEqualTo("sumSeries(app.{{x}}.requests) ");
    assertThat(r.param("from")).isEqualTo("-1min");
    assertThat(r.param("format")).isEqualTo("json");
    assertThat(r.header("Authorization")).isEqualTo("Basic "
        + Base64.getEncoder().encodeToString("u:p".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void graphiteOnlyNullsIsNoValues() throws Exception {
    answerJson("[{\"target\":\"a\",\"datapoints\":[[null,100]]}]");
    assertThat(run(settings("graphite", null), "target=a")).isInstanceOf(MetricValue.NoValues.class);
    assertThat(api.last().header("Authorization")).isNull();
    assertThatThrownBy(() -> providers.create(settings("graphite", Map.of("username", "u"))))
        .hasMessage("graphite credentials does not contain a password");
  }

  // --- influxdb ---------------------------------------------------------------------------------

  static final Map<String, String> INFLUX = Map.of("token", "itok", "org", "acme");

  @Test
  void influxdbPostsFluxAndReadsTheFirstRecordsValue() throws Exception {
    answer(200, "text/csv", "#datatype,string,long,dateTime:RFC3339,double\r\n#group,false,false,false,false\r\n"
        + "#default,_result,,,\r\n,result,table,_time,_value\r\n,,0,2026-01-10T11:59:00Z,0.25\r\n"
        + ",,0,2026-01-10T12:00:00Z,0.75\r\n\r\n");
    String flux = "from(bucket: \"app\")\n  |> range(start: -1m)";
    assertThat(run(settings("influxdb", INFLUX), flux)).isEqualTo(MetricValue.of(0.25));
    ProviderStandIn.Request r = api.last();
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.path()).isEqualTo("/api/v2/query");
    assertThat(r.param("org")).isEqualTo("acme");
    assertThat(r.header("Authorization")).isEqualTo("Token itok");
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getString("query")).isEqualTo(flux);
    assertThat(body.getString("type")).isEqualTo("flux");
    assertThat(body.getJsonObject("dialect").getJsonArray("annotations").getList())
        .containsExactly("datatype", "group", "default");
  }

  @Test
  void influxdbNoRecordsOrNullIsNoValuesAndAnErrorTableFails() throws Exception {
    answer(200, "text/csv", "\r\n");
    assertThat(run(settings("influxdb", INFLUX), "q")).isInstanceOf(MetricValue.NoValues.class);
    answer(200, "text/csv", "#datatype,string,long,double\r\n#group,false,false,false\r\n#default,_result,,\r\n"
        + ",result,table,_value\r\n,,0,\r\n");
    assertThat(run(settings("influxdb", INFLUX), "q")).isInstanceOf(MetricValue.NoValues.class);
    answer(200, "text/csv", "#datatype,string,string\r\n#group,true,true\r\n#default,,\r\n,error,reference\r\n"
        + ",\"compilation failed: bad, query\",\r\n");
    assertThat(run(settings("influxdb", INFLUX), "q"))
        .isEqualTo(MetricValue.failed("influxdb query error: compilation failed: bad, query"));
    answer(401, "application/json", "{\"code\":\"unauthorized\",\"message\":\"unauthorized access\"}");
    assertThat(((MetricValue.Failed) run(settings("influxdb", INFLUX), "q")).message()).contains("HTTP 401");
    assertThatThrownBy(() -> providers.create(settings("influxdb", Map.of("token", "t"))))
        .hasMessage("influxdb credentials does not contain an organisation");
  }

  // --- cloudwatch -------------------------------------------------------------------------------

  static final String CW_QUERY = "[{\"Id\":\"e1\",\"Expression\":\"m1 / m2\",\"Label\":\"ratio\"},"
      + "{\"id\":\"m1\",\"metricStat\":{\"metric\":{\"namespace\":\"AWS/ApplicationELB\",\"metricName\":"
      + "\"HTTPCode_Target_5XX_Count\",\"dimensions\":[{\"name\":\"LoadBalancer\",\"value\":\"app/x/1\"}]},"
      + "\"period\":60,\"stat\":\"Sum\"},\"returnData\":false}]";

  static ProviderSettings cloudwatch() {
    return new ProviderSettings("cloudwatch", api.url(), null, null, "eu-west-1", false, Duration.ofMinutes(1));
  }

  @Test
  void cloudwatchSignsGetMetricDataAndTakesTheFirstValue() throws Exception {
    answer(200, "text/xml", "<GetMetricDataResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"
        + "<GetMetricDataResult><MetricDataResults><member><Id>e1</Id><Timestamps><member>2026-01-10T11:59:00Z"
        + "</member><member>2026-01-10T11:58:00Z</member></Timestamps><Values><member>0.125</member><member>0.5"
        + "</member></Values><StatusCode>Complete</StatusCode></member></MetricDataResults></GetMetricDataResult>"
        + "</GetMetricDataResponse>");
    assertThat(run(cloudwatch(), CW_QUERY)).isEqualTo(MetricValue.of(0.125));
    ProviderStandIn.Request r = api.last();
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.path()).isEqualTo("/");
    Map<String, String> form = new HashMap<>();
    for (String pair : r.body().split("&")) {
      String[] kv = pair.split("=", 2);
      form.put(java.net.URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
          java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    assertThat(form).containsEntry("Action", "GetMetricData").containsEntry("Version", "2010-08-01")
        .containsEntry("StartTime", "2026-01-10T11:50:00Z").containsEntry("EndTime", "2026-01-10T12:00:00Z")
        .containsEntry("MaxDatapoints", "20")
        .containsEntry("MetricDataQueries.member.1.Id", "e1")
        .containsEntry("MetricDataQueries.member.1.Expression", "m1 / m2")
        .containsEntry("MetricDataQueries.member.2.Id", "m1")
        .containsEntry("MetricDataQueries.member.2.ReturnData", "false")
        .containsEntry("MetricDataQueries.member.2.MetricStat.Metric.MetricName", "HTTPCode_Target_5XX_Count")
        .containsEntry("MetricDataQueries.member.2.MetricStat.Metric.Dimensions.member.1.Name", "LoadBalancer")
        .containsEntry("MetricDataQueries.member.2.MetricStat.Period", "60");
    assertThat(r.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded; charset=utf-8");
    assertThat(r.header("X-Amz-Date")).isEqualTo("20260110T120000Z");
    assertThat(r.header("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260110/eu-west-1/"
        + "monitoring/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=");
    String expected = AwsSigV4.authorization(new AwsCredentials("AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null), "eu-west-1", "monitoring", "POST", "/", "",
        Map.of("Content-Type", r.header("Content-Type"), "Host", r.header("Host"), "X-Amz-Date", "20260110T120000Z"),
        r.body().getBytes(StandardCharsets.UTF_8), NOW);
    assertThat(r.header("Authorization")).isEqualTo(expected);
  }

  @Test
  void cloudwatchNoValuesErrorsAndBadQueries() throws Exception {
    answer(200, "text/xml", "<GetMetricDataResponse><GetMetricDataResult><MetricDataResults><member><Id>e1</Id>"
        + "<Timestamps/><Values/><StatusCode>Complete</StatusCode></member></MetricDataResults>"
        + "</GetMetricDataResult></GetMetricDataResponse>");
    assertThat(run(cloudwatch(), CW_QUERY)).isInstanceOf(MetricValue.NoValues.class);
    answer(403, "text/xml", "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not "
        + "authorized to perform: cloudwatch:GetMetricData</Message></Error></ErrorResponse>");
    assertThat(run(cloudwatch(), CW_QUERY)).isEqualTo(MetricValue.failed("error requesting cloudwatch: HTTP 403: "
        + "AccessDenied: not authorized to perform: cloudwatch:GetMetricData"));
    int before = api.requests.size();
    assertThat(((MetricValue.Failed) run(cloudwatch(), "{not json")).message()).startsWith(
        "error unmarshaling query");
    assertThat(api.requests).hasSize(before);
    assertThatThrownBy(() -> providers.create(new ProviderSettings("cloudwatch", null, null, null, null, false,
        null))).hasMessageContaining("region not specified");
  }

  /** AWS's published SigV4 examples (the IAM ListUsers request and the test suite's get-vanilla). */
  @Test
  void sigV4MatchesAwsExamples() {
    AwsCredentials aws = new AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);
    Instant at = Instant.parse("2015-08-30T12:36:00Z");
    String iam = AwsSigV4.authorization(aws, "us-east-1", "iam", "GET", "/", "Action=ListUsers&Version=2010-05-08",
        Map.of("Content-Type", "application/x-www-form-urlencoded; charset=utf-8", "Host", "iam.amazonaws.com",
            "X-Amz-Date", "20150830T123600Z"), new byte[0], at);
    assertThat(iam).endsWith("Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
    String vanilla = AwsSigV4.authorization(aws, "us-east-1", "service", "GET", "/", "",
        Map.of("Host", "example.amazonaws.com", "X-Amz-Date", "20150830T123600Z"), new byte[0], at);
    assertThat(vanilla).isEqualTo("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  }

  // --- stackdriver ------------------------------------------------------------------------------

  @Test
  void stackdriverGetsATokenWithTheServiceAccountKeyAndQueriesMql() throws Exception {
    KeyPair keys = KeyPairGenerator.getInstance("RSA").genKeyPair();
    String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(keys.getPrivate()
        .getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    String key = new JsonObject().put("type", "service_account")
        .put("client_email", "bunting@p.iam.gserviceaccount.com")
        .put("private_key_id", "kid1").put("private_key", pem).put("token_uri", api.url() + "/token").encode();
    api.answers = r -> r.path().equals("/token")
        ? ProviderStandIn.Answer.json("{\"access_token\":\"ya29.tok\",\"expires_in\":3600,\"token_type\":\"Bearer\"}")
        : ProviderStandIn.Answer.json("{\"timeSeriesDescriptor\":{},\"timeSeriesData\":[{\"labelValues\":[],"
            + "\"pointData\":[{\"values\":[{\"doubleValue\":0.98}]},{\"values\":[{\"doubleValue\":0.5}]}]}]}");
    ProviderSettings s = new ProviderSettings("stackdriver", api.url(), null,
        Map.of("project", "my-proj", "serviceAccountKey", key), null, false, null);
    String mql = "fetch k8s_container | metric 'x' | within 5m";
    assertThat(run(s, mql)).isEqualTo(MetricValue.of(0.98));
    assertThat(run(s, mql)).isEqualTo(MetricValue.of(0.98));
    List<ProviderStandIn.Request> tokenRequests = api.requests.stream().filter(r -> r.path().equals("/token"))
        .toList();
    assertThat(tokenRequests).hasSize(1);
    ProviderStandIn.Request token = tokenRequests.get(0);
    assertThat(token.body()).contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer");
    String jwt = java.net.URLDecoder.decode(token.body().replaceAll(".*assertion=([^&]*).*", "$1"),
        StandardCharsets.UTF_8);
    String[] parts = jwt.split("\\.");
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    assertThat(claims.getString("iss")).isEqualTo("bunting@p.iam.gserviceaccount.com");
    assertThat(claims.getString("aud")).isEqualTo(api.url() + "/token");
    assertThat(claims.getString("scope")).isEqualTo("https://www.googleapis.com/auth/monitoring.read");
    Signature verify = Signature.getInstance("SHA256withRSA");
    verify.initVerify(keys.getPublic());
    verify.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
    assertThat(verify.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();
    ProviderStandIn.Request q = api.last();
    assertThat(q.method()).isEqualTo("POST");
    assertThat(q.path()).isEqualTo("/v3/projects/my-proj/timeSeries:query");
    assertThat(q.header("Authorization")).isEqualTo("Bearer ya29.tok");
    assertThat(new JsonObject(q.body()).getString("query")).isEqualTo(mql);
  }

  @Test
  void stackdriverUsesTheMetadataServerWithoutAKeyAndReadsNoValuesAndErrors() throws Exception {
    WebClient client = WebClient.create(vertx);
    try {
      StackdriverProvider p = new StackdriverProvider(client, Clock.fixed(NOW, ZoneOffset.UTC),
          new ProviderSettings("stackdriver", api.url(), null, Map.of("project", "p1"), null, false, null),
          new GoogleTokens(client, Clock.fixed(NOW, ZoneOffset.UTC), api.url() + "/metadata/token"));
      api.answers = r -> r.path().equals("/metadata/token")
          ? ProviderStandIn.Answer.json("{\"access_token\":\"meta\",\"expires_in\":100}")
          : ProviderStandIn.Answer.json("{\"timeSeriesDescriptor\":{}}");
      assertThat(await(p.query("fetch x", null))).isInstanceOf(MetricValue.NoValues.class);
      assertThat(api.requests.get(0).header("Metadata-Flavor")).isEqualTo("Google");
      assertThat(api.last().header("Authorization")).isEqualTo("Bearer meta");
      api.answers = r -> r.path().equals("/metadata/token")
          ? ProviderStandIn.Answer.json("{\"access_token\":\"meta\",\"expires_in\":100}")
          : new ProviderStandIn.Answer(400, "application/json", "{\"error\":{\"code\":400,\"message\":\"Query "
              + "parsing error\",\"status\":\"INVALID_ARGUMENT\"}}");
      assertThat(await(p.query("fetch x", null))).isEqualTo(MetricValue.failed(
          "error requesting stackdriver: HTTP 400 INVALID_ARGUMENT: Query parsing error"));
    } finally {
      client.close();
    }
    assertThatThrownBy(() -> providers.create(settings("stackdriver", Map.of("serviceAccountKey", "{}"))))
        .hasMessage("stackdriver credentials does not contain a project id");
  }

  // --- splunk -----------------------------------------------------------------------------------

  static String sse(String... events) {
    StringBuilder b = new StringBuilder();
    for (String e : events) {
      b.append(e).append("\n\n");
    }
    return b.toString();
  }

  @Test
  void splunkExecutesSignalFlowAndTakesTheLastValue() throws Exception {
    answer(200, "text/event-stream", sse("event: control-message\ndata: {\"event\":\"STREAM_START\"}",
        "event: data\ndata: {\"data\":[{\"tsId\":\"AAA\",\"value\":1.5}],\"logicalTimestampMs\":1}",
        "event: data\ndata: {\"data\":[{\"tsId\":\"AAA\",\"value\":null}],\"logicalTimestampMs\":2}",
        "event: data\ndata: {\"data\":[{\"tsId\":\"AAA\",\"value\":2.5}],\"logicalTimestampMs\":3}",
        "event: control-message\ndata: {\"event\":\"END_OF_CHANNEL\"}"));
    String program = "data('demo.trans.latency').mean().publish()";
    assertThat(run(settings("splunk", Map.of("sf_token_key", "sf-1")), program)).isEqualTo(MetricValue.of(2.5));
    ProviderStandIn.Request r = api.last();
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.path()).isEqualTo("/v2/signalflow/execute");
    assertThat(r.param("start")).isEqualTo(Long.toString((NOW_S - 600) * 1000));
    assertThat(r.param("stop")).isEqualTo(Long.toString(NOW_S * 1000));
    assertThat(r.param("immediate")).isEqualTo("true");
    assertThat(r.header("X-SF-Token")).isEqualTo("sf-1");
    assertThat(r.body()).isEqualTo(program);
  }

  @Test
  void splunkNoDataIsNoValuesAndSeveralSeriesFail() throws Exception {
    answer(200, "text/event-stream", sse("event: control-message\ndata: {\"event\":\"END_OF_CHANNEL\"}"));
    assertThat(run(settings("splunk", Map.of("sf_token_key", "t")), "p")).isInstanceOf(MetricValue.NoValues.class);
    answer(200, "text/event-stream", sse("event: data\ndata: {\"data\":[{\"tsId\":\"A\",\"value\":1},"
        + "{\"tsId\":\"B\",\"value\":2}]}"));
    assertThat(((MetricValue.Failed) run(settings("splunk", Map.of("sf_token_key", "t")), "p")).message())
        .startsWith("query returned multiple values");
  }

  // --- keptn ------------------------------------------------------------------------------------

  /** Keptn's resources in memory: an Analysis completes (passed) once it has been read once. */
  static final class FakeKeptn implements KeptnResources {
    final Map<String, Map<String, Object>> objects = new HashMap<>();
    final List<String> calls = new ArrayList<>();

    @Override
    public Future<Optional<Map<String, Object>>> get(String plural, String namespace, String name) {
      calls.add("get " + plural + " " + namespace + "/" + name);
      return Future.succeededFuture(Optional.ofNullable(objects.get(plural + "/" + namespace + "/" + name)));
    }

    @Override
    public Future<Map<String, Object>> create(String plural, String namespace, Map<String, Object> object) {
      @SuppressWarnings("unchecked")
      String name = (String) ((Map<String, Object>) object.get("metadata")).get("name");
      calls.add("create " + plural + " " + namespace + "/" + name);
      Map<String, Object> stored = new HashMap<>(object);
      stored.put("status", Map.of("state", "Completed", "pass", true));
      objects.put(plural + "/" + namespace + "/" + name, stored);
      return Future.succeededFuture(object);
    }

    @Override
    public Future<Void> delete(String plural, String namespace, String name) {
      calls.add("delete " + plural + " " + namespace + "/" + name);
      objects.remove(plural + "/" + namespace + "/" + name);
      return Future.succeededFuture();
    }
  }

  @Test
  void keptnReadsAKeptnMetricsValue() throws Exception {
    FakeKeptn keptn = new FakeKeptn();
    keptn.objects.put("keptnmetrics/apps/latency", Map.of("status", Map.of("value", "4.2")));
    keptn.objects.put("keptnmetrics/apps/empty", Map.of("status", Map.of()));
    KeptnProvider p = new KeptnProvider(vertx, keptn);
    assertThat(await(p.query("KeptnMetric/apps/latency\n", null))).isEqualTo(MetricValue.of(4.2));
    assertThat(await(p.query("keptnmetric/apps/empty", null))).isEqualTo(MetricValue.failed(
        "could not retrieve KeptnMetric - no value found in resource apps/empty"));
    assertThat(await(p.query("keptnmetric/apps", null))).isInstanceOf(MetricValue.Failed.class);
  }

  @Test
  @SuppressWarnings("unchecked")
  void keptnRunsAnAnalysisAndDeletesIt() throws Exception {
    FakeKeptn keptn = new FakeKeptn();
    KeptnProvider p = new KeptnProvider(vertx, keptn, Duration.ofSeconds(5), Duration.ofMillis(10));
    assertThat(await(p.query("analysis/apps/slo-check/5m/service=podinfo;env=prod", null)))
        .isEqualTo(MetricValue.of(1));
    assertThat(keptn.calls).hasSize(3);
    assertThat(keptn.calls.get(0)).startsWith("create analyses apps/slo-check-");
    assertThat(keptn.calls.get(2)).startsWith("delete analyses apps/slo-check-");
    assertThat(keptn.objects).isEmpty();
  }
}
