package dev.bunting.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.canary.CanaryScenarios;
import dev.bunting.hooks.LogCapture;
import dev.bunting.hooks.RecordingServer;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.ThirdPartyCrds;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Credentials never leak (docs/reliability.md): a run with unique credentials planted where users put them (a Git
 * Secret's token, an AlertProvider Secret's address, a webhook URL with a password and a token in its metadata); the
 * alert and webhook calls are answered 500 and the Git token is refused over plain http, so that error paths run. Then every log line of the controller, every
 * Event of the namespace, the status of every object and every {@code /metrics} line are scanned for them: none found.
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.GATEWAY_API)
class SecretsNeverLeakClusterTest {
  private static final String GIT_TOKEN = "gittoken" + hex();
  private static final String ALERT_PASSWORD = "alertpw" + hex();
  private static final String HOOK_PASSWORD = "hookpw" + hex();
  private static final String METADATA_TOKEN = "metatoken" + hex();

  static TestCluster cluster;
  static LogCapture logs;
  static RecordingServer receiver;
  static BuntingUnderTest bunting;

  private static String hex() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  @BeforeAll
  static void start(TestCluster testCluster) throws Exception {
    cluster = testCluster;
    logs = new LogCapture();
    receiver = RecordingServer.http(cluster.vertx()).respond(r -> r.path().startsWith("/git/")
        ? new RecordingServer.Reply(401, "", 0, Map.of("WWW-Authenticate", "Basic realm=\"git\""))
        : RecordingServer.Reply.of(500, "injected failure"));
    bunting = BuntingUnderTest.start(cluster, "gatewayapi:v1");
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (bunting != null) {
        bunting.close();
      }
    } finally {
      if (receiver != null) {
        receiver.close();
      }
      if (logs != null) {
        logs.close();
      }
    }
  }

  @Test
  void plantedCredentialsAppearInNoLogLineEventStatusOrMetric() throws Exception {
    cluster.apply("""
        apiVersion: v1
        kind: Secret
        metadata: {name: git-credentials}
        stringData: {username: bunting, password: %s}
        ---
        apiVersion: bunting.dev/v1alpha1
        kind: GitSync
        metadata: {name: secret-repo}
        spec:
          url: %s
          ref: {branch: main}
          path: deploy
          interval: 1m
          secretRef: {name: git-credentials}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: alert-address}
        stringData: {address: "http://alerts:%s@127.0.0.1:%d/alert/%s"}
        ---
        apiVersion: flagger.app/v1beta1
        kind: AlertProvider
        metadata: {name: team}
        spec:
          type: slack
          channel: releases
          secretRef: {name: alert-address}
        """.formatted(GIT_TOKEN, receiver.url("/git/repo.git"), ALERT_PASSWORD, receiver.port(), ALERT_PASSWORD));
    String name = "secretive";
    cluster.apply(CanaryScenarios.deployment(name, "9.0.0"));
    cluster.apply("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: secretive}
        spec:
          provider: gatewayapi:v1
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: secretive}
          service: {port: 9898, gatewayRefs: [{name: public-gateway}]}
          analysis:
            interval: 10s
            threshold: 2
            stepWeight: 50
            maxWeight: 50
            metrics:
            - {name: request-success-rate, thresholdRange: {min: 99}, interval: 1m}
            webhooks:
            - name: gate
              type: rollout
              url: "http://hook:%s@127.0.0.1:%d/hook?token=%s"
              metadata: {token: %s}
            alerts:
            - {name: team, severity: info, providerRef: {name: team}}
        """.formatted(HOOK_PASSWORD, receiver.port(), HOOK_PASSWORD, METADATA_TOKEN));
    cluster.await(Duration.ofMinutes(2)).until(() -> phase(name) == CanaryPhase.INITIALIZED);
    CanaryScenarios.setImage(cluster, name, "9.0.1");
    cluster.await(Duration.ofMinutes(3)).until(() -> phase(name) == CanaryPhase.FAILED);
    cluster.await(Duration.ofMinutes(1)).until(() -> gitSyncReady().equals("False"));

    String basic = Base64.getEncoder().encodeToString(("bunting:" + GIT_TOKEN).getBytes(StandardCharsets.UTF_8));
    List<RecordingServer.Recorded> requests = receiver.requests();
    // the Git token is read from its Secret and refused over plain http (InvalidCredentials): its error path runs,
    // sending it over https to a server that refuses it is not covered here
    assertThat(requests).as("the alert address was called").anyMatch(r -> r.path().contains(ALERT_PASSWORD));
    assertThat(requests).as("the webhook was called with its metadata").anyMatch(r -> r.path().equals("/hook")
        && r.body().contains(METADATA_TOKEN));

    List<String> places = new ArrayList<>();
    List<String> lines = logs.lines();
    lines.forEach(l -> places.add("log: " + l));
    List<Event> events = cluster.client().v1().events().inNamespace(cluster.namespace()).list().getItems();
    events.forEach(e -> places.add("event: " + e.getReason() + " " + e.getMessage()));
    List<String> statuses = new ArrayList<>();
    for (GenericKubernetesResource r : cluster.client().genericKubernetesResources("flagger.app/v1beta1", "Canary")
        .inNamespace(cluster.namespace()).list().getItems()) {
      statuses.add(Serialization.asJson(r.getAdditionalProperties().get("status")));
    }
    for (GenericKubernetesResource r : cluster.client().genericKubernetesResources("bunting.dev/v1alpha1", "GitSync")
        .inNamespace(cluster.namespace()).list().getItems()) {
      statuses.add(Serialization.asJson(r.getAdditionalProperties().get("status")));
    }
    statuses.forEach(s -> places.add("status: " + s));
    String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + bunting.app().httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    metrics.lines().forEach(l -> places.add("metrics: " + l));

    List<String> secrets = List.of(GIT_TOKEN, ALERT_PASSWORD, HOOK_PASSWORD, METADATA_TOKEN, basic);
    List<String> found = places.stream().filter(p -> secrets.stream().anyMatch(p::contains)).toList();
    System.out.printf("secrets scan: %d log lines, %d Events, %d statuses, %d /metrics lines; %d requests received "
        + "with credentials; found: %d%n", lines.size(), events.size(), statuses.size(), metrics.lines().count(),
        requests.size(), found.size());
    assertThat(lines).as("the run logged something to scan").hasSizeGreaterThan(20);
    assertThat(events).anyMatch(e -> "Warning".equals(e.getType()));
    assertThat(found).as("places where a planted credential appears").isEmpty();
  }

  private static CanaryPhase phase(String name) {
    Canary c = bunting.canary(name);
    return c == null || c.getStatus() == null ? CanaryPhase.NEW : c.getStatus().phaseOrNew();
  }

  @SuppressWarnings("unchecked")
  private static String gitSyncReady() {
    GenericKubernetesResource g = cluster.client().genericKubernetesResources("bunting.dev/v1alpha1", "GitSync")
        .inNamespace(cluster.namespace()).withName("secret-repo").get();
    Object status = g == null ? null : g.getAdditionalProperties().get("status");
    if (!(status instanceof Map<?, ?> st) || !(st.get("conditions") instanceof List<?> conditions)) {
      return "";
    }
    for (Object c : conditions) {
      Map<String, Object> m = (Map<String, Object>) c;
      if ("Ready".equals(m.get("type"))) {
        return String.valueOf(m.get("status"));
      }
    }
    return "";
  }
}
