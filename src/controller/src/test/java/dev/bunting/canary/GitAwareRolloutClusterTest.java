package dev.bunting.canary;

import static dev.bunting.canary.CanaryScenarios.BUILTIN_METRICS;
import static dev.bunting.canary.CanaryScenarios.deployment;
import static dev.bunting.canary.CanaryScenarios.gatewayCanary;
import static dev.bunting.canary.Timeline.phase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.Condition;
import dev.bunting.api.GitSync;
import dev.bunting.api.GitSyncRelease;
import dev.bunting.gitops.GitHttpServer;
import dev.bunting.gitops.TestRepo;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.ThirdPartyCrds;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Git-aware rollouts, as a user runs them: GitSyncs apply Deployments and their Canaries from real repositories
 * ({@code file://}, and the JGit HTTP server with basic auth). A commit that bumps the image to a bad version starts
 * a canary that fails; the Canary names the commit, and the GitSync's {@code spec.rollback} keeps Git true: a revert
 * commit appears in the repository ({@code revert}), the last good content stays applied until a newer commit
 * ({@code hold}), or a refused push becomes a condition that is tried again only once the branch moves.
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.GATEWAY_API)
class GitAwareRolloutClusterTest {
  private static final Duration RELEASE = Duration.ofMinutes(4);
  private static final String IMAGE = "ghcr.io/stefanprodan/podinfo:";
  @TempDir
  static Path tmp;
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

  private static String canary(String name) {
    return gatewayCanary(name, """
        interval: 10s
        threshold: 2
        stepWeight: 50
        maxWeight: 50
        """ + BUILTIN_METRICS);
  }

  private static TestRepo app(String name) {
    TestRepo repo = TestRepo.create(tmp.resolve(name));
    repo.write("app/deployment.yaml", deployment(name, "6.0.0")).write("app/canary.yaml", canary(name))
        .commit(name + " 6.0.0");
    return repo;
  }

  private static void gitSync(String name, String url, String rollback, String secret) {
    cluster.apply("""
        apiVersion: bunting.dev/v1alpha1
        kind: GitSync
        metadata: {name: %s}
        spec:
          url: %s
          path: app
          interval: 10s
          prune: true
          rollback: %s
          commitAuthor: {name: Release Bot, email: release-bot@example.com}
        %s""".formatted(name, url, rollback, secret == null ? "" : "  secretRef: {name: " + secret + "}\n"));
  }

  private static GitSync gitSync(String name) {
    return cluster.client().resources(GitSync.class).inNamespace(cluster.namespace()).withName(name).get();
  }

  private static GitSyncRelease release(String gitSync) {
    GitSync gs = gitSync(gitSync);
    assertThat(gs.getStatus().releases).as("releases of " + gitSync).hasSize(1);
    return gs.getStatus().releases.get(0);
  }

  private static String image(String deployment) {
    Deployment d = cluster.client().apps().deployments().inNamespace(cluster.namespace()).withName(deployment).get();
    return d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private static void requestSync(String name) {
    cluster.client().resources(GitSync.class).inNamespace(cluster.namespace()).withName(name).edit(g -> {
      g.getMetadata().getAnnotations().put(GitSync.REQUESTED_AT, String.valueOf(System.nanoTime()));
      return g;
    });
  }

  private static List<String> gitSyncEvents(String name) {
    return cluster.client().v1().events().inNamespace(cluster.namespace()).list().getItems().stream()
        .filter(e -> GitSync.KIND.equals(e.getInvolvedObject().getKind()) && name.equals(e.getInvolvedObject().getName()))
        .map(e -> e.getReason() + " " + e.getMessage()).toList();
  }

  private static Canary failedOn(String name, String sha) throws InterruptedException {
    Canary c = Timeline.record(bunting, name, name, phase(CanaryPhase.FAILED), RELEASE).last;
    assertThat(c.getStatus().gitRevision).as("the Canary names the commit it judged").isNotNull();
    assertThat(c.getStatus().gitRevision.revision).isEqualTo("main@sha1:" + sha);
    assertThat(c.getStatus().gitRevision.subject).isEqualTo(name + " 6.0.1-bad");
    assertThat(c.getStatus().gitRevision.gitSync).isEqualTo(cluster.namespace() + "/" + name);
    return c;
  }

  @Test
  void aFailedCanaryIsRevertedHeldOrReportedAsItsGitSyncSays() throws Exception {
    String ns = cluster.namespace();
    cluster.client().secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("git-auth")
        .endMetadata().addToStringData("username", "bunting").addToStringData("password", "push-pw-123").build())
        .create();
    try (TestRepo reverted = app("revert-app"); TestRepo held = app("hold-app"); TestRepo refused = app("refused-app");
        GitHttpServer server = GitHttpServer.basicAuth(cluster.vertx(), refused.dir(), "bunting", "push-pw-123",
            Files.createTempDirectory(tmp, "tls"))) {
      cluster.client().secrets().inNamespace(ns).withName("git-auth").edit(s -> {
        s.getStringData().put("ca.crt", server.caPem());
        return s;
      });
      server.refusePushes("GH006: Protected branch update failed for refs/heads/main");
      gitSync("revert-app", reverted.url(), "revert", null);
      gitSync("hold-app", held.url(), "hold", null);
      gitSync("refused-app", server.url(), "revert", "git-auth");
      for (String app : List.of("revert-app", "hold-app", "refused-app")) {
        Timeline.record(bunting, app, app, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(3));
      }

      // the same bad image for all three, committed the way a person would
      String badRevert = reverted.write("app/deployment.yaml", deployment("revert-app", "6.0.1-bad"))
          .commit("revert-app 6.0.1-bad");
      String badHold = held.write("app/deployment.yaml", deployment("hold-app", "6.0.1-bad")).commit("hold-app 6.0.1-bad");
      String badRefused = refused.write("app/deployment.yaml", deployment("refused-app", "6.0.1-bad"))
          .commit("refused-app 6.0.1-bad");
      List.of("revert-app", "hold-app", "refused-app").forEach(GitAwareRolloutClusterTest::requestSync);

      // revert: the Canary names the commit; a revert commit naming the Canary and the failed check appears in Git
      Canary failed = failedOn("revert-app", badRevert);
      await().atMost(Duration.ofMinutes(1)).until(() -> !reverted.head().equals(badRevert));
      RevCommit revert = reverted.headCommit();
      assertThat(revert.getParent(0).getName()).isEqualTo(badRevert);
      assertThat(revert.getShortMessage()).isEqualTo("Revert \"revert-app 6.0.1-bad\"");
      assertThat(revert.getFullMessage()).contains("Canary " + ns + "/revert-app failed on main@sha1:"
          + badRevert.substring(0, 12) + ": Canary analysis failed: failed checks threshold reached 2");
      assertThat(revert.getAuthorIdent().getEmailAddress()).isEqualTo("release-bot@example.com");
      assertThat(reverted.fileAtHead("app/deployment.yaml")).isEqualTo(deployment("revert-app", "6.0.0"));
      await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
        assertThat(image("revert-app")).as("the target follows Git back").isEqualTo(IMAGE + "6.0.0");
        GitSyncRelease r = release("revert-app");
        assertThat(r.revision).isEqualTo("main@sha1:" + badRevert);
        assertThat(r.phase).isEqualTo("Failed");
        assertThat(r.rollback.action).isEqualTo("Reverted");
        assertThat(r.rollback.commit).isEqualTo(revert.getName());
        assertThat(gitSync("revert-app").getStatus().lastAttemptedRevision).isEqualTo("main@sha1:" + revert.getName());
      });
      assertThat(bunting.canary("revert-app").getStatus().phaseOrNew()).as("the revert starts no new run")
          .isEqualTo(CanaryPhase.FAILED);
      assertThat(bunting.events("revert-app")).contains("New revision detected! Scaling up revert-app." + ns
          + " (git " + failed.getStatus().gitRevision.describe() + ")");
      assertThat(gitSyncEvents("revert-app")).anyMatch(e -> e.startsWith("RolledBack pushed "
          + revert.getName().substring(0, 12)));
      assertThat(metrics()).contains("bunting_canary_git_revision_info{gitsync=\"" + ns + "/revert-app\","
          + "name=\"revert-app\",namespace=\"" + ns + "\",revision=\"" + badRevert.substring(0, 7) + "\"} 1");

      // hold: Git still says the bad version; the cluster keeps the good one and says why
      failedOn("hold-app", badHold);
      await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
        assertThat(image("hold-app")).isEqualTo(IMAGE + "6.0.0");
        assertThat(release("hold-app").rollback.action).isEqualTo("Held");
        assertThat(release("hold-app").rollback.message).startsWith("Deployment/" + ns + "/hold-app is applied as of");
      });
      assertThat(held.head()).isEqualTo(badHold);
      String goodHold = held.parse(badHold).getParent(0).getName();
      String fixed = held.write("app/deployment.yaml", deployment("hold-app", "6.0.2")).commit("hold-app 6.0.2");
      requestSync("hold-app");
      // the newer commit ends the hold: it is applied, and a new run analyses it (its outcome is not this test's
      // business: the bad canary's requests are still in Prometheus's window)
      Timeline.record(bunting, "hold-app", "hold-app", c -> c.getStatus().gitRevision != null
          && c.getStatus().gitRevision.revision.endsWith(fixed), RELEASE);
      assertThat(image("hold-app")).isEqualTo(IMAGE + "6.0.2");
      await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
        assertThat(release("hold-app").revision).isEqualTo("main@sha1:" + fixed);
        assertThat(release("hold-app").rollback).as("a newer commit ends the hold").isNull();
        assertThat(release("hold-app").previousRevision).as("the failed revision is skipped")
            .isEqualTo("main@sha1:" + goodHold);
      });

      // refused: a clear condition with the server's message, no retry storm, one more try once the branch moves
      failedOn("refused-app", badRefused);
      await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
        java.util.Optional<Condition> found = Condition.find(gitSync("refused-app").getStatus().conditions,
            "RollbackFailed");
        assertThat(found).as("condition RollbackFailed").isPresent();
        Condition c = found.get();
        assertThat(c.reason).isEqualTo("RollbackPushRejected");
        assertThat(c.message).contains("GH006: Protected branch update failed for refs/heads/main")
            .doesNotContain("push-pw-123");
      });
      assertThat(refused.head()).isEqualTo(badRefused);
      int pushes = server.pushes();
      String handled = String.valueOf(System.nanoTime());
      cluster.client().resources(GitSync.class).inNamespace(ns).withName("refused-app").edit(g -> {
        g.getMetadata().getAnnotations().put(GitSync.REQUESTED_AT, handled);
        return g;
      });
      await().atMost(Duration.ofMinutes(1)).until(() -> handled.equals(gitSync("refused-app").getStatus()
          .lastHandledReconcileAt));
      assertThat(server.pushes()).as("the same head is not tried again").isEqualTo(pushes);
      refused.refresh().write("README.md", "the branch moves\n").commit("docs");
      requestSync("refused-app");
      await().atMost(Duration.ofMinutes(1)).until(() -> server.pushes() == pushes + 1);
      assertThat(gitSyncEvents("refused-app")).anyMatch(e -> e.startsWith("RollbackPushRejected cannot revert"));
    }
  }

  private static String metrics() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, bunting.app().registry().scrape());
    return out.toString(StandardCharsets.UTF_8);
  }
}
