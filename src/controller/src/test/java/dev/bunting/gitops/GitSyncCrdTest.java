package dev.bunting.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.bunting.api.GitCommitAuthor;
import dev.bunting.api.GitSync;
import dev.bunting.api.GitSyncInventory;
import dev.bunting.api.GitSyncInventoryEntry;
import dev.bunting.api.GitSyncReceiver;
import dev.bunting.api.GitSyncRef;
import dev.bunting.api.GitSyncRelease;
import dev.bunting.api.GitSyncRollbackStatus;
import dev.bunting.api.GitSyncSpec;
import dev.bunting.api.GitSyncStatus;
import dev.bunting.api.NamedReference;
import dev.bunting.api.SecretReference;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Keeps crds/bunting.dev_gitsyncs.yaml and the Java classes of the GitSync API in agreement. */
class GitSyncCrdTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  @SuppressWarnings("unchecked")
  private static Map<String, Object> schema() throws Exception {
    Map<String, Object> crd = YAML.readValue(GitSyncFixture.projectDir().resolve("crds/bunting.dev_gitsyncs.yaml")
        .toFile(), Map.class);
    Map<String, Object> spec = (Map<String, Object>) crd.get("spec");
    assertThat(spec.get("group")).isEqualTo(GitSync.GROUP);
    Map<String, Object> version = ((List<Map<String, Object>>) spec.get("versions")).get(0);
    assertThat(version.get("name")).isEqualTo(GitSync.VERSION);
    return (Map<String, Object>) ((Map<String, Object>) version.get("schema")).get("openAPIV3Schema");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> props(Map<String, Object> node, String... path) {
    Map<String, Object> n = node;
    for (String p : path) {
      n = (Map<String, Object>) ((Map<String, Object>) n.get("properties")).get(p);
      if (n.get("items") != null) {
        n = (Map<String, Object>) n.get("items");
      }
    }
    return (Map<String, Object>) n.get("properties");
  }

  private static Set<String> fields(Class<?> type) {
    return Arrays.stream(type.getDeclaredFields())
        .filter(f -> Modifier.isPublic(f.getModifiers()) && !Modifier.isStatic(f.getModifiers()))
        .map(Field::getName).collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void everyJavaFieldIsInTheSchemaAndBack() throws Exception {
    Map<String, Object> root = schema();
    assertThat(new TreeSet<>(props(root, "spec").keySet())).isEqualTo(fields(GitSyncSpec.class));
    assertThat(new TreeSet<>(props(root, "spec", "ref").keySet())).isEqualTo(fields(GitSyncRef.class));
    assertThat(new TreeSet<>(props(root, "spec", "receiver").keySet())).isEqualTo(fields(GitSyncReceiver.class));
    assertThat(new TreeSet<>(props(root, "spec", "secretRef").keySet())).isEqualTo(fields(SecretReference.class));
    assertThat(new TreeSet<>(props(root, "spec", "dependsOn").keySet())).isEqualTo(fields(NamedReference.class));
    assertThat(new TreeSet<>(props(root, "status").keySet())).isEqualTo(fields(GitSyncStatus.class));
    assertThat(new TreeSet<>(props(root, "status", "inventory").keySet())).isEqualTo(fields(GitSyncInventory.class));
    assertThat(new TreeSet<>(props(root, "status", "inventory", "entries").keySet()))
        .isEqualTo(fields(GitSyncInventoryEntry.class));
    assertThat(new TreeSet<>(props(root, "spec", "commitAuthor").keySet())).isEqualTo(fields(GitCommitAuthor.class));
    assertThat(new TreeSet<>(props(root, "status", "releases").keySet())).isEqualTo(fields(GitSyncRelease.class));
    assertThat(new TreeSet<>(props(root, "status", "releases", "rollback").keySet()))
        .isEqualTo(fields(GitSyncRollbackStatus.class));
  }

  @Test
  void examplesRoundTripThroughTheJavaClassesWithoutUnknownFields() throws Exception {
    Path dir = GitSyncFixture.projectDir().resolve("examples/gitsync");
    int seen = 0;
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        for (Object doc : YAML.readerFor(Object.class).readValues(f.toFile()).readAll()) {
          @SuppressWarnings("unchecked")
          Map<String, Object> m = (Map<String, Object>) doc;
          if (!GitSync.KIND.equals(m.get("kind"))) {
            continue;
          }
          seen++;
          GitSync gs = JSON.convertValue(m, GitSync.class);
          assertThat(gs.getSpec().unknownFields()).as(f + " spec").isEmpty();
          assertThat(gs.getSpec().ref.unknownFields()).isEmpty();
          assertThat(gs.getSpec().ref.kindCount()).isEqualTo(1);
          assertThat(GitSyncDecider.validate(gs.getSpec())).as(f.toString()).isNull();
          @SuppressWarnings("unchecked")
          Map<String, Object> back = JSON.convertValue(gs, Map.class);
          assertThat(back.get("spec")).isEqualTo(m.get("spec"));
        }
      }
    }
    assertThat(seen).isGreaterThanOrEqualTo(2);
  }

  @Test
  void specValidationCatchesWhatTheSchemaCannot() {
    GitSyncSpec s = new GitSyncSpec();
    s.url = "https://example.com/r.git";
    assertThat(GitSyncDecider.validate(s)).isNull();
    s.ref = GitSyncRef.semver(">=1.0 <two");
    assertThat(GitSyncDecider.validate(s)).startsWith("spec.ref.semver: cannot read '<two'");
    s.ref = GitSyncRef.branch("main");
    s.ref.tag = "v1";
    assertThat(GitSyncDecider.validate(s)).isEqualTo("spec.ref must set exactly one of branch, tag, semver or commit");
    s.ref = null;
    s.url = "git@github.com:org/repo.git";
    assertThat(GitSyncDecider.validate(s)).contains("must start with https://, http://, ssh:// or file://");
    s.url = "https://example.com/r.git";
    s.path = "apps/../../etc";
    assertThat(GitSyncDecider.validate(s)).contains("leaves the repository");
    s.path = "apps";
    s.interval = "10";
    assertThat(GitSyncDecider.validate(s)).contains("spec.interval '10' is not a duration");
    s.interval = null;
    s.deletionPolicy = "Foreground";
    assertThat(GitSyncDecider.validate(s)).isEqualTo(
        "spec.deletionPolicy must be MirrorPrune, Delete, WaitForTermination or Orphan (got 'Foreground')");
    s.deletionPolicy = null;
    s.rollback = "Revert";
    assertThat(GitSyncDecider.validate(s)).isEqualTo("spec.rollback must be revert or hold (got 'Revert')");
    s.rollback = "revert";
    s.ref = GitSyncRef.tag("v1");
    assertThat(GitSyncDecider.validate(s)).isEqualTo(
        "spec.rollback: revert pushes to a branch; spec.ref must name a branch (it names tag v1)");
  }

  @Test
  void deletionPolicyDecidesWhetherDeletingTheGitSyncDeletesItsObjects() {
    // {deletionPolicy, prune, suspend} -> deletes objects
    Object[][] table = {
        {null, true, false, true}, {null, false, false, false},
        {"MirrorPrune", true, false, true}, {"MirrorPrune", false, false, false},
        {"Delete", false, false, true}, {"WaitForTermination", false, false, true},
        {"Orphan", true, false, false},
        {"Delete", true, true, false}, {null, true, true, false},
    };
    for (Object[] row : table) {
      GitSyncSpec s = new GitSyncSpec();
      s.deletionPolicy = (String) row[0];
      s.prune = (Boolean) row[1];
      s.suspend = (Boolean) row[2];
      assertThat(s.deletesObjectsOnDeletion()).as("deletionPolicy %s, prune %s, suspend %s", row[0], row[1], row[2])
          .isEqualTo(row[3]);
    }
  }
}
