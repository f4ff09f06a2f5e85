package dev.bunting.canary;

import static dev.bunting.canary.CanaryScenarios.BUILTIN_METRICS;
import static dev.bunting.canary.CanaryScenarios.deployment;
import static dev.bunting.canary.CanaryScenarios.gatewayCanary;
import static dev.bunting.canary.Timeline.phase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bunting.api.CanaryPhase;
import dev.bunting.cli.BuntingApp;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.ThirdPartyCrds;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two replicas with {@code --leader-elect} (short Lease timings): both are Ready, one acts and the standby sends no
 * write at all; when the leader dies in the middle of a release (its Lease is not released, as with a killed pod), the
 * standby takes the Lease once it expires and carries the release on from the Canary's status to Succeeded, with no
 * step repeated or skipped.
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.GATEWAY_API)
class LeaderElectionClusterTest {
  private static final Duration LEASE = Duration.ofSeconds(4);
  private static final Duration RELEASE = Duration.ofMinutes(3);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  static TestCluster cluster;
  static BuntingUnderTest bunting;
  static BuntingApp second;

  @BeforeAll
  static void start(TestCluster testCluster) throws Exception {
    cluster = testCluster;
    bunting = BuntingUnderTest.start(cluster, "gatewayapi:v1", o -> {
      o.leaderElect = true;
      o.leaderElectionNamespace = cluster.namespace();
      o.leaderElectionId = "bunting";
      o.leaderElectionLeaseDuration = LEASE;
      o.leaderElectionRenewDeadline = Duration.ofSeconds(3);
      o.leaderElectionRetryPeriod = Duration.ofMillis(500);
    });
    second = bunting.startAnother(o -> { });
  }

  @AfterAll
  static void stop() throws Exception {
    if (bunting != null) {
      bunting.close();
    }
  }

  private static int get(BuntingApp app, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private static String metric(BuntingApp app, String name) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body().lines().filter(l -> l.startsWith(name + "{"))
        .findFirst().orElse("");
  }

  private static Lease lease() {
    return cluster.client().leases().inNamespace(cluster.namespace()).withName("bunting").get();
  }

  @Test
  void theStandbyTakesOverAfterTheLeaseExpiresAndTheReleaseGoesOnFromItsStatus() throws Exception {
    List<BuntingApp> both = List.of(bunting.app(), second);
    await().atMost(Duration.ofSeconds(30)).until(() -> both.stream().filter(BuntingApp::acting).count() == 1);
    BuntingApp leader = both.stream().filter(BuntingApp::acting).findFirst().orElseThrow();
    BuntingApp standby = leader == second ? bunting.app() : second;
    assertThat(get(leader, "/readyz")).isEqualTo(200);
    assertThat(get(standby, "/readyz")).as("a standby is Ready too: rolling updates wait for it").isEqualTo(200);
    assertThat(metric(leader, "bunting_leader")).endsWith(" 1.0");
    assertThat(metric(standby, "bunting_leader")).endsWith(" 0.0");
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(leader.election().orElseThrow().identity());
    long standbyWrites = standby.requests().writes();

    String name = "ha";
    cluster.apply(deployment(name, "6.0.0"));
    cluster.apply(gatewayCanary(name, """
        interval: 5s
        threshold: 3
        stepWeight: 20
        maxWeight: 60
        """ + BUILTIN_METRICS));
    Timeline.record(bunting, name, name, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
    CanaryScenarios.setImage(cluster, name, "6.0.1");
    Timeline before = Timeline.record(bunting, name, name, c -> c.getStatus().canaryWeightOrZero() == 40, RELEASE);
    String id = name + "." + cluster.namespace();
    await().atMost(Duration.ofSeconds(30)).until(() -> bunting.events(name).stream()
        .anyMatch(m -> m.startsWith("Advance " + id + " canary weight 40")));
    assertThat(standby.requests().writes()).as("the standby wrote nothing: no status, no Event, no Lease")
        .isEqualTo(standbyWrites);
    assertThat(metric(standby, "flagger_canary_status")).as("nor reports canaries it does not run").isEmpty();

    Instant killed = Instant.now();
    leader.stopWithoutReleasingLease().toCompletionStage().toCompletableFuture().get();
    await().atMost(LEASE.plusSeconds(10)).pollInterval(Duration.ofMillis(100)).until(standby::acting);
    Duration takeover = Duration.between(killed, Instant.now());
    System.out.printf("takeover after %d ms (lease %d ms)%n", takeover.toMillis(), LEASE.toMillis());
    assertThat(takeover).as("not before the Lease expired, and soon after").isBetween(LEASE.minusMillis(500),
        LEASE.plusSeconds(3));
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(standby.election().orElseThrow().identity());

    Timeline after = Timeline.record(bunting, name, name, phase(CanaryPhase.SUCCEEDED), RELEASE);
    assertThat(before.routeWeights).containsExactly(0, 20, 40);
    assertThat(after.routeWeights).as("the new leader goes on from 40: " + after).isSubsetOf(40, 60, 0)
        .endsWith(60, 0);
    await().atMost(Duration.ofSeconds(30)).until(() -> bunting.events(name).stream()
        .anyMatch(m -> m.startsWith("Promotion completed!")));
    assertThat(cluster.client().v1().events().inNamespace(cluster.namespace()).list().getItems())
        .filteredOn(e -> name.equals(e.getInvolvedObject().getName()) && e.getMessage().startsWith("Advance "))
        .as("each step exactly once, across the takeover")
        .extracting(e -> e.getMessage().replaceAll(" \\(.*", "") + " x" + e.getCount())
        .containsExactlyInAnyOrder("Advance " + id + " canary weight 20 x1", "Advance " + id + " canary weight 40 x1",
            "Advance " + id + " canary weight 60 x1");
    assertThat(metric(standby, "bunting_leader")).endsWith(" 1.0");
  }
}
