package dev.bunting.notify;

import static dev.bunting.hooks.RecordingServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bunting.api.AlertProvider;
import dev.bunting.api.CanaryAlert;
import dev.bunting.api.NamedReference;
import dev.bunting.api.SecretReference;
import dev.bunting.hooks.LogCapture;
import dev.bunting.hooks.RecordingServer.Recorded;
import dev.bunting.hooks.RecordingServer.Reply;
import dev.bunting.hooks.RecordingServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AlertNotifierTest {
  private static final List<AlertField> FIELDS = List.of(new AlertField("Target", "Deployment/podinfo.test"));
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05.678Z"), ZoneOffset.UTC);
  private static final Alert WARN = new Alert("podinfo", "test", "Canary is waiting for approval.",
      AlertSeverity.WARN, FIELDS);

  private Vertx vertx;
  private RecordingServer server;
  private final Map<String, ResolvedAlertProvider> providers = new HashMap<>();
  private final AlertProviderLookup lookup = (ns, name) -> Optional.ofNullable(providers.get(ns + "/" + name));
  private AlertNotifier notifier;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    server = RecordingServer.http(vertx);
    notifier = new AlertNotifier(vertx, GlobalNotifierConfig.none(), Optional.empty(), CLOCK);
  }

  @AfterEach
  void tearDown() {
    notifier.close();
    server.close();
    await(vertx.close());
  }

  private void provider(String namespace, String name, String type, String path) {
    AlertProvider.Spec spec = new AlertProvider.Spec();
    spec.type = type;
    spec.address = server.url(path);
    providers.put(namespace + "/" + name, new ResolvedAlertProvider(spec, Map.of()));
  }

  private static CanaryAlert alert(String name, String severity, String provider) {
    CanaryAlert alert = new CanaryAlert();
    alert.name = name;
    alert.severity = severity;
    alert.providerRef = new NamedReference(provider, null);
    return alert;
  }

  private Recorded only(String path) {
    return server.requests().stream().filter(r -> r.path().equals(path)).reduce((a, b) -> {
      throw new AssertionError("more than one request to " + path);
    }).orElseThrow(() -> new AssertionError("no request to " + path));
  }

  @Test
  void postsSlackPayload() {
    provider("test", "on-call", "slack", "/services/T0/B0/xyz");
    AlertProvider.Spec spec = providers.get("test/on-call").spec();
    spec.channel = "alerts";
    spec.username = "canary-bot";

    List<AlertDelivery> deliveries = await(notifier.send(WARN, List.of(alert("a", "info", "on-call")), lookup));

    assertThat(deliveries).containsExactly(new AlertDelivery("test/on-call (slack)", true, "HTTP 200: OK"));
    Recorded request = only("/services/T0/B0/xyz");
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.header("Content-Type")).isEqualTo("application/json");
    assertThat(request.header("Authorization")).isNull();
    assertThat(request.json()).isEqualTo(new JsonObject("""
        {"channel":"alerts","username":"canary-bot","icon_url":"","icon_emoji":":rocket:",
         "attachments":[{"color":"good","author_name":"podinfo.test","text":"Canary is waiting for approval.",
           "mrkdwn_in":["text"],"fields":[{"title":"Target","value":"Deployment/podinfo.test","short":false}]}]}
        """));
  }

  @Test
  void discordGetsTheSlackPayloadOnTheSlackPath() {
    provider("test", "discord", "discord", "/api/webhooks/123/abc");

    await(notifier.send(WARN, List.of(alert("d", "info", "discord")), lookup));

    Recorded request = only("/api/webhooks/123/abc/slack");
    assertThat(request.json().getString("icon_emoji")).isEqualTo(":rocket:");
    assertThat(request.json().getString("channel")).isEqualTo("general");
    assertThat(request.json().getString("username")).isEqualTo("flagger");
    assertThat(request.json().getJsonArray("attachments").getJsonObject(0).getString("author_name"))
        .isEqualTo("podinfo.test");
  }

  @Test
  void teamsRocketAndGoogleChatReceiveTheirFormats() {
    provider("test", "teams", "msteams", "/teams");
    provider("test", "rocket", "rocket", "/rocket");
    provider("test", "gchat", "gchat", "/gchat");
    Alert error = new Alert("podinfo", "test", "Canary analysis failed.", AlertSeverity.ERROR, FIELDS);

    List<AlertDelivery> deliveries = await(notifier.send(error, List.of(
        alert("t", "error", "teams"), alert("r", "error", "rocket"), alert("g", "error", "gchat")), lookup));

    assertThat(deliveries).extracting(AlertDelivery::provider)
        .containsExactly("test/teams (msteams)", "test/rocket (rocket)", "test/gchat (gchat)");
    assertThat(deliveries).allSatisfy(d -> assertThat(d.delivered()).isTrue());
    List<AlertField> fields = FIELDS;
    assertThat(only("/teams").json()).isEqualTo(new MsTeamsMessage().render(error, fields, "", ""));
    assertThat(only("/teams").json().getString("themeColor")).isEqualTo("FF0000");
    assertThat(only("/rocket").json()).isEqualTo(new RocketMessage().render(error, fields, "general", "flagger"));
    assertThat(only("/rocket").json().getJsonArray("attachments").getJsonObject(0).getString("color"))
        .isEqualTo("#FF0000");
    assertThat(only("/gchat").json()).isEqualTo(new GoogleChatMessage().render(error, fields, "", ""));
  }

  @Test
  void severityFilteringDecidesWhoReceives() {
    provider("test", "all", "slack", "/all");
    provider("test", "unset", "slack", "/unset");
    provider("test", "warnings", "slack", "/warnings");
    provider("test", "errors", "slack", "/errors");
    List<CanaryAlert> alerts = List.of(alert("all", "info", "all"), alert("unset", "", "unset"),
        alert("w", "warn", "warnings"), alert("e", "error", "errors"));

    assertThat(pathsReceiving(new Alert("podinfo", "test", "i", AlertSeverity.INFO, List.of()), alerts))
        .containsExactlyInAnyOrder("/all", "/unset");
    assertThat(pathsReceiving(WARN, alerts))
        .containsExactlyInAnyOrder("/all", "/unset", "/warnings");
    assertThat(pathsReceiving(new Alert("podinfo", "test", "e", AlertSeverity.ERROR, List.of()), alerts))
        .containsExactlyInAnyOrder("/all", "/unset", "/warnings", "/errors");
  }

  private List<String> pathsReceiving(Alert alert, List<CanaryAlert> alerts) {
    int before = server.requests().size();
    List<AlertDelivery> deliveries = await(notifier.send(alert, alerts, lookup));
    List<String> paths = server.requests().subList(before, server.requests().size()).stream()
        .map(Recorded::path).toList();
    assertThat(deliveries).hasSameSizeAs(paths).allSatisfy(d -> assertThat(d.delivered()).isTrue());
    return paths;
  }

  @Test
  void unknownSeverityIsReportedAndNotSent() {
    provider("test", "p", "slack", "/p");

    List<AlertDelivery> deliveries = await(notifier.send(WARN, List.of(alert("x", "critical", "p")), lookup));

    assertThat(deliveries).containsExactly(
        new AlertDelivery("alert x", false, "unknown severity 'critical' (use info, warn or error)"));
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void secretRefSuppliesAddressAndBearerToken() {
    AlertProvider.Spec spec = new AlertProvider.Spec();
    spec.type = "slack";
    spec.address = server.url("/ignored-when-secret-ref-is-set");
    spec.secretRef = new SecretReference("slack-webhook");
    providers.put("flagger-system/slack", new ResolvedAlertProvider(spec,
        Map.of("address", server.url("/from-secret"), "token", "xoxb-secret-token")));
    CanaryAlert alert = alert("s", "info", "slack");
    alert.providerRef.namespace = "flagger-system";

    List<AlertDelivery> deliveries = await(notifier.send(WARN, List.of(alert), lookup));

    assertThat(deliveries).containsExactly(
        new AlertDelivery("flagger-system/slack (slack)", true, "HTTP 200: OK"));
    assertThat(only("/from-secret").header("Authorization")).isEqualTo("Bearer xoxb-secret-token");
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void unusableProvidersAreReportedWithoutCalls() {
    AlertProvider.Spec noAddressInSecret = new AlertProvider.Spec();
    noAddressInSecret.type = "slack";
    noAddressInSecret.secretRef = new SecretReference("empty");
    providers.put("test/no-address", new ResolvedAlertProvider(noAddressInSecret, Map.of("token", "t")));
    AlertProvider.Spec unknownType = new AlertProvider.Spec();
    unknownType.type = "pagerduty";
    unknownType.address = server.url("/pd");
    providers.put("test/pd", new ResolvedAlertProvider(unknownType, Map.of()));

    List<AlertDelivery> deliveries = await(notifier.send(WARN, List.of(alert("a", "info", "missing"),
        alert("b", "info", "no-address"), alert("c", "info", "pd")), lookup));

    assertThat(deliveries).containsExactly(
        new AlertDelivery("test/missing", false, "alert provider not found"),
        new AlertDelivery("test/no-address", false, "secret empty has no 'address' key"),
        new AlertDelivery("test/pd", false, "unsupported provider type 'pagerduty'"));
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void globalNotifierOnlyForCanariesWithoutAlerts() {
    AlertNotifier withGlobal = new AlertNotifier(vertx,
        GlobalNotifierConfig.fromFlags(server.url("/global"), "deploys", "bunting", null, Map.of()),
        Optional.empty(), CLOCK);
    provider("test", "own", "slack", "/own");
    try {
      List<AlertDelivery> global = await(withGlobal.send(WARN, List.of(), lookup));
      await(withGlobal.send(WARN, null, lookup));
      await(withGlobal.send(WARN, List.of(alert("own", "error", "own")), lookup));

      assertThat(global).containsExactly(new AlertDelivery("global (slack)", true, "HTTP 200: OK"));
      assertThat(server.requests()).extracting(Recorded::path).containsExactly("/global", "/global");
      assertThat(server.requests().get(0).json().getString("channel")).isEqualTo("deploys");
      assertThat(server.requests().get(0).json().getString("username")).isEqualTo("bunting");
    } finally {
      withGlobal.close();
    }
  }

  @Test
  void noGlobalNotifierMeansNothingIsSent() {
    assertThat(await(notifier.send(WARN, List.of(), lookup))).isEmpty();
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void clusterFieldComesFirst() {
    AlertNotifier withCluster = new AlertNotifier(vertx, GlobalNotifierConfig.none(), Optional.of("prod-eu-1"), CLOCK);
    provider("test", "teams", "msteams", "/teams");
    try {
      await(withCluster.send(WARN, List.of(alert("t", "info", "teams")), lookup));
      await(withCluster.send(new Alert("podinfo", "test", "no metadata", AlertSeverity.INFO, List.of()),
          List.of(alert("t", "info", "teams")), lookup));
    } finally {
      withCluster.close();
    }

    List<JsonObject> facts = server.requests().stream()
        .map(r -> r.json().getJsonArray("sections").getJsonObject(0)).toList();
    assertThat(facts.get(0).getJsonArray("facts").encode()).isEqualTo(
        "[{\"name\":\"Cluster\",\"value\":\"prod-eu-1\"},{\"name\":\"Target\",\"value\":\"Deployment/podinfo.test\"}]");
    assertThat(facts.get(1).getJsonArray("facts").encode())
        .isEqualTo("[{\"name\":\"Cluster\",\"value\":\"prod-eu-1\"}]");
  }

  @Test
  void non2xxIsAFailedDeliveryNotAFailedFuture() {
    server.always(Reply.of(500, "invalid_payload"));
    provider("test", "p", "slack", "/p");

    List<AlertDelivery> deliveries = await(notifier.send(WARN, List.of(alert("a", "info", "p")), lookup));

    assertThat(deliveries).containsExactly(new AlertDelivery("test/p (slack)", false, "HTTP 500: invalid_payload"));
  }

  @Test
  void slowServiceTimesOut() {
    server.always(Reply.of(200).delayed(5000));
    provider("test", "p", "slack", "/p");
    AlertNotifier impatient = new AlertNotifier(vertx, GlobalNotifierConfig.none(), Optional.empty(), CLOCK,
        Duration.ofMillis(300));
    try {
      long start = System.nanoTime();
      List<AlertDelivery> deliveries = await(impatient.send(WARN, List.of(alert("a", "info", "p")), lookup));

      assertThat(deliveries).containsExactly(new AlertDelivery("test/p (slack)", false, "timed out after 300ms"));
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2000);
    } finally {
      impatient.close();
    }
  }

  @Test
  void proxyIsUsedWhenConfigured() {
    int nothingThere = RecordingServer.unusedPort();
    AlertProvider.Spec spec = new AlertProvider.Spec();
    spec.type = "slack";
    spec.address = "http://127.0.0.1:" + nothingThere + "/behind-proxy";
    spec.proxy = "http://127.0.0.1:" + server.port();
    providers.put("test/proxied", new ResolvedAlertProvider(spec, Map.of()));

    List<AlertDelivery> deliveries = await(notifier.send(WARN, List.of(alert("a", "info", "proxied")), lookup));

    assertThat(deliveries).singleElement().extracting(AlertDelivery::delivered).isEqualTo(true);
    assertThat(server.requests()).singleElement()
        .satisfies(r -> assertThat(r.json().getString("icon_emoji")).isEqualTo(":rocket:"));
  }

  @Test
  void invalidGlobalConfigurationIsRejectedWithoutTheUrl() {
    assertThatThrownBy(() -> new AlertNotifier(vertx,
        GlobalNotifierConfig.fromFlags("hooks.slack.com/services/SECRET", null, null, null, Map.of()),
        Optional.empty(), CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("global notifier: the address is not an absolute http(s) URL");
  }

  @Test
  void addressesAndTokensNeverReachTheLogs() {
    String secretPath = "/services/T000/B000/XXXXSECRETXXXX";
    server.always(Reply.of(404, "no_service"));
    AlertProvider.Spec spec = new AlertProvider.Spec();
    spec.type = "slack";
    spec.secretRef = new SecretReference("s");
    providers.put("test/leaky", new ResolvedAlertProvider(spec,
        Map.of("address", server.url(secretPath), "token", "xoxb-TOKEN-42")));
    AlertProvider.Spec dead = new AlertProvider.Spec();
    dead.type = "msteams";
    dead.address = "http://127.0.0.1:" + RecordingServer.unusedPort() + secretPath;
    providers.put("test/dead", new ResolvedAlertProvider(dead, Map.of()));

    List<AlertDelivery> deliveries;
    try (LogCapture logs = new LogCapture()) {
      deliveries = await(notifier.send(WARN, List.of(alert("a", "info", "leaky"), alert("b", "info", "dead")),
          lookup));

      assertThat(logs.lines()).anySatisfy(l -> assertThat(l).contains("test/leaky (slack) failed: HTTP 404"));
      assertThat(logs.lines()).anySatisfy(l -> assertThat(l).contains("test/dead (msteams) failed"));
      assertThat(logs.lines()).noneSatisfy(l -> assertThat(l).containsAnyOf("XXXXSECRETXXXX", "xoxb-TOKEN-42"));
    }
    assertThat(deliveries).extracting(AlertDelivery::delivered).containsExactly(false, false);
    assertThat(deliveries).noneSatisfy(d -> assertThat(d.message()).containsAnyOf("XXXXSECRETXXXX", "xoxb-TOKEN"));
    assertThat(only(secretPath).header("Authorization")).isEqualTo("Bearer xoxb-TOKEN-42");
  }

  @Test
  void genericProvidersGetStructuredJsonSignedWithTheSecretsKey() throws Exception {
    AlertProvider.Spec spec = new AlertProvider.Spec();
    spec.type = "generic";
    spec.secretRef = new SecretReference("releases-hook");
    String key = "k3y-SIGNING-SECRET";
    providers.put("test/releases", new ResolvedAlertProvider(spec,
        Map.of("address", server.url("/releases"), "signingKey", key)));
    Alert raised = new Alert("podinfo", "test", "Canary is waiting for approval.", AlertSeverity.WARN, FIELDS,
        "Waiting", "v2:abc", null);

    List<AlertDelivery> deliveries;
    try (LogCapture logs = new LogCapture()) {
      deliveries = await(notifier.send(raised, List.of(alert("r", "warn", "releases")), lookup));
      Recorded request = only("/releases");
      String signature = request.header(AlertSignature.HEADER);
      assertThat(logs.lines()).noneSatisfy(l -> assertThat(l).containsAnyOf(key, signature));
    }

    assertThat(deliveries).containsExactly(new AlertDelivery("test/releases (generic)", true, "HTTP 200: OK"));
    Recorded request = only("/releases");
    assertThat(request.header("Content-Type")).isEqualTo("application/json");
    JsonObject body = request.json();
    assertThat(body.getString("timestamp")).as("stamped with the notifier's clock").isEqualTo("2026-01-02T03:04:05Z");
    assertThat(body.getString("canary")).isEqualTo("podinfo");
    assertThat(body.getString("namespace")).isEqualTo("test");
    assertThat(body.getString("phase")).isEqualTo("Waiting");
    assertThat(body.getString("revision")).isEqualTo("v2:abc");
    assertThat(body.getString("severity")).isEqualTo("warn");
    assertThat(body.getJsonObject("fields").getMap()).containsExactly(Map.entry("Target", "Deployment/podinfo.test"));

    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(key.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
    String expected = "sha256=" + java.util.HexFormat.of().formatHex(
        mac.doFinal(request.body().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(request.header(AlertSignature.HEADER)).as("over the exact bytes received").isEqualTo(expected);
  }

  @Test
  void aGenericProviderWithoutSigningKeyIsNotSignedAndOtherTypesIgnoreTheKey() {
    provider("test", "plain", "generic", "/plain");
    AlertProvider.Spec slack = new AlertProvider.Spec();
    slack.type = "slack";
    slack.secretRef = new SecretReference("s");
    providers.put("test/slack", new ResolvedAlertProvider(slack,
        Map.of("address", server.url("/slack"), "signingKey", "unused")));

    await(notifier.send(WARN, List.of(alert("p", "info", "plain"), alert("s", "info", "slack")), lookup));

    assertThat(only("/plain").header(AlertSignature.HEADER)).isNull();
    assertThat(only("/plain").json().getString("message")).isEqualTo("Canary is waiting for approval.");
    assertThat(only("/slack").header(AlertSignature.HEADER)).isNull();
  }
}
