package dev.bunting.canary;

import static dev.bunting.canary.CanaryScenarios.BUILTIN_METRICS;
import static dev.bunting.canary.CanaryScenarios.deployment;
import static dev.bunting.canary.CanaryScenarios.gatewayCanary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bunting.api.CanaryPhase;
import dev.bunting.api.Condition;
import dev.bunting.api.GitSync;
import dev.bunting.gitops.TestRepo;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.RegistryReadings.Histogram;
import dev.bunting.testing.RegistryReadings;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.ThirdPartyCrds;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both engines in one controller, the GitSync engine busy: two GitSyncs each apply a hundred ConfigMaps again and
 * again (a commit every few seconds) and wait for a Job that never completes, while three canaries progress. The
 * canaries' analysis ticks start when they are due (bunting_canary_tick_lateness_seconds), not seconds later behind
 * GitSync work: each engine has its own worker pool and queue.
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.GATEWAY_API)
class CanaryUnderGitSyncLoadClusterTest {
  private static final List<String> CANARIES = List.of("alpha", "beta", "gamma");
  private static final int CONFIG_MAPS = 100;
  /** Generous: performance belongs in benchmarks; this only says "not delayed by seconds behind GitSync work". */
  private static final double MAX_LATENESS_SECONDS = 5;

  @TempDir
  static Path tmp;
  static TestCluster cluster;
  static BuntingUnderTest bunting;

  @BeforeAll
  static void start(TestCluster testCluster) throws Exception {
    cluster = testCluster;
    bunting = BuntingUnderTest.start(cluster, "gatewayapi:v1", flags -> {
      flags.maxConcurrentReconciles = 2;
      flags.maxConcurrentSyncs = 2;
    });
  }

  @AfterAll
  static void stop() throws Exception {
    if (bunting != null) {
      bunting.close();
    }
  }

  @Test
  void canaryTicksAreNotLateWhileGitSyncAppliesHundredsOfObjectsAndWaitsForAJob() throws Exception {
    for (String name : CANARIES) {
      cluster.apply(deployment(name, "6.0.0"));
      cluster.apply(gatewayCanary(name, """
          interval: 10s
          threshold: 3
          stepWeight: 20
          maxWeight: 60
          """ + BUILTIN_METRICS));
    }
    await().atMost(Duration.ofMinutes(3)).until(() -> CANARIES.stream().allMatch(n -> phase(n) == CanaryPhase.INITIALIZED));

    try (TestRepo a = TestRepo.create(tmp.resolve("a")); TestRepo b = TestRepo.create(tmp.resolve("b"))) {
      List<TestRepo> repos = List.of(a, b);
      AtomicInteger round = new AtomicInteger();
      for (int i = 0; i < repos.size(); i++) {
        String prefix = i == 0 ? "a" : "b";
        write(repos.get(i), prefix, 0).write("job.yaml", job("migrate-" + prefix)).commit("round 0");
        cluster.apply("""
            apiVersion: bunting.dev/v1alpha1
            kind: GitSync
            metadata: {name: load-%s}
            spec:
              url: %s
              interval: 10m
              timeout: 10m
              prune: true
            """.formatted(prefix, repos.get(i).url()));
      }
      for (String prefix : List.of("a", "b")) {
        await().atMost(Duration.ofMinutes(2)).until(() -> waitingForTheJob("load-" + prefix));
      }

      // from here on: a new commit every few seconds into both repositories, each changing every ConfigMap
      AtomicBoolean loading = new AtomicBoolean(true);
      List<Throwable> loadErrors = new ArrayList<>();
      Thread load = new Thread(() -> {
        try {
          while (loading.get()) {
            int n = round.incrementAndGet();
            for (int i = 0; i < repos.size(); i++) {
              String prefix = i == 0 ? "a" : "b";
              write(repos.get(i), prefix, n).commit("round " + n);
              requestSync("load-" + prefix);
            }
            Thread.sleep(4000);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (Throwable e) {
          loadErrors.add(e);
        }
      }, "gitsync-load");
      Histogram before = lateness();
      double syncsBefore = histogramCount("bunting_gitsync_sync_duration_seconds");
      double writtenBefore = counter("bunting_gitsync_objects_applied");
      load.start();
      try {
        for (String name : CANARIES) {
          CanaryScenarios.setImage(cluster, name, "6.0.1");
        }
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
            .until(() -> CANARIES.stream().allMatch(n -> phase(n) == CanaryPhase.SUCCEEDED));
      } finally {
        loading.set(false);
        load.join(30_000);
      }
      assertThat(loadErrors).isEmpty();
      Histogram during = lateness().minus(before);
      double syncs = histogramCount("bunting_gitsync_sync_duration_seconds") - syncsBefore;
      double written = counter("bunting_gitsync_objects_applied") - writtenBefore;
      System.out.printf("while %d commits were synced (%.0f syncs, %.0f objects written): %s%n", round.get(), syncs,
          written, during);

      // the GitSync engine was busy the whole time, and still is waiting for its Jobs
      assertThat(syncs).as("GitSync syncs during the releases").isGreaterThanOrEqualTo(6);
      assertThat(written).as("objects GitSync wrote during the releases").isGreaterThanOrEqualTo(4 * CONFIG_MAPS);
      assertThat(waitingForTheJob("load-a")).isTrue();
      // every canary went through every step
      for (String name : CANARIES) {
        String id = name + "." + cluster.namespace();
        assertThat(bunting.events(name)).anyMatch(m -> m.startsWith("Advance " + id + " canary weight 20"))
            .anyMatch(m -> m.startsWith("Advance " + id + " canary weight 40"))
            .anyMatch(m -> m.startsWith("Advance " + id + " canary weight 60"));
      }
      // and their ticks started on time
      assertThat(during.count()).as("ticks observed: three canaries, three steps and a promotion each")
          .isGreaterThanOrEqualTo(9);
      assertThat(during.countAtMost(MAX_LATENESS_SECONDS)).as("ticks that started within %ss of their schedule; %s",
          MAX_LATENESS_SECONDS, during).isEqualTo(during.count());
    }
  }

  private static TestRepo write(TestRepo repo, String prefix, int round) {
    for (int i = 0; i < CONFIG_MAPS; i++) {
      repo.write("config/" + prefix + "-cm-" + i + ".yaml", """
          apiVersion: v1
          kind: ConfigMap
          metadata: {name: %s-cm-%d}
          data: {round: "%d"}
          """.formatted(prefix, i, round));
    }
    return repo;
  }

  /** A Job whose pod can never be scheduled: the GitSync waits for it to complete (health) until its timeout. */
  private static String job(String name) {
    return """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: %s}
        spec:
          backoffLimit: 0
          template:
            spec:
              restartPolicy: Never
              nodeSelector: {bunting.dev/no-such-node: "true"}
              containers:
              - {name: migrate, image: registry.local/migrate:1.0.0}
        """.formatted(name);
  }

  private static CanaryPhase phase(String name) {
    var c = bunting.canary(name);
    return c == null || c.getStatus() == null ? CanaryPhase.NEW : c.getStatus().phaseOrNew();
  }

  private static boolean waitingForTheJob(String gitSync) {
    GitSync gs = cluster.client().resources(GitSync.class).inNamespace(cluster.namespace()).withName(gitSync).get();
    return gs != null && gs.getStatus() != null && Condition.find(gs.getStatus().conditions, Condition.RECONCILING)
        .map(c -> c.isTrue() && c.message.contains("Job/" + cluster.namespace() + "/migrate-")).orElse(false);
  }

  /** A new reconcile-request annotation, as a merge patch (no resourceVersion: the controller's writes never conflict). */
  private static void requestSync(String gitSync) {
    cluster.client().resources(GitSync.class).inNamespace(cluster.namespace()).withName(gitSync).patch(
        PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"annotations\":{\"" + GitSync.REQUESTED_AT + "\":\""
            + System.nanoTime() + "\"}}}");
  }

  private static Histogram lateness() {
    return RegistryReadings.histogram(bunting.app().registry(), "bunting_canary_tick_lateness_seconds");
  }

  private static double histogramCount(String name) {
    return RegistryReadings.histogram(bunting.app().registry(), name).count();
  }

  private static double counter(String name) {
    return RegistryReadings.counter(bunting.app().registry(), name);
  }
}
