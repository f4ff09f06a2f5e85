package dev.bunting.playground;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.testing.GatewayStatusController;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.PrometheusServer;
import dev.bunting.testing.TestCluster;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The playground's acceptance test: the {@code good-then-bad} scenario, headless, on the local control plane, with
 * the real Bunting in-process, a real Prometheus and a real Git repository synced by a GitSync. It asserts what a user
 * would check: 1.1.0 promoted (the primary runs it), 1.2.0-bad rolled back (primary still 1.1.0, canary at zero
 * replicas, HTTPRoute 100/0), the Prometheus readings that drove each decision in the Canary's Events, the commits
 * applied by the GitSync, the timeline printed, and everything the playground started gone after it stops.
 */
@LocalCluster
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlaygroundScenarioClusterTest {
  private static final Pattern SUCCESS_RATE = Pattern.compile("success rate (\\d+\\.\\d+)% < 99%");

  static Vertx vertx;
  static Playground playground;
  static PlaygroundSummary summary;
  static ByteArrayOutputStream terminal = new ByteArrayOutputStream();
  static KubernetesClient client;
  static KubernetesClient testClient;
  static String namespace;
  @TempDir
  static Path state;

  @BeforeAll
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  static void playTheScenario(TestCluster cluster) throws Exception {
    assumeTrue(PrometheusServer.isAvailable(), PrometheusServer.UNAVAILABLE);
    vertx = Vertx.vertx();
    testClient = cluster.client();
    namespace = cluster.namespace() + "-pg";
    PlaygroundSettings settings = new PlaygroundSettings(Scenario.GOOD_THEN_BAD, Duration.ofSeconds(10), false,
        false, namespace, state.resolve("playground"), "pg-test-" + ProcessHandle.current().pid(), 0, 0, 0, 30,
        Optional.of(PrometheusServer.projectDir()));
    PrintStream both = new PrintStream(new Tee(System.out, terminal), true, StandardCharsets.UTF_8);
    playground = new Playground(vertx, settings, s -> PlaygroundCommand.startBunting(vertx, s), both,
        Clock.systemUTC());
    summary = playground.run();
    client = playground.client();
  }

  @AfterAll
  static void stop() throws Exception {
    if (playground != null) {
      playground.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(namespace).withName(name).get();
  }

  private static String image(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  /** The Canary's Events as {@code kubectl describe} lists them, oldest first. */
  private static List<Event> canaryEvents() {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> "Canary".equals(e.getInvolvedObject().getKind())
            && DemoApp.NAME.equals(e.getInvolvedObject().getName()))
        .sorted(Comparator.comparing(Event::getFirstTimestamp).thenComparing(e -> e.getMetadata().getName()))
        .toList();
  }

  @Test
  @Order(1)
  void theHealthyReleaseIsPromotedStepByStep() {
    ReleaseOutcome good = summary.outcomes().get(0);
    assertThat(good.tag()).isEqualTo("1.1.0");
    assertThat(good.promoted()).as(good.toString()).isTrue();
    assertThat(good.primaryImage()).isEqualTo("ghcr.io/stefanprodan/podinfo:1.1.0");
    assertThat(good.weights()).as("the HTTPRoute's canary weight, step by step").containsSubsequence(10, 20, 30, 40,
        50, 0);
    assertThat(good.decision()).startsWith("Advance podinfo." + namespace + " canary weight 50 (")
        .contains("request-success-rate=100%", "request-duration=");
  }

  @Test
  @Order(2)
  void theBadReleaseIsRolledBackAndTheClusterShowsIt() {
    ReleaseOutcome bad = summary.outcomes().get(1);
    assertThat(bad.tag()).isEqualTo("1.2.0-bad");
    assertThat(bad.rolledBack()).as(bad.toString()).isTrue();
    assertThat(summary.asExpected()).isTrue();

    Canary canary = client.resources(Canary.class).inNamespace(namespace).withName(DemoApp.NAME).get();
    assertThat(canary.getStatus().phase).isEqualTo(CanaryPhase.FAILED);
    assertThat(canary.getStatus().failedChecks).isEqualTo(5);
    assertThat(image(deployment("podinfo-primary"))).as("the primary still runs the promoted version")
        .isEqualTo("ghcr.io/stefanprodan/podinfo:1.1.0");
    assertThat(deployment("podinfo").getSpec().getReplicas()).as("the canary is scaled to zero").isZero();
    assertThat(image(deployment("podinfo"))).as("the target has the bad version GitSync applied")
        .isEqualTo("ghcr.io/stefanprodan/podinfo:1.2.0-bad");
    assertThat(routeWeights()).as("all traffic on the primary")
        .containsExactly(Map.entry("podinfo-primary", 100), Map.entry("podinfo-canary", 0));
  }

  @Test
  @Order(3)
  void bothCommitsReachedTheClusterThroughTheGitSync() {
    assertThat(playground.gitSync().lastAttemptedRevision())
        .hasValue("main@sha1:" + playground.repository().head());
  }

  @Test
  @Order(4)
  void thePrometheusReadingsThatDecidedAreInTheCanarysEvents() {
    List<String> withCommits = canaryEvents().stream().map(Event::getMessage).toList();
    String id = "podinfo." + namespace;
    assertThat(withCommits).as("the Events name the commit behind each release").anyMatch(m -> m.matches(
        "New revision detected! Scaling up " + Pattern.quote(id) + " \\(git main@sha1:[0-9a-f]{12} "
            + "\"podinfo: bump image to 1\\.2\\.0-bad\"\\)"));
    List<String> messages = withCommits.stream().map(m -> m.replaceFirst(" \\(git main@sha1:[0-9a-f]{12} .*\\)$", ""))
        .toList();
    assertThat(messages).containsSubsequence("New revision detected! Scaling up " + id,
        "Advance " + id + " canary weight 10",
        "Copying " + id + " template spec to podinfo-primary." + namespace,
        "Promotion completed! Scaling down " + id,
        "New revision detected! Scaling up " + id, // each release's commit makes its own Event
        "Canary failed! Scaling down " + id);
    List<String> advances = messages.stream().filter(m -> m.startsWith("Advance " + id + " canary weight ")
        && !m.endsWith("weight 10")).toList();
    assertThat(advances).hasSize(4).allSatisfy(m -> assertThat(m)
        .matches(".* \\(request-success-rate=100%, request-duration=\\d+ms\\)"));

    List<Event> halts = canaryEvents().stream().filter(e -> e.getMessage().startsWith("Halt " + id + " advancement"))
        .toList();
    assertThat(halts).hasSize(5).allSatisfy(e -> assertThat(e.getType()).isEqualTo("Warning"));
    for (Event halt : halts) {
      Matcher m = SUCCESS_RATE.matcher(halt.getMessage());
      assertThat(m.find()).as(halt.getMessage()).isTrue();
      assertThat(Double.parseDouble(m.group(1))).as("one request in five fails: " + halt.getMessage())
          .isBetween(70.0, 95.0);
    }
  }

  /**
   * No pause between the releases: 1.2.0-bad was committed as soon as 1.1.0 was promoted, while 1.1.0's canary
   * requests were still inside the 1m window. With {@code analysis.window: release} the builtin query selects the bad
   * revision's own pods since its own start, so already its first check reads the bad version alone (the 7x-9x % of
   * every Halt above), where Flagger's query would have mixed in its predecessor's healthy requests.
   */
  @Test
  @Order(5)
  void backToBackReleasesAreEachJudgedOnTheirOwnTraffic() {
    String printed = terminal.toString(StandardCharsets.UTF_8);
    assertThat(printed).as("no pause between the releases").doesNotContain("leave Prometheus's");
    Canary canary = client.resources(Canary.class).inNamespace(namespace).withName(DemoApp.NAME).get();
    var analysis = canary.getStatus().analysis;
    assertThat(analysis.startedAt).as("the bad release's analysis start").isNotNull();
    var rate = analysis.metrics.stream().filter(m -> m.name.equals("request-success-rate")).findFirst().orElseThrow();
    assertThat(rate.result).isEqualTo("Failed");
    assertThat(rate.value).as("the bad version alone: one request in five fails").isBetween(70.0, 95.0);
    String hash = client.apps().replicaSets().inNamespace(namespace).withLabel("app", DemoApp.NAME).list().getItems()
        .stream().filter(rs -> rs.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()
            .endsWith(":1.2.0-bad"))
        .map(rs -> rs.getMetadata().getLabels().get("pod-template-hash")).findFirst().orElseThrow();
    assertThat(rate.query).as("only the pods of the bad revision")
        .contains("kubernetes_pod_name=~\"podinfo-" + hash + "-[0-9a-zA-Z]+\"");
  }

  @Test
  @Order(6)
  void thePersonSawTheTimelineAndTheSummary() {
    String printed = terminal.toString(StandardCharsets.UTF_8);
    assertThat(printed).contains(Timeline.HEADER, "git: commit ", "\"podinfo: bump image to 1.1.0\"",
        "\"podinfo: bump image to 1.2.0-bad\"", "GitSync podinfo: Applied revision main@sha1:",
        "Promotion completed! Scaling down", "[Warning] Canary failed! Scaling down",
        "every release ended as expected");
    assertThat(printed).containsPattern("Progressing +30 +100\\.0% +\\d+ms +Advance podinfo\\." + namespace
        + " canary weight 30");
    assertThat(summary.answers()).as("real requests through the gateway, some answered 500 by the bad canary")
        .containsKey(200).containsKey(500);
    assertThat(summary.total()).isLessThan(Duration.ofMinutes(8));
  }

  @Test
  @Order(7)
  void stoppingRemovesEverythingItStarted() throws Exception {
    Path repo = playground.repository().dir();
    playground.close();
    assertThat(Files.exists(repo)).isFalse();
    assertThat(testClient.namespaces().withName(namespace).get()).as("namespace deleted").isNull();
    assertThat(new PlaygroundPrometheus(ProjectLayout.find(Optional.of(PrometheusServer.projectDir())),
        new ScriptRunner(PrometheusServer.projectDir(), System.out), playground.settings().prometheusName(), 1)
        .running()).isFalse();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Integer> routeWeights() {
    GenericKubernetesResource route = client.genericKubernetesResources(GatewayStatusController.HTTP_ROUTES)
        .inNamespace(namespace).withName(DemoApp.NAME).get();
    Map<String, Object> spec = (Map<String, Object>) route.getAdditionalProperties().get("spec");
    List<Map<String, Object>> refs = (List<Map<String, Object>>) ((List<Map<String, Object>>) spec.get("rules"))
        .get(0).get("backendRefs");
    Map<String, Integer> weights = new java.util.LinkedHashMap<>();
    refs.forEach(r -> weights.put((String) r.get("name"), ((Number) r.get("weight")).intValue()));
    return weights;
  }

  /** Writes to two streams: the test's output and a buffer the test reads. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public synchronized void flush() throws java.io.IOException {
      a.flush();
      b.flush();
    }
  }
}
