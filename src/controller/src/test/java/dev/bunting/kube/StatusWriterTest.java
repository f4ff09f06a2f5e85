package dev.bunting.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusWriterTest {
  private static Map<String, Object> condition(String type, String status, String message) {
    return Map.of("type", type, "status", status, "message", message);
  }

  @Test
  void namesTheFieldsAndConditionsThatDiffer() {
    Map<String, Object> before = Map.of("phase", "Progressing", "canaryWeight", 10, "iterations", 0,
        "lastTransitionTime", "2026-12-06T00:00:00Z",
        "conditions", List.of(condition("Promoted", "Unknown", "Advance weight 10"), condition("Ready", "True", "ok")));
    Map<String, Object> after = Map.of("phase", "Progressing", "canaryWeight", 20, "iterations", 0,
        "lastTransitionTime", "2026-12-06T00:00:10Z",
        "conditions", List.of(condition("Promoted", "Unknown", "Advance weight 20"), condition("Ready", "True", "ok")));

    assertThat(StatusWriter.changes(before, after, "lastTransitionTime"))
        .containsExactly("canaryWeight", "conditions[Promoted].message");
    assertThat(StatusWriter.changed(before, after, "lastTransitionTime")).isTrue();
  }

  @Test
  void ignoredFieldsAloneAreNoChange() {
    Map<String, Object> before = Map.of("phase", "Succeeded", "lastTransitionTime", "2026-12-06T00:00:00Z");
    Map<String, Object> after = Map.of("phase", "Succeeded", "lastTransitionTime", "2026-12-06T00:01:00Z");

    assertThat(StatusWriter.changes(before, after, "lastTransitionTime")).isEmpty();
    assertThat(StatusWriter.changed(before, after, "lastTransitionTime")).isFalse();
    assertThat(StatusWriter.changes(before, after)).containsExactly("lastTransitionTime");
  }

  @Test
  void aConditionThatAppearsOrALeftOutStatusIsNamed() {
    Map<String, Object> before = Map.of("conditions", List.of(condition("Ready", "True", "ok")));
    Map<String, Object> after = Map.of("conditions",
        List.of(condition("Ready", "True", "ok"), condition("Stalled", "True", "target not found")));

    assertThat(StatusWriter.changes(before, after)).containsExactly("conditions[Stalled]");
    assertThat(StatusWriter.changes(null, after)).containsExactly("status");
    assertThat(StatusWriter.changes(null, null)).isEmpty();
  }

  @Test
  void conditionsThatDifferOnlyInOrderOrInARepeatedTypeStillCountAsAChange() {
    Map<String, Object> before = Map.of("conditions",
        List.of(condition("Ready", "True", "ok"), condition("Promoted", "True", "done")));
    Map<String, Object> reordered = Map.of("conditions",
        List.of(condition("Promoted", "True", "done"), condition("Ready", "True", "ok")));
    Map<String, Object> repeated = Map.of("conditions", List.of(condition("Ready", "True", "ok"),
        condition("Promoted", "True", "done"), condition("Ready", "False", "second")));

    assertThat(StatusWriter.changes(before, reordered)).containsExactly("conditions");
    assertThat(StatusWriter.changes(before, repeated)).isNotEmpty();
  }
}
