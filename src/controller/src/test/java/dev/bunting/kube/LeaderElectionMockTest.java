package dev.bunting.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fast tier, on the CRUD mock (Leases are plain objects to it): one of two instances leads; a leader that dies without
 * releasing the Lease is replaced once the Lease expires, not before; one that stops cleanly releases it at once.
 */
@EnableKubernetesMockClient(crud = true)
class LeaderElectionMockTest {
  KubernetesClient client;
  private final List<LeaderElection> elections = new ArrayList<>();
  private final List<String> log = new CopyOnWriteArrayList<>();
  private static final LeaderElection.Settings FAST = new LeaderElection.Settings("bunting-system", "bunting",
      Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(250));

  @AfterEach
  void close() {
    elections.forEach(e -> e.close(false));
  }

  private LeaderElection start(String name) {
    LeaderElection e = new LeaderElection(client, FAST, name, () -> log.add(name + " started"),
        () -> log.add(name + " stopped"));
    elections.add(e);
    e.start();
    return e;
  }

  private Lease lease() {
    return client.leases().inNamespace("bunting-system").withName("bunting").get();
  }

  @Test
  void aStandbyTakesOverOnlyAfterTheLeaseOfADeadLeaderExpired() {
    LeaderElection a = start("a");
    await().atMost(Duration.ofSeconds(10)).until(a::leading);
    LeaderElection b = start("b");
    await("b sees a as the leader").atMost(Duration.ofSeconds(10))
        .until(() -> b.leader().filter(a.identity()::equals).isPresent());
    assertThat(b.leading()).isFalse();
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(a.identity());

    Instant killed = Instant.now();
    a.close(false); // as a killed process: the Lease is left to expire
    await().atMost(Duration.ofSeconds(15)).until(b::leading);
    Duration takeover = Duration.between(killed, Instant.now());
    assertThat(takeover).as("not before the lease duration").isGreaterThanOrEqualTo(Duration.ofMillis(2500))
        .isLessThan(Duration.ofSeconds(8));
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(b.identity());
    assertThat(lease().getSpec().getLeaseTransitions()).isEqualTo(1);
    assertThat(log).as("a closed: no 'stopped' callback, the process is going away anyway")
        .containsExactly("a started", "b started");
  }

  @Test
  void aLeaderThatStopsCleanlyReleasesTheLease() {
    LeaderElection a = start("a");
    await().atMost(Duration.ofSeconds(10)).until(a::leading);
    LeaderElection b = start("b");
    await().atMost(Duration.ofSeconds(10)).until(() -> b.leader().isPresent());
    Instant stopped = Instant.now();
    a.close(true);
    await().atMost(Duration.ofSeconds(10)).until(b::leading);
    assertThat(Duration.between(stopped, Instant.now())).as("well before the lease duration")
        .isLessThan(Duration.ofMillis(2500));
  }

  @Test
  void aLeaderWhoseLeaseIsTakenStopsLeading() {
    LeaderElection a = start("a");
    await().atMost(Duration.ofSeconds(10)).until(a::leading);
    // another holder writes the Lease; a renewal by "a" in between is a 409, after which it tries again
    await().atMost(Duration.ofSeconds(10)).ignoreException(KubernetesClientException.class).until(() -> {
      Lease taken = lease();
      taken.getSpec().setHolderIdentity("someone-else");
      taken.getSpec().setRenewTime(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(30));
      client.leases().inNamespace("bunting-system").resource(taken).update();
      return true;
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> !a.leading());
    assertThat(log).containsExactly("a started", "a stopped");
  }

  @Test
  void timingsMustLeaveRoomForTheLeaderToStopBeforeItsLeaseExpires() {
    assertThatThrownBy(() -> new LeaderElection.Settings("ns", "l", Duration.ofSeconds(10), Duration.ofSeconds(10),
        Duration.ofSeconds(2))).hasMessageContaining("lease duration > renew deadline > retry period");
  }
}
