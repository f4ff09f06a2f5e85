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

  /**
   * A Canary {@code podinfo} in namespace {@code test} targeting Deployment {@code podinfo}, with the given provider and
   * {@code spec.service} / {@code spec.analysis} bodies (YAML written from column 0).
   */
  static Canary canary(String provider, String service, String analysis) {
    return canary("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: podinfo, namespace: test, uid: 6f1c3a52-2b1e-4a57-9a3e-0d6bd2b5f0a1}
        spec:
          provider: %s
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
          service:
        %s
          analysis:
        %s
        """.formatted(provider, service.indent(4).stripTrailing(), analysis.indent(4).stripTrailing()));
  }

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
