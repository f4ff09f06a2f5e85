package dev.bunting.gitops;

import static dev.bunting.gitops.Manifests.configMap;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bunting.api.Condition;
import dev.bunting.api.GitSync;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * GitSync against repositories that go wrong, on the local control plane: one invalid manifest among fifty, a commit
 * that deletes every manifest, a force-push that rewrites history, a repository that disappears, and a 100 MB file.
 * Each time the user sees why in the status and Events, and the cluster keeps what was last applied: nothing half
 * applied, nothing pruned because Git could not be read.
 */
@LocalCluster
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GitSyncFaultsClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int MANY = 50;
  @TempDir
  static Path tmp;
  private GitSyncFixture fx;

  @BeforeAll
  void start(TestCluster cluster) throws Exception {
    fx = new GitSyncFixture(cluster, tmp.resolve("git-cache"));
  }

  @AfterAll
  void stop() throws Exception {
    if (fx != null) {
      fx.close();
    }
  }

  private ConfigMap cm(String name) {
    return fx.client.configMaps().inNamespace(fx.namespace).withName(name).get();
  }

  private Map<String, String> values(String prefix) {
    return fx.client.configMaps().inNamespace(fx.namespace).list().getItems().stream()
        .filter(c -> c.getMetadata().getName().startsWith(prefix))
        .collect(Collectors.toMap(c -> c.getMetadata().getName(), c -> c.getData().get("value")));
  }

  private void awaitApplied(String gitSync, String sha) {
    fx.awaitApplied(gitSync, sha, WAIT);
  }

  /** Waits until Ready is False with {@code reason}; returns the condition. */
  private Condition awaitNotReady(String gitSync, String reason) {
    return await().atMost(WAIT).until(() -> fx.condition(gitSync, Condition.READY).orElse(null),
        c -> c != null && "False".equals(c.status) && reason.equals(c.reason));
  }

  private List<String> warnings(String gitSync) {
    return fx.client.v1().events().inNamespace(fx.namespace).list().getItems().stream()
        .filter(e -> gitSync.equals(e.getInvolvedObject().getName())
            && GitSync.KIND.equals(e.getInvolvedObject().getKind()) && "Warning".equals(e.getType()))
        .map(e -> e.getReason() + ": " + e.getMessage()).toList();
  }

  private List<String> inventory(String gitSync) {
    return fx.get(gitSync).orElseThrow().getStatus().inventory.entries.stream().map(e -> e.id).sorted().toList();
  }

  private static TestRepo writeMany(TestRepo repo, String prefix, String value) {
    IntStream.range(0, MANY).forEach(i -> repo.write("many/" + prefix + i + ".yaml", configMap(prefix + i, value)));
    return repo;
  }

  @Test
  void oneInvalidManifestAmongFiftyAppliesNoneOfThem() throws Exception {
    try (TestRepo repo = TestRepo.create(tmp.resolve("many"))) {
      String c1 = writeMany(repo, "many-", "1").commit("fifty");
      fx.create("many", GitSyncFixture.spec(repo.url(), ""));
      awaitApplied("many", c1);

      writeMany(repo, "many-", "2").write("many/zz-bad.yaml", """
          apiVersion: v1
          kind: ConfigMap
          metadata:
            name: bad-one
          data:
            value: {nested: not a string}
          """);
      String c2 = repo.commit("fifty changes and one invalid manifest");
      fx.requestSync("many");
      Condition ready = awaitNotReady("many", SyncFailure.VALIDATION_FAILED);
      assertThat(ready.message).contains("main@sha1:" + c2).contains("many/zz-bad.yaml")
          .contains("nothing was applied");
      assertThat(values("many-")).hasSize(MANY).allSatisfy((name, value) -> assertThat(value).as(name).isEqualTo("1"));
      assertThat(cm("bad-one")).isNull();
      assertThat(fx.get("many").orElseThrow().getStatus().lastAppliedRevision).isEqualTo("main@sha1:" + c1);
    }
  }

  @Test
  void aCommitThatDeletesEveryManifestIsRefusedAndPrunesNothing() throws Exception {
    try (TestRepo repo = TestRepo.create(tmp.resolve("wipe"))) {
      repo.write("a.yaml", configMap("wipe-a", "1")).write("b.yaml", configMap("wipe-b", "1"))
          .write("README.md", "kept");
      String c1 = repo.commit("two objects");
      fx.create("wipe", GitSyncFixture.spec(repo.url(), ""));
      awaitApplied("wipe", c1);
      List<String> inventory = inventory("wipe");

      String c2 = repo.delete("a.yaml").delete("b.yaml").commit("delete everything");
      fx.requestSync("wipe");
      Condition ready = awaitNotReady("wipe", SyncFailure.EMPTY_RENDER);
      assertThat(ready.message).contains("renders no objects").contains("refusing to prune the 2 objects")
          .contains("spec.allowEmpty");
      await().atMost(WAIT).until(() -> warnings("wipe"), w -> w.stream().anyMatch(m -> m.startsWith(
          SyncFailure.EMPTY_RENDER + ": ")));
      assertThat(cm("wipe-a")).isNotNull();
      assertThat(cm("wipe-b")).isNotNull();
      assertThat(inventory("wipe")).isEqualTo(inventory);
      assertThat(fx.get("wipe").orElseThrow().getStatus().lastAttemptedRevision).isEqualTo("main@sha1:" + c2);

      // the user means it
      fx.client.resources(GitSync.class).inNamespace(fx.namespace).withName("wipe")
          .edit(g -> {
            g.getSpec().allowEmpty = true;
            return g;
          });
      awaitApplied("wipe", c2);
      await().atMost(WAIT).until(() -> cm("wipe-a") == null && cm("wipe-b") == null);
    }
  }

  @Test
  void aForcePushThatRewritesHistoryIsFollowed() throws Exception {
    try (TestRepo repo = TestRepo.create(tmp.resolve("rewrite"))) {
      String c1 = repo.write("base.yaml", configMap("rewrite-base", "1")).commit("base");
      repo.write("base.yaml", configMap("rewrite-base", "2")).write("extra.yaml", configMap("rewrite-extra", "1"));
      String c2 = repo.commit("on top");
      fx.create("rewrite", GitSyncFixture.spec(repo.url(), ""));
      awaitApplied("rewrite", c2);

      // history rewritten: c2 is gone from the branch, a new commit on c1 replaces it
      String c3 = repo.resetHard(c1).write("base.yaml", configMap("rewrite-base", "3"))
          .write("other.yaml", configMap("rewrite-other", "1")).commit("rewritten");
      assertThat(repo.parse(c3).getParent(0).getName()).isEqualTo(c1);
      fx.requestSync("rewrite");
      awaitApplied("rewrite", c3);
      assertThat(cm("rewrite-base").getData()).containsEntry("value", "3");
      assertThat(cm("rewrite-other")).isNotNull();
      await().atMost(WAIT).until(() -> cm("rewrite-extra") == null);
      assertThat(inventory("rewrite")).containsExactly(fx.namespace + "_rewrite-base__ConfigMap",
          fx.namespace + "_rewrite-other__ConfigMap");
    }
  }

  @Test
  void aRepositoryThatBecomesUnreachablePrunesNothingAndRecovers() throws Exception {
    Path dir = tmp.resolve("gone");
    Path away = tmp.resolve("gone-away");
    try (TestRepo repo = TestRepo.create(dir)) {
      String c1 = repo.write("a.yaml", configMap("gone-a", "1")).commit("first");
      fx.create("gone", GitSyncFixture.spec(repo.url(), ""));
      awaitApplied("gone", c1);
      List<String> inventory = inventory("gone");

      Files.move(dir, away);
      try {
        fx.requestSync("gone");
        Condition ready = awaitNotReady("gone", GitException.GIT_OPERATION_FAILED);
        assertThat(ready.message).as("the error names the repository").contains(dir.getFileName().toString());
        assertThat(warnings("gone")).anyMatch(m -> m.startsWith(GitException.GIT_OPERATION_FAILED + ": "));
        assertThat(cm("gone-a")).as("nothing is pruned while Git cannot be read").isNotNull();
        assertThat(inventory("gone")).isEqualTo(inventory);
        assertThat(fx.get("gone").orElseThrow().getStatus().lastAppliedRevision).isEqualTo("main@sha1:" + c1);
      } finally {
        Files.move(away, dir);
      }
      String c2 = repo.write("a.yaml", configMap("gone-a", "2")).commit("back");
      fx.requestSync("gone");
      awaitApplied("gone", c2);
      assertThat(cm("gone-a").getData()).containsEntry("value", "2");
    }
  }

  @Test
  void aHundredMegabyteFileIsSkippedOutsideManifestsAndRefusedAsAManifest() throws Exception {
    try (TestRepo repo = TestRepo.create(tmp.resolve("huge"))) {
      writeHundredMegabytes(repo.dir().resolve("assets/video.bin"));
      String c1 = repo.write("a.yaml", configMap("huge-a", "1")).commit("a manifest beside a 100 MB asset");
      long t0 = System.nanoTime();
      fx.create("huge", GitSyncFixture.spec(repo.url(), ""));
      awaitApplied("huge", c1);
      System.out.printf("a revision with a 100 MB non-manifest file applied in %d ms%n",
          (System.nanoTime() - t0) / 1_000_000);

      Files.move(repo.dir().resolve("assets/video.bin"), repo.dir().resolve("assets/huge.yaml"));
      String c2 = repo.write("a.yaml", configMap("huge-a", "2")).commit("the 100 MB file is now a manifest");
      fx.requestSync("huge");
      Condition ready = awaitNotReady("huge", GitException.GIT_OPERATION_FAILED);
      assertThat(ready.message).contains("assets/huge.yaml is 104857600 bytes")
          .contains("more than the " + GitMirror.MAX_FILE_BYTES + " bytes a manifest file may have");
      assertThat(cm("huge-a").getData()).as("nothing of the revision is applied").containsEntry("value", "1");
      assertThat(fx.get("huge").orElseThrow().getStatus().lastAppliedRevision).isEqualTo("main@sha1:" + c1);
      assertThat(c2).isNotEqualTo(c1);
    }
  }

  /** 100 MiB of text that compresses well (the test is about size, not about Git's packing speed). */
  private static void writeHundredMegabytes(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    byte[] line = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n".repeat(16).getBytes();
    try (OutputStream out = Files.newOutputStream(file)) {
      for (int written = 0; written < 100 * 1024 * 1024; written += line.length) {
        out.write(line);
      }
    }
  }
}
