package dev.bunting.playground;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlaygroundSettingsTest {
  private static PlaygroundSettings settings(Duration interval, String namespace) {
    return new PlaygroundSettings(Scenario.GOOD, interval, false, false, namespace, Path.of("/tmp/pg"), "playground",
        0, 0, 0, 30, Optional.empty());
  }

  @Test
  void theIntervalIsAtLeastFlaggersMinimum() {
    assertThatThrownBy(() -> settings(Duration.ofSeconds(5), "demo")).hasMessageContaining("at least 10s");
    assertThat(settings(Duration.ofSeconds(10), "demo").interval()).hasSeconds(10);
  }

  @Test
  void theNamespaceMustBeADnsLabel() {
    assertThatThrownBy(() -> settings(Duration.ofSeconds(10), "Bad_Name")).hasMessageContaining("DNS label");
  }

  @Test
  void theLogSurvivesCleaningTheStateDirectory() {
    PlaygroundSettings s = settings(Duration.ofSeconds(10), "demo");
    assertThat(s.controllerLog()).isEqualTo(Path.of("/tmp/pg-bunting.log"));
    assertThat(s.repositoryDir()).isEqualTo(Path.of("/tmp/pg/repo"));
    assertThat(s.targetsFile()).isEqualTo(Path.of("/tmp/pg/prometheus/targets.json"));
  }

  @Test
  void scenariosAreNamedAsOnTheCommandLine() {
    assertThat(Scenario.of("good-then-bad").releases()).extracting(Scenario.Release::tag)
        .containsExactly("1.1.0", "1.2.0-bad");
    assertThat(Scenario.of("slow").releases()).extracting(Scenario.Release::expectPromoted).containsExactly(false);
    assertThatThrownBy(() -> Scenario.of("chaos")).hasMessageContaining("good-then-bad, good, bad, slow");
  }
}
