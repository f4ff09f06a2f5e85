package dev.bunting.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bunting.api.GitSync;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The GitSync CRD on a real API server: defaults, printer columns, and invalid objects rejected with clear messages. */
@LocalCluster
class GitSyncCrdClusterTest {

  private static String gitSync(String name, String specBody) {
    return "apiVersion: bunting.dev/v1alpha1\nkind: GitSync\nmetadata:\n  name: " + name + "\nspec:\n" + specBody;
  }

  @Test
  void examplesAreAcceptedAndDefaultsApplied(TestCluster cluster) throws Exception {
    String yaml = Files.readString(GitSyncFixture.projectDir().resolve("examples/gitsync/gitsync.yaml"))
        .replaceAll("(?m)^  namespace: podinfo\n", "");
    cluster.apply(yaml);
    cluster.apply(Files.readString(GitSyncFixture.projectDir().resolve("examples/gitsync/gitsync-ssh-semver.yaml"))
        .replaceAll("(?m)^  namespace: platform\n", ""));
    cluster.apply(gitSync("minimal", "  url: https://example.com/repo.git\n"));
    GitSync minimal = cluster.client().resources(GitSync.class).inNamespace(cluster.namespace()).withName("minimal")
        .get();
    assertThat(minimal.getSpec().ref.branch).isEqualTo("main");
    assertThat(minimal.getSpec().interval).isEqualTo("5m");
    assertThat(minimal.getSpec().prune).isFalse();
    assertThat(minimal.getSpec().deletionPolicy).isEqualTo("MirrorPrune");
  }

  @Test
  void printerColumnsAreReadyRevisionAge(TestCluster cluster) {
    cluster.apply(gitSync("columns", "  url: https://example.com/repo.git\n  suspend: true\n"));
    var result = cluster.kubectl("get", "gitsyncs", "-n", cluster.namespace()).assertSuccess();
    assertThat(result.header()).containsExactly("NAME", "READY", "REVISION", "AGE");
    Map<String, String> row = result.rows().stream().filter(r -> r.get("NAME").equals("columns")).findFirst()
        .orElseThrow();
    assertThat(row.get("AGE")).isNotEmpty();
    var wide = cluster.kubectl("get", "gs", "-o", "wide", "-n", cluster.namespace()).assertSuccess();
    assertThat(wide.header()).contains("STATUS", "URL", "SUSPENDED");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "scp-style url        | '  url: git@github.com:org/repo.git\n'                                   | url must start with https://, http://, ssh:// or file://",
      "credentials in url   | '  url: https://user:pw@example.com/r.git\n'                             | url must not carry credentials",
      "two ref kinds        | '  url: https://e.com/r.git\n  ref: {branch: main, tag: v1}\n'            | ref must set exactly one of branch, tag, semver or commit",
      "no ref kind          | '  url: https://e.com/r.git\n  ref: {}\n'                                 | ref must set exactly one of branch, tag, semver or commit",
      "short commit         | '  url: https://e.com/r.git\n  ref: {commit: abc123}\n'                   | spec.ref.commit",
      "interval no unit     | '  url: https://e.com/r.git\n  interval: \"10\"\n'                       | spec.interval",
      "path leaves repo     | '  url: https://e.com/r.git\n  path: apps/../../etc\n'                    | path must stay inside the repository",
      "no url               | '  path: apps\n'                                                          | spec.url: Required value",
      "receiver w/o secret  | '  url: https://e.com/r.git\n  receiver: {}\n'                            | spec.receiver.secretRef: Required value",
      "bad deletion policy  | '  url: https://e.com/r.git\n  deletionPolicy: Foreground\n'              | spec.deletionPolicy: Unsupported value",
      "bad target namespace | '  url: https://e.com/r.git\n  targetNamespace: Not_A_Namespace\n'        | spec.targetNamespace",
  })
  void invalidGitSyncsAreRejectedNamingTheField(String name, String spec, String message, TestCluster cluster) {
    String body = spec.replace("\\n", "\n").replace("\\\"", "\"");
    assertThatThrownBy(() -> cluster.create(gitSync("bad", body)))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining(message);
  }
}
