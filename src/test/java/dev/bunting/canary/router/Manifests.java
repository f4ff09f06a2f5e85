package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Comparator;

/** YAML in, YAML out: the manifests the router tests start from and the golden objects they expect. */
final class Manifests {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  /** Numbers compare by value (80 == 80L); everything else structurally. */
  private static final Comparator<JsonNode> NUMERIC = (a, b) -> {
    if (a.isNumber() && b.isNumber()) {
      return Double.compare(a.doubleValue(), b.doubleValue());
    }
    return a.equals(b) ? 0 : 1;
  };

  private Manifests() {}

  static Canary canary(String yaml) {
    return Serialization.unmarshal(yaml, Canary.class);
  }

  static Deployment deployment(String yaml) {
    return Serialization.unmarshal(yaml, Deployment.class);
  }

  static GenericKubernetesResource resource(String yaml) {
    return Serialization.unmarshal(yaml, GenericKubernetesResource.class);
  }

  static <T> T parse(String yaml, Class<T> type) {
    return Serialization.unmarshal(yaml, type);
  }

  /** Asserts that {@code actual}, serialised as the API server would receive it, equals the expected YAML. */
  static void assertYaml(Object actual, String expectedYaml) {
    try {
      JsonNode expected = YAML.readTree(expectedYaml);
      JsonNode written = Serialization.jsonMapper().readTree(Serialization.asJson(actual));
      assertThat(written.equals(NUMERIC, expected))
          .as("expected:%n%s%nactual:%n%s", YAML.writeValueAsString(expected), YAML.writeValueAsString(written))
          .isTrue();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
