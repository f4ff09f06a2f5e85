package dev.bunting.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.bunting.api.ImagePolicy;
import dev.bunting.api.ImagePolicyChoice;
import dev.bunting.api.ImagePolicyFilterTags;
import dev.bunting.api.ImagePolicySpec;
import dev.bunting.api.ImagePolicyStatus;
import dev.bunting.api.ImagePolicyUpdate;
import dev.bunting.api.SecretReference;
import dev.bunting.gitops.GitSyncFixture;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Keeps crds/bunting.dev_imagepolicies.yaml and the Java classes of the ImagePolicy API in agreement. */
class ImagePolicyCrdTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @SuppressWarnings("unchecked")
  private static Map<String, Object> props(Map<String, Object> node, String... path) {
    Map<String, Object> n = node;
    for (String p : path) {
      n = (Map<String, Object>) ((Map<String, Object>) n.get("properties")).get(p);
    }
    return (Map<String, Object>) n.get("properties");
  }

  private static Set<String> fields(Class<?> type) {
    return Arrays.stream(type.getDeclaredFields())
        .filter(f -> Modifier.isPublic(f.getModifiers()) && !Modifier.isStatic(f.getModifiers()))
        .map(Field::getName).collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyJavaFieldIsInTheSchemaAndBack() throws Exception {
    Map<String, Object> crd = YAML.readValue(GitSyncFixture.projectDir().resolve("crds/bunting.dev_imagepolicies.yaml")
        .toFile(), Map.class);
    Map<String, Object> spec = (Map<String, Object>) crd.get("spec");
    assertThat(spec.get("group")).isEqualTo("bunting.dev");
    assertThat(((Map<String, Object>) spec.get("names")).get("plural")).isEqualTo("imagepolicies");
    Map<String, Object> version = ((List<Map<String, Object>>) spec.get("versions")).get(0);
    Map<String, Object> root = (Map<String, Object>) ((Map<String, Object>) version.get("schema"))
        .get("openAPIV3Schema");
    assertThat(new TreeSet<>(props(root, "spec").keySet())).isEqualTo(fields(ImagePolicySpec.class));
    assertThat(new TreeSet<>(props(root, "spec", "secretRef").keySet())).isEqualTo(fields(SecretReference.class));
    assertThat(new TreeSet<>(props(root, "spec", "filterTags").keySet())).isEqualTo(fields(ImagePolicyFilterTags.class));
    assertThat(new TreeSet<>(props(root, "spec", "policy").keySet())).isEqualTo(fields(ImagePolicyChoice.class));
    assertThat(new TreeSet<>(props(root, "spec", "policy", "semver").keySet()))
        .isEqualTo(fields(ImagePolicyChoice.SemverPolicy.class));
    assertThat(new TreeSet<>(props(root, "spec", "policy", "numerical").keySet()))
        .isEqualTo(fields(ImagePolicyChoice.OrderPolicy.class));
    assertThat(new TreeSet<>(props(root, "spec", "update").keySet())).isEqualTo(fields(ImagePolicyUpdate.class));
    assertThat(new TreeSet<>(props(root, "spec", "update", "gitSyncRef").keySet()))
        .isEqualTo(fields(ImagePolicyUpdate.LocalReference.class));
    assertThat(new TreeSet<>(props(root, "status").keySet())).isEqualTo(fields(ImagePolicyStatus.class));
    assertThat(ImagePolicy.KIND).isEqualTo(((Map<String, Object>) spec.get("names")).get("kind"));
  }
}
