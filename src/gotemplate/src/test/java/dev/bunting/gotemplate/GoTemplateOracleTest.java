package dev.bunting.gotemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compares the engine with Go's own {@code text/template}: {@code oracle-expected.json} holds what Go
 * rendered (or the error it reported) for every template in {@code oracle-cases.json}, with the same
 * functions Flagger's query model provides. Regenerate it with {@code src/test/go/template-oracle}.
 */
class GoTemplateOracleTest {

  private static final Map<String, Object> MODEL = Map.of(
      "name", "podinfo",
      "namespace", "test",
      "target", "podinfo",
      "service", "podinfo-svc",
      "ingress", "podinfo-ing",
      "route", "podinfo-route",
      "interval", "1m",
      "variables", Map.of("direction", "inbound", "x", "1", "empty", "", "quote", "a\"b"));

  static Stream<Arguments> goResults() throws IOException {
    try (InputStream in = GoTemplateOracleTest.class.getResourceAsStream("oracle-expected.json")) {
      JsonNode root = new ObjectMapper().readTree(in);
      List<Arguments> cases = new ArrayList<>();
      for (JsonNode c : root) {
        cases.add(Arguments.of(c.get("template").asText(), c));
      }
      return cases.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goResults")
  void rendersLikeGo(String template, JsonNode expected) {
    if (expected.has("output")) {
      GoTemplate parsed = GoTemplate.parse(template, MODEL.keySet());
      assertThat(parsed.execute(MODEL)).isEqualTo(expected.get("output").asText());
    } else {
      assertThatThrownBy(() -> GoTemplate.parse(template, MODEL.keySet()).execute(MODEL))
          .isInstanceOfSatisfying(TemplateException.class, e -> {
            assertThat(e.detail()).isEqualTo(expected.get("error").asText());
            assertThat(e.line()).as("line of %s", e.detail()).isEqualTo(expected.get("line").asInt());
          });
    }
  }

  @Test
  void theCorpusCoversEnoughCases() throws IOException {
    assertThat(goResults().count()).isGreaterThan(300);
  }
}
