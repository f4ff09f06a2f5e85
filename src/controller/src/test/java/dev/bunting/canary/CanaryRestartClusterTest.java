package dev.bunting.canary;

import static dev.bunting.canary.CanaryScenarios.BUILTIN_METRICS;
import static dev.bunting.canary.CanaryScenarios.deployment;
import static dev.bunting.canary.CanaryScenarios.gatewayCanary;
import static dev.bunting.canary.Timeline.phase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bunting.api.CanaryPhase;
import dev.bunting.kube.ApiRequestCounter;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.ThirdPartyCrds;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Durability and cost: a controller restarted in the middle of an analysis continues from the Canary's status without
 * repeating or skipping a step; an idle canary costs no API requests; a progressing tick costs a handful of writes and
 * no reads (everything is read from informer caches).
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.GATEWAY_API)
class CanaryRestartClusterTest {
  private static final Duration RELEASE = Duration.ofMinutes(4);

  static TestCluster cluster;
  static BuntingUnderTest bunting;

  @BeforeAll
  static void start(TestCluster testCluster) throws Exception {
    cluster = testCluster;
    bunting = BuntingUnderTest.start(cluster, "gatewayapi:v1");
  }

  @AfterAll
  static void stop() throws Exception {
    if (bunting != null) {
      bunting.close();
    }
  }

  private static void setImage(String name, String tag) {
    CanaryScenarios.setImage(cluster, name, tag);
  }

  /** The controller's own request counter, as Prometheus would scrape it. */
  private static String requestSeries() throws Exception {
    String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + bunting.app().httpPort() + "/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    return body.lines().filter(l -> l.startsWith("bunting_kube_api_requests_total{"))
        .collect(java.util.stream.Collectors.joining("\n"));
  }

  @Test
  void aRestartMidAnalysisContinuesWithoutRepeatingOrSkippingAStep() throws Exception {
    String name = "durable";
    cluster.apply(deployment(name, "6.0.0"));
    cluster.apply(gatewayCanary(name, """
        interval: 10s
        threshold: 3
        stepWeight: 20
        maxWeight: 60
        """ + BUILTIN_METRICS));
    Timeline.record(bunting, name, name, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
    setImage(name, "6.0.1");

    Timeline before = Timeline.record(bunting, name, name, c -> c.getStatus().canaryWeightOrZero() == 20, RELEASE);
    ApiRequestCounter requests = bunting.app().requests();
    long writes = requests.writes();
    long reads = requests.reads();
    System.out.println("before the tick:\n" + requestSeries());
    Timeline tick = Timeline.record(bunting, name, name, c -> c.getStatus().canaryWeightOrZero() == 40, RELEASE);
    String id = name + "." + cluster.namespace();
    // the step's Event is written after its status: the tick's writes are complete once it is there
    await().atMost(Duration.ofSeconds(30)).until(() -> bunting.events(name).stream()
        .anyMatch(m -> m.startsWith("Advance " + id + " canary weight 40")));
    System.out.printf("progressing tick 20 -> 40: %d writes, %d reads%n%s%n", requests.writes() - writes,
        requests.reads() - reads, requestSeries());
    assertThat(requests.reads() - reads).as("a progressing tick reads from caches only").isZero();
    assertThat(requests.writes() - writes).as("route + status + event for one step").isBetween(2L, 4L);

    bunting.stopApp();
    await("nothing moves while Bunting is down").during(bunting.interval().plusSeconds(5))
        .atMost(bunting.interval().plusSeconds(30))
        .until(() -> bunting.canary(name).getStatus().canaryWeight == 40);
    bunting.startAgain();
    Timeline after = Timeline.record(bunting, name, name, phase(CanaryPhase.SUCCEEDED), RELEASE);

    assertThat(before.routeWeights).containsExactly(0, 20);
    assertThat(tick.routeWeights).containsExactly(20, 40);
    assertThat(after.routeWeights).as("after the restart the release goes on from 40: " + after)
        .isSubsetOf(40, 60, 0).endsWith(60, 0);
    assertThat(bunting.events(name).stream().filter(m -> m.startsWith("Advance " + id + " canary weight ")))
        .as("each step exactly once").hasSize(3)
        .anyMatch(m -> m.startsWith("Advance " + id + " canary weight 20"))
        .anyMatch(m -> m.startsWith("Advance " + id + " canary weight 40"))
        .anyMatch(m -> m.startsWith("Advance " + id + " canary weight 60"));
    // a repeated step would be counted on its Event (Events aggregate, also across the restart)
    assertThat(cluster.client().v1().events().inNamespace(cluster.namespace()).list().getItems())
        .filteredOn(e -> name.equals(e.getInvolvedObject().getName()) && e.getMessage().startsWith("Advance "))
        .hasSize(3).allSatisfy(e -> assertThat(e.getCount()).as(e.getMessage()).isEqualTo(1));

    // the release's last Event comes after its status: from then on nothing is pending
    await().atMost(Duration.ofSeconds(30)).until(() -> bunting.events(name).stream()
        .anyMatch(m -> m.startsWith("Promotion completed!")));
    ApiRequestCounter idle = bunting.app().requests();
    long idleWrites = idle.writes();
    long idleReads = idle.reads();
    await("an idle canary makes no API request").during(bunting.interval().multipliedBy(3))
        .atMost(bunting.interval().multipliedBy(4))
        .until(() -> idle.writes() == idleWrites && idle.reads() == idleReads);
    System.out.printf("idle canary over 3 intervals: %d writes, %d reads%n%s%n", idle.writes() - idleWrites,
        idle.reads() - idleReads, requestSeries());
  }
}
