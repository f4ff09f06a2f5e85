package dev.bunting.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.canary.CanaryScenarios;
import dev.bunting.gitops.GitHttpServer;
import dev.bunting.gitops.TestRepo;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials never leak (docs/reliability.md): a run with unique credentials planted where users put them (a Git
 * Secret's token, an AlertProvider Secret's address, a webhook URL with a password and a token in its metadata); the
 * alert and webhook calls are answered 500, one Git token is refused over plain http before it is sent and another is
 * sent over https to a server that refuses it, so that error paths run. Then every log line of the controller, every
 * Event of the namespace, the status of every object and every {@code /metrics} line are scanned for them: none found.
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.GATEWAY_API)
class SecretsNeverLeakClusterTest {
  private static final String GIT_TOKEN = "gittoken" + hex();
  private static final String HTTPS_TOKEN = "httpstoken" + hex();
  private static final String ALERT_PASSWORD = "alertpw" + hex();
  private static final String HOOK_PASSWORD = "hookpw" + hex();
  private static final String METADATA_TOKEN = "metatoken" + hex();

  static TestCluster cluster;
  static LogCapture logs;
  static RecordingServer receiver;
  static BuntingUnderTest bunting;
  static TestRepo repo;
  static GitHttpServer gitServer;

  private static String hex() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  @BeforeAll
  static void start(TestCluster testCluster, @TempDir Path tmp) throws Exception {
    cluster = testCluster;
    repo = TestRepo.create(tmp.resolve("repo"));
    repo.write("deploy/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: never-applied}\n");
    repo.commit("one ConfigMap");
    // the server wants another password: the token from the Secret is sent over TLS and refused
    gitServer = GitHttpServer.basicAuth(cluster.vertx(), tmp.resolve("repo"), "bunting", "server-side-" + hex(),
        Files.createDirectories(tmp.resolve("tls")));
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
      if (gitServer != null) {
        gitServer.close();
      }
      if (repo != null) {
        repo.close();
      }
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
        metadata: {name: git-https-credentials}
        stringData:
          username: bunting
          password: %s
          ca.crt: |
        %s
        ---
        apiVersion: bunting.dev/v1alpha1
        kind: GitSync
        metadata: {name: secret-repo-https}
        spec:
          url: %s
          ref: {branch: main}
          path: deploy
          interval: 1m
          secretRef: {name: git-https-credentials}
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
        """.formatted(GIT_TOKEN, receiver.url("/git/repo.git"), HTTPS_TOKEN, gitServer.caPem().indent(4).stripTrailing(),
        gitServer.url(), ALERT_PASSWORD, receiver.port(), ALERT_PASSWORD));
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
    cluster.await(Duration.ofMinutes(1)).until(() -> gitSyncReady("secret-repo").equals("False")
        && gitSyncReady("secret-repo-https").equals("False"));

    String basic = Base64.getEncoder().encodeToString(("bunting:" + GIT_TOKEN).getBytes(StandardCharsets.UTF_8));
    String httpsBasic = Base64.getEncoder().encodeToString(("bunting:" + HTTPS_TOKEN)
        .getBytes(StandardCharsets.UTF_8));
    List<RecordingServer.Recorded> requests = receiver.requests();
    // one Git token is read from its Secret and refused over plain http (InvalidCredentials) before it is sent; the
    // other is sent over https and refused by the server (AuthenticationFailed): both error paths run
    assertThat(gitServer.refusedCredentials()).as("the https token reached the Git server").isPositive();
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

    List<String> secrets = List.of(GIT_TOKEN, HTTPS_TOKEN, ALERT_PASSWORD, HOOK_PASSWORD, METADATA_TOKEN, basic,
        httpsBasic);
    List<String> found = places.stream().filter(p -> secrets.stream().anyMatch(p::contains)).toList();
    System.out.printf("secrets scan: %d log lines, %d Events, %d statuses, %d /metrics lines; %d requests received "
        + "with credentials, %d https Git requests refused with the token; found: %d%n", lines.size(), events.size(),
        statuses.size(), metrics.lines().count(), requests.size(), gitServer.refusedCredentials(), found.size());
    assertThat(lines).as("the run logged something to scan").hasSizeGreaterThan(20);
    assertThat(events).anyMatch(e -> "Warning".equals(e.getType()));
    assertThat(found).as("places where a planted credential appears").isEmpty();
  }

  private static CanaryPhase phase(String name) {
    Canary c = bunting.canary(name);
    return c == null || c.getStatus() == null ? CanaryPhase.NEW : c.getStatus().phaseOrNew();
  }

  @SuppressWarnings("unchecked")
  private static String gitSyncReady(String name) {
    GenericKubernetesResource g = cluster.client().genericKubernetesResources("bunting.dev/v1alpha1", "GitSync")
        .inNamespace(cluster.namespace()).withName(name).get();
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
