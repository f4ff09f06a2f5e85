package dev.bunting.playground;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.util.io.DisabledOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoRepositoryTest {
  private final DemoApp app = new DemoApp(DemoApp.Analysis.tutorial(Duration.ofSeconds(10)));

  @Test
  void theCanaryIsFlaggersGatewayApiTutorialWithTheBuiltinChecks() {
    Canary canary = Serialization.unmarshal(app.canary(), Canary.class);
    assertThat(canary.getSpec().provider).isEqualTo("gatewayapi:v1");
    var analysis = canary.getSpec().analysis;
    assertThat(analysis.interval).isEqualTo("10s");
    assertThat(analysis.threshold).isEqualTo(5);
    assertThat(analysis.stepWeight).isEqualTo(10);
    assertThat(analysis.maxWeight).isEqualTo(50);
    assertThat(analysis.metrics).extracting(m -> m.name).containsExactly("request-success-rate", "request-duration");
    assertThat(analysis.metrics.get(0).thresholdRange.min).isEqualTo(99.0);
    assertThat(analysis.metrics.get(1).thresholdRange.max).isEqualTo(500.0);
  }

  @Test
  void theRepositoryHoldsTheAppAtTheInitialVersion(@TempDir Path dir) throws Exception {
    try (DemoRepository repo = DemoRepository.create(dir.resolve("repo"), app, "1.0.0")) {
      assertThat(repo.url()).startsWith("file:///").endsWith("/repo");
      Deployment d = Serialization.unmarshal(Files.readString(dir.resolve("repo/apps/podinfo/deployment.yaml")),
          Deployment.class);
      assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
          .isEqualTo("ghcr.io/stefanprodan/podinfo:1.0.0");
      assertThat(dir.resolve("repo/apps/podinfo/canary.yaml")).exists();
      assertThat(dir.resolve("repo/apps/podinfo/gateway.yaml")).exists();
    }
  }

  @Test
  void aReleaseIsOneCommitChangingOnlyTheImageLine(@TempDir Path dir) throws Exception {
    try (DemoRepository repo = DemoRepository.create(dir.resolve("repo"), app, "1.0.0");
        Git git = Git.open(dir.resolve("repo").toFile())) {
      String before = repo.head();
      RevCommit c = repo.release("1.1.0");
      assertThat(repo.head()).isEqualTo(c.name()).isNotEqualTo(before);
      assertThat(c.getShortMessage()).isEqualTo("podinfo: bump image to 1.1.0");
      assertThat(c.getParent(0).name()).isEqualTo(before);
      try (DiffFormatter diff = new DiffFormatter(DisabledOutputStream.INSTANCE);
          RevWalk walk = new RevWalk(git.getRepository())) {
        diff.setRepository(git.getRepository());
        RevCommit parent = walk.parseCommit(c.getParent(0));
        List<DiffEntry> changes = diff.scan(parent.getTree(), c.getTree());
        assertThat(changes).extracting(DiffEntry::getNewPath).containsExactly("apps/podinfo/deployment.yaml");
        assertThat(diff.toFileHeader(changes.get(0)).toEditList()).hasSize(1);
      }
      assertThat(Files.readString(dir.resolve("repo/apps/podinfo/deployment.yaml")))
          .contains("image: ghcr.io/stefanprodan/podinfo:1.1.0").doesNotContain("1.0.0");
      assertThat(git.status().call().isClean()).isTrue();
      assertThat(git.getRepository().getConfig().getString("user", null, "email"))
          .as("a person can commit with plain git").isEqualTo("playground@bunting.dev");
    }
  }

  @Test
  void releasingTheCurrentVersionAgainIsRefused(@TempDir Path dir) {
    try (DemoRepository repo = DemoRepository.create(dir.resolve("repo"), app, "1.0.0")) {
      assertThatThrownBy(() -> repo.release("1.0.0")).hasMessageContaining("already 1.0.0");
    }
  }

  @Test
  void theImagePolicyScenarioMarksTheImageLineForTheImagePolicy(@TempDir Path dir) throws Exception {
    DemoApp marked = new DemoApp(DemoApp.Analysis.tutorial(Duration.ofSeconds(10)), "127.0.0.1:5000/podinfo",
        "demo:podinfo");
    try (DemoRepository repo = DemoRepository.create(dir.resolve("repo"), marked, "1.0.0")) {
      String file = Files.readString(dir.resolve("repo/apps/podinfo/deployment.yaml"));
      assertThat(file).contains("image: 127.0.0.1:5000/podinfo:1.0.0 # {\"$imagepolicy\": \"demo:podinfo\"}\n");
      Deployment d = Serialization.unmarshal(file, Deployment.class);
      assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
          .isEqualTo("127.0.0.1:5000/podinfo:1.0.0");
      dev.bunting.images.ImageMarkers.Update u = dev.bunting.images.ImageMarkers.update(file, "demo:podinfo",
          dev.bunting.images.ImageReference.parse("127.0.0.1:5000/podinfo"), "1.1.0");
      assertThat(u.changed()).as("what the ImagePolicy will change").isEqualTo(1);
      assertThat(u.text()).isEqualTo(file.replace("podinfo:1.0.0 #", "podinfo:1.1.0 #"));
    }
  }
}
