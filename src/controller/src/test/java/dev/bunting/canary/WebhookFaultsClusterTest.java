package dev.bunting.canary;

import static dev.bunting.canary.CanaryScenarios.BUILTIN_METRICS;
import static dev.bunting.canary.CanaryScenarios.deployment;
import static dev.bunting.canary.CanaryScenarios.gatewayCanary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.hooks.RecordingServer.Reply;
import dev.bunting.hooks.RecordingServer;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.RegistryReadings.Histogram;
import dev.bunting.testing.RegistryReadings;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.ThirdPartyCrds;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rollout webhooks that misbehave while other canaries release at the same time: one that never answers, one that
 * drops the connection, one that answers slowly (within its timeout). The hung call is cut at the hook's timeout and
 * counts as a failed check, as does the dropped one; neither canary takes a step past the first or promotes. The slow one and a
 * canary without hooks promote, and no canary's analysis tick starts late while hooks hang
 * ({@code bunting_canary_tick_lateness_seconds}). Each hook in flight holds one of {@code --max-concurrent-reconciles}
 * reconcile slots (default 32) for at most its timeout; this test stays below that.
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.GATEWAY_API)
class WebhookFaultsClusterTest {
  private static final Duration RELEASE = Duration.ofMinutes(4);
  /** Long enough that a tick queued behind a hung call would start seconds late. */
  private static final String HUNG_TIMEOUT = "8s";
  private static final double LATE_SECONDS = 5;

  static TestCluster cluster;
  static BuntingUnderTest bunting;
  static RecordingServer hooks;

  @BeforeAll
  static void start(TestCluster testCluster) throws Exception {
    cluster = testCluster;
    bunting = BuntingUnderTest.start(cluster, "gatewayapi:v1");
    hooks = RecordingServer.http(cluster.vertx()).respond(r -> switch (r.path()) {
      case "/hang" -> Reply.hang();
      case "/drop" -> Reply.dropConnection();
      case "/slow" -> Reply.of(200, "fine, eventually").delayed(2_000);
      default -> Reply.of(200, "OK");
    });
  }

  @AfterAll
  static void stop() throws Exception {
    if (bunting != null) {
      bunting.close();
    }
    if (hooks != null) {
      hooks.close();
    }
  }

  @Test
  void hungAndDroppedHooksFailTheirCanariesAloneAndDelayNoOtherTick() throws Exception {
    Map<String, String> hookOf = new LinkedHashMap<>();
    hookOf.put("hung", "url: %s\n  timeout: %s".formatted(hooks.url("/hang"), HUNG_TIMEOUT));
    hookOf.put("dropped", "url: %s\n  timeout: 5s".formatted(hooks.url("/drop")));
    hookOf.put("slow", "url: %s\n  timeout: 5s".formatted(hooks.url("/slow")));
    hookOf.put("steady", null);
    hookOf.forEach((name, hook) -> {
      cluster.apply(deployment(name, "8.0.0"));
      String webhooks = hook == null ? "" : """
          webhooks:
          - name: check
            type: rollout
            %s
          """.formatted(hook);
      cluster.apply(gatewayCanary(name, """
          interval: 10s
          threshold: 2
          stepWeight: 25
          maxWeight: 50
          """ + webhooks + BUILTIN_METRICS));
    });
    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
        .until(() -> hookOf.keySet().stream().allMatch(n -> phase(n) == CanaryPhase.INITIALIZED));

    Histogram before = lateness();
    long started = System.nanoTime();
    hookOf.keySet().forEach(name -> CanaryScenarios.setImage(cluster, name, "8.0.1"));
    Map<String, CanaryPhase> expected = Map.of("hung", CanaryPhase.FAILED, "dropped", CanaryPhase.FAILED,
        "slow", CanaryPhase.SUCCEEDED, "steady", CanaryPhase.SUCCEEDED);
    await().atMost(RELEASE).pollInterval(Duration.ofSeconds(1))
        .until(() -> expected.entrySet().stream().allMatch(e -> phase(e.getKey()) == e.getValue()));
    Histogram during = lateness().minus(before);
    System.out.printf("hung, dropped, slow and hook-less canaries released together: all four settled in %d s;"
        + " analysis ticks: %s; hook requests: %d%n", Duration.ofNanos(System.nanoTime() - started).toSeconds(),
        during, hooks.requests().size());

    for (String name : List.of("hung", "dropped")) {
      String id = name + "." + cluster.namespace();
      List<String> events = bunting.eventsOnce(name, m -> m.startsWith("Canary failed! Scaling down " + id));
      // the first step is taken before any analysis (as Flagger does); the hooks run from the second tick on
      assertThat(events).as(name).noneMatch(m -> m.startsWith("Advance " + id + " canary weight 50"))
          .noneMatch(m -> m.startsWith("Copying ") || m.startsWith("Promotion completed"))
          .anyMatch(m -> m.startsWith("Canary failed! Scaling down " + id));
      assertThat(image(name + "-primary")).as(name + ": the primary still runs the last good version")
          .endsWith(":8.0.0");
    }
    assertThat(bunting.events("hung")).as("the hung call was cut at its timeout")
        .anyMatch(m -> m.startsWith("Halt hung." + cluster.namespace() + " advancement")
            && m.contains("timed out after " + HUNG_TIMEOUT));
    assertThat(bunting.events("dropped")).as("the dropped connection is named")
        .anyMatch(m -> m.startsWith("Halt dropped." + cluster.namespace() + " advancement")
            && m.contains("request failed"));
    for (String name : List.of("slow", "steady")) {
      assertThat(bunting.events(name)).as(name)
          .anyMatch(m -> m.startsWith("Advance " + name + "." + cluster.namespace() + " canary weight 50"));
      assertThat(image(name + "-primary")).as(name + " promoted").endsWith(":8.0.1");
    }
    assertThat(hooks.requests().stream().filter(r -> r.path().equals("/hang")).count())
        .as("one call per tick until the threshold: the hung calls were not retried past the interval")
        .isBetween(2L, 4L);

    assertThat(during.count()).as("analysis ticks while the hooks hung").isGreaterThanOrEqualTo(8);
    assertThat(during.countAtMost(LATE_SECONDS)).as("ticks that started within %ss of their schedule; %s",
        LATE_SECONDS, during).isEqualTo(during.count());
  }

  private static CanaryPhase phase(String name) {
    Canary c = bunting.canary(name);
    return c == null || c.getStatus() == null ? null : c.getStatus().phase;
  }

  private static String image(String deployment) {
    return cluster.client().apps().deployments().inNamespace(cluster.namespace()).withName(deployment).get()
        .getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private static Histogram lateness() {
    return RegistryReadings.histogram(bunting.app().registry(), "bunting_canary_tick_lateness_seconds");
  }
}
