package dev.bunting.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.canary.ActionRequest;
import dev.bunting.canary.CanaryScenarios;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.ThirdPartyCrds;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web UI on the real local control plane during a release ({@code gatewayapi:v1}, real Prometheus): headless
 * Chromium loads {@code /ui} and the canary's page (DOM as rendered by the page's own script) and sees the canary
 * appear, its weight change and the promotion; a screenshot of the canary page is kept as
 * {@code target/ui-canary.png}. Actions: refused without a token (401) and for a ServiceAccount without rights (403);
 * a ServiceAccount allowed to patch Canaries (a Role and RoleBinding; its token from the TokenRequest API) promotes.
 * The browser part is skipped only where {@code /usr/bin/chromium} is absent (CI installs it).
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.GATEWAY_API)
class UiClusterTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final String NAME = "webapp";
  static TestCluster cluster;
  static BuntingUnderTest bunting;
  static String base;
  final HttpClient web = HttpClient.newHttpClient();

  @BeforeAll
  static void start(TestCluster testCluster) throws Exception {
    cluster = testCluster;
    bunting = BuntingUnderTest.start(cluster, "gatewayapi:v1");
    base = "http://127.0.0.1:" + bunting.app().httpPort();
  }

  @AfterAll
  static void stop() throws Exception {
    if (bunting != null) {
      bunting.close();
    }
  }

  static String deployment(String tag) {
    return CanaryScenarios.deployment(NAME, tag, 1);
  }

  static final String CANARY = """
      apiVersion: flagger.app/v1beta1
      kind: Canary
      metadata: {name: %1$s}
      spec:
        provider: gatewayapi:v1
        targetRef: {apiVersion: apps/v1, kind: Deployment, name: %1$s}
        service: {port: 9898, gatewayRefs: [{name: public-gateway}]}
        analysis:
          interval: 5s
          threshold: 5
          stepWeight: 10
          maxWeight: 50
          metrics:
          - {name: request-success-rate, thresholdRange: {min: 99}, interval: 1m}
          - {name: request-duration, thresholdRange: {max: 500}, interval: 1m}
          webhooks:
          # an event webhook never blocks the release; its URL carries credentials the UI must not show
          - {name: smoke, type: event, url: "http://user:hunter2@127.0.0.1:1/smoke?token=s3cret", timeout: 1s}
      """.formatted(NAME);

  private Canary canary() {
    return bunting.canary(NAME);
  }

  @Test
  void thePageFollowsAReleaseAndOnlyAnAuthorisedUserActs() throws Exception {
    cluster.apply(deployment("6.0.0"));
    cluster.apply(CANARY);
    cluster.await(Duration.ofMinutes(2)).until(() -> canary() != null && canary().getStatus() != null
        && canary().getStatus().phaseOrNew() == CanaryPhase.INITIALIZED);

    String list = dom("/ui");
    assertThat(list).contains(NAME, "Initialized");
    assertThat(list).doesNotContain("hunter2", "s3cret");

    // a new revision: the page shows the weight as it changes
    cluster.client().apps().deployments().inNamespace(cluster.namespace()).withName(NAME).patch(
        PatchContext.of(PatchType.STRATEGIC_MERGE), "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":"
            + "\"app\",\"image\":\"ghcr.io/stefanprodan/podinfo:6.0.1\"}]}}}}");
    cluster.await(Duration.ofMinutes(3)).until(() -> canary().getStatus().phaseOrNew() == CanaryPhase.PROGRESSING
        && canary().getStatus().canaryWeightOrZero() > 0);
    int first = weightShown(dom("/ui"));
    assertThat(first).isGreaterThan(0);
    cluster.await(Duration.ofMinutes(2)).until(() -> canary().getStatus().canaryWeightOrZero() > first);
    int later = weightShown(dom("/ui"));
    assertThat(later).as("the page shows the new weight").isGreaterThan(first);
    String page = dom("/ui/canaries/" + cluster.namespace() + "/" + NAME);
    assertThat(page).contains("Progressing", "Weight 0 \u2192 10", "request-success-rate", "http://127.0.0.1:1/smoke")
        .doesNotContain("hunter2", "s3cret");
    assertThat(page).as("the canary's Kubernetes Events, listed from the API server for the page")
        .contains("Initialization done! " + NAME + "." + cluster.namespace());

    // actions: refused without a token and for a user without rights; done for a user allowed to patch Canaries
    assertThat(post("promote", null).statusCode()).isEqualTo(401);
    assertThat(post("promote", token("onlooker", false)).statusCode()).isEqualTo(403);
    assertThat(annotation()).isNull();
    HttpResponse<String> promoted = post("promote", token("releaser", true));
    assertThat(promoted.statusCode()).as(promoted.body()).isEqualTo(202);
    assertThat(annotation()).startsWith("promote@");
    cluster.await(Duration.ofMinutes(3)).until(() -> canary().getStatus().phaseOrNew() == CanaryPhase.SUCCEEDED);
    String done = dom("/ui/canaries/" + cluster.namespace() + "/" + NAME);
    assertThat(done).contains("Succeeded", "Promoting", "Action: promote@", "Accepted");
    screenshot("/ui/canaries/" + cluster.namespace() + "/" + NAME, Path.of("target/ui-canary.png"));
    screenshot("/ui", Path.of("target/ui-list.png"));
  }

  private String annotation() {
    var a = canary().getMetadata().getAnnotations();
    return a == null ? null : a.get(ActionRequest.ANNOTATION);
  }

  /** The first weight cell of the canary table, e.g. {@code 20%}. */
  private static int weightShown(String dom) {
    Matcher m = Pattern.compile("<td class=\"num weight\">(\\d+)%</td>").matcher(dom);
    assertThat(m.find()).as("a weight cell in %s", dom).isTrue();
    return Integer.parseInt(m.group(1));
  }

  /** A ServiceAccount's token (TokenRequest API); {@code mayPatch}: bound to a Role that may patch Canaries. */
  private String token(String account, boolean mayPatch) {
    String ns = cluster.namespace();
    cluster.apply("""
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: %s}
        """.formatted(account));
    if (mayPatch) {
      cluster.apply("""
          apiVersion: rbac.authorization.k8s.io/v1
          kind: Role
          metadata: {name: canary-operator}
          rules:
          - {apiGroups: [flagger.app], resources: [canaries], verbs: [get, list, watch, patch]}
          ---
          apiVersion: rbac.authorization.k8s.io/v1
          kind: RoleBinding
          metadata: {name: canary-operator-%1$s}
          roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: canary-operator}
          subjects: [{kind: ServiceAccount, name: %1$s, namespace: %2$s}]
          """.formatted(account, ns));
    }
    return cluster.client().serviceAccounts().inNamespace(ns).withName(account).tokenRequest(
        new TokenRequestBuilder().withNewSpec().withExpirationSeconds(600L).endSpec().build()).getStatus().getToken();
  }

  private HttpResponse<String> post(String action, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/ui/api/canaries/" + cluster.namespace() + "/"
        + NAME + "/actions/" + action)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{}"));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return web.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  // ---------------------------------------------------------------------------------------------
  // headless Chromium

  private static List<String> chromium(String... args) throws IOException {
    assumeTrue(Files.isExecutable(CHROMIUM), "no /usr/bin/chromium (apt-get install -y chromium)");
    Path profile = Files.createTempDirectory("bunting-chromium-");
    List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile, "--window-size=1280,1600",
        "--hide-scrollbars"));
    command.addAll(List.of(args));
    return command;
  }

  /** The page's DOM after its script ran ({@code chromium --headless --dump-dom}). */
  private static String dom(String path) throws Exception {
    Path out = Files.createTempFile("dom-", ".html");
    Process p = new ProcessBuilder(chromium("--dump-dom", base + path)).redirectOutput(out.toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("chromium finished").isTrue();
    return Files.readString(out);
  }

  private static void screenshot(String path, Path file) throws Exception {
    Path shot = Files.createTempFile("shot-", ".png");
    Process p = new ProcessBuilder(chromium("--screenshot=" + shot, base + path))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("chromium finished").isTrue();
    assertThat(Files.size(shot)).isGreaterThan(1000);
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.copy(shot, file, StandardCopyOption.REPLACE_EXISTING);
  }
}
