package dev.bunting.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AlertSeverityTest {
  /** configured threshold × alert severity → sent? ("<null>" = severity not set, "" = empty). */
  @ParameterizedTest(name = "threshold {0}, alert {1} → {2}")
  @CsvSource(nullValues = "<null>", value = {
      "info,   INFO,  true",
      "info,   WARN,  true",
      "info,   ERROR, true",
      "warn,   INFO,  false",
      "warn,   WARN,  true",
      "warn,   ERROR, true",
      "error,  INFO,  false",
      "error,  WARN,  false",
      "error,  ERROR, true",
      "'',     INFO,  true",
      "'',     WARN,  true",
      "'',     ERROR, true",
      "<null>, INFO,  true",
      "<null>, ERROR, true",
  })
  void thresholdTable(String configured, AlertSeverity alert, boolean sent) {
    assertThat(AlertSeverity.threshold(configured).orElseThrow().admits(alert)).isEqualTo(sent);
  }

  @ParameterizedTest
  @CsvSource({"critical", "Info", "warning"})
  void unknownThresholdsAreRejected(String configured) {
    assertThat(AlertSeverity.threshold(configured)).isEqualTo(Optional.empty());
  }
}
