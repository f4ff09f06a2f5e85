package dev.bunting.playground;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.CanaryPhase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlaygroundSummaryTest {
  private static ReleaseOutcome promoted = new ReleaseOutcome("1.1.0", "5e1f0a2", true, CanaryPhase.SUCCEEDED,
      Duration.ofSeconds(112), List.of(0, 10, 20, 30, 40, 50, 0), "ghcr.io/stefanprodan/podinfo:1.1.0",
      "Advance podinfo.demo canary weight 50 (request-success-rate=100%, request-duration=24ms)", "");
  private static ReleaseOutcome rolledBack = new ReleaseOutcome("1.2.0-bad", "77aa001", false, CanaryPhase.FAILED,
      Duration.ofSeconds(65), List.of(0, 10, 0), "ghcr.io/stefanprodan/podinfo:1.1.0",
      "Halt podinfo.demo advancement success rate 80.00% < 99%", "");

  @Test
  void theDecidingReadingsAreTakenFromTheEvents() {
    assertThat(PlaygroundSummary.readings(promoted.decision()))
        .isEqualTo("request-success-rate=100%, request-duration=24ms");
    assertThat(PlaygroundSummary.readings(rolledBack.decision())).isEqualTo("success rate 80.00% < 99%");
    assertThat(PlaygroundSummary.readings("")).isEqualTo("-");
  }

  @Test
  void aRunIsAsExpectedOnlyWhenEveryReleaseIs() {
    PlaygroundSummary good = new PlaygroundSummary(Scenario.GOOD_THEN_BAD, Duration.ofSeconds(10),
        List.of(promoted, rolledBack), "ghcr.io/stefanprodan/podinfo:1.1.0", Map.of(200, 100L, 500, 3L),
        Duration.ofSeconds(250));
    assertThat(good.asExpected()).isTrue();
    assertThat(String.join("\n", good.lines()))
        .contains("1/2", "1.1.0", "promoted", "1m52s", "0 10 20 30 40 50 0", "request-success-rate=100%")
        .contains("2/2", "1.2.0-bad", "rolled back", "1m05s", "success rate 80.00% < 99%")
        .contains("103 requests through the gateway (100x 200, 3x 500)")
        .contains("every release ended as expected");

    ReleaseOutcome wrong = new ReleaseOutcome("1.2.0-bad", "77aa001", false, CanaryPhase.SUCCEEDED,
        Duration.ofSeconds(65), List.of(0, 50, 0), "ghcr.io/stefanprodan/podinfo:1.2.0-bad", "", "");
    PlaygroundSummary bad = new PlaygroundSummary(Scenario.GOOD_THEN_BAD, Duration.ofSeconds(10),
        List.of(promoted, wrong), "x", Map.of(), Duration.ofSeconds(250));
    assertThat(bad.asExpected()).isFalse();
    assertThat(String.join("\n", bad.lines())).contains("NOT every release ended as expected");
  }

  @Test
  void aStuckReleaseSaysWhy() {
    ReleaseOutcome stuck = new ReleaseOutcome("1.1.0", "5e1f0a2", true, CanaryPhase.PROGRESSING,
        Duration.ofMinutes(6), List.of(0, 10), "x", "", "the canary did not finish within 6 min");
    assertThat(stuck.asExpected()).isFalse();
    assertThat(stuck.result()).isEqualTo("stuck in Progressing");
    assertThat(new PlaygroundSummary(Scenario.GOOD, Duration.ofSeconds(10), List.of(stuck), "x", Map.of(),
        Duration.ofMinutes(7)).lines()).anyMatch(l -> l.contains("problem: the canary did not finish within 6 min"));
  }
}
