package dev.bunting.playground;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.GitSync;
import dev.bunting.api.GitSyncRelease;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.LocalRegistry;
import dev.bunting.testing.PrometheusServer;
import dev.bunting.testing.TestCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The playground's {@code image-policy} scenario, headless, on the local control plane: images pushed to a real
 * registry are committed by an ImagePolicy, the canary promotes 1.1.0 and rolls back 1.2.0-bad, and the GitSync's
 * revert commit brings Git (and the target) back to 1.1.0. Asserts what a user would check: the commits in the
 * repository, the Deployments, the Canary's and the GitSync's status, the timeline.
 */
@LocalCluster
class PlaygroundImagePolicyClusterTest {
  static Vertx vertx;
  static Playground playground;
  static PlaygroundSummary summary;
  static ByteArrayOutputStream terminal = new ByteArrayOutputStream();
  static KubernetesClient client;
  static String namespace;
  @TempDir
  static Path state;

  @BeforeAll
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  static void playTheScenario(TestCluster cluster) throws Exception {
    assumeTrue(PrometheusServer.isAvailable(), PrometheusServer.UNAVAILABLE);
    assumeTrue(LocalRegistry.isAvailable(), LocalRegistry.UNAVAILABLE);
    vertx = Vertx.vertx();
    namespace = cluster.namespace() + "-ip";
    PlaygroundSettings settings = new PlaygroundSettings(Scenario.IMAGE_POLICY, Duration.ofSeconds(10), false,
        false, namespace, state.resolve("playground"), "pg-ip-" + ProcessHandle.current().pid(), 0, 0, 0, 30,
        Optional.of(PrometheusServer.projectDir()));
    PrintStream both = new PrintStream(new java.io.OutputStream() {
      @Override
      public synchronized void write(int c) {
        System.out.write(c);
        terminal.write(c);
      }
    }, true, StandardCharsets.UTF_8);
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

  private static String image(String deployment) {
    Deployment d = client.apps().deployments().inNamespace(namespace).withName(deployment).get();
    return d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  @Test
  void pushedImagesBecomeCommitsAndTheRolledBackOneIsRevertedInGit() throws Exception {
    assertThat(summary.asExpected()).as(String.join("\n", summary.lines())).isTrue();
    ReleaseOutcome bad = summary.outcomes().get(1);
    assertThat(bad.tag()).isEqualTo("1.2.0-bad");
    assertThat(bad.rolledBack()).isTrue();
    assertThat(bad.revert()).contains("\"Revert \"podinfo: update image to 1.2.0-bad\"\"");

    List<String> subjects = new ArrayList<>();
    RevCommit revert;
    try (Git git = Git.open(playground.repository().dir().toFile())) {
      git.log().call().forEach(c -> subjects.add(c.getShortMessage()));
      revert = git.log().setMaxCount(1).call().iterator().next();
    }
    assertThat(subjects).as("newest first").containsExactly("Revert \"podinfo: update image to 1.2.0-bad\"",
        "podinfo: update image to 1.2.0-bad", "podinfo: update image to 1.1.0", "podinfo 1.0.0: initial version");
    assertThat(revert.getFullMessage()).contains("Canary " + namespace + "/podinfo failed on main@sha1:",
        "failed checks threshold reached 5");
    String registryImage = image("podinfo-primary").substring(0, image("podinfo-primary").lastIndexOf(':'));
    assertThat(Files.readString(playground.repository().dir().resolve(DemoApp.PATH + "/deployment.yaml")))
        .contains("image: " + registryImage + ":1.1.0 # {\"$imagepolicy\": \"" + namespace + ":podinfo\"}");

    assertThat(image("podinfo-primary")).endsWith("/podinfo:1.1.0");
    assertThat(image("podinfo")).as("the target followed Git back").isEqualTo(registryImage + ":1.1.0");
    Canary canary = client.resources(Canary.class).inNamespace(namespace).withName(DemoApp.NAME).get();
    assertThat(canary.getStatus().phase).isEqualTo(CanaryPhase.FAILED);
    assertThat(canary.getStatus().gitRevision.subject).isEqualTo("podinfo: update image to 1.2.0-bad");
    GitSyncRelease release = client.resources(GitSync.class).inNamespace(namespace).withName(DemoApp.NAME).get()
        .getStatus().releases.get(0);
    assertThat(release.rollback.action).isEqualTo("Reverted");
    assertThat(release.rollback.commit).isEqualTo(revert.getName());

    String printed = terminal.toString(StandardCharsets.UTF_8);
    assertThat(printed).contains("registry: pushed ", "(ImagePolicy podinfo)", "(GitSync podinfo, rollback: revert)",
        "git: reverted by commit ", "every release ended as expected");
  }
}
