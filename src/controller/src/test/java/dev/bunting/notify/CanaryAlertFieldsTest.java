package dev.bunting.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryAnalysis;
import dev.bunting.api.CanarySpec;
import dev.bunting.api.HttpMatchRequest;
import dev.bunting.api.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class CanaryAlertFieldsTest {
  private static Canary canary(CanaryAnalysis analysis) {
    Canary canary = new Canary();
    canary.setMetadata(new ObjectMetaBuilder().withName("podinfo").withNamespace("test").build());
    canary.setSpec(new CanarySpec());
    canary.getSpec().targetRef = new ObjectReference("apps/v1", "Deployment", "podinfo-app");
    canary.getSpec().analysis = analysis;
    return canary;
  }

  private static String routing(CanaryAnalysis analysis) {
    return CanaryAlertFields.of(canary(analysis)).stream()
        .filter(f -> f.name().equals("Traffic routing")).map(AlertField::value).findFirst().orElse(null);
  }

  @Test
  void defaultsAndOrder() {
    CanaryAnalysis analysis = new CanaryAnalysis();
    analysis.stepWeight = 10;
    analysis.maxWeight = 50;

    assertThat(CanaryAlertFields.of(canary(analysis))).containsExactly(
        new AlertField("Target", "Deployment/podinfo-app.test"),
        new AlertField("Failed checks threshold", "1"),
        new AlertField("Progress deadline", "600s"),
        new AlertField("Traffic routing", "Weight step: 10 max: 50"));
  }

  @Test
  void thresholdAndDeadlineFromTheSpec() {
    CanaryAnalysis analysis = new CanaryAnalysis();
    analysis.threshold = 5;
    Canary canary = canary(analysis);
    canary.getSpec().progressDeadlineSeconds = 60;

    assertThat(CanaryAlertFields.of(canary)).containsExactly(
        new AlertField("Target", "Deployment/podinfo-app.test"),
        new AlertField("Failed checks threshold", "5"),
        new AlertField("Progress deadline", "60s"));
  }

  @Test
  void trafficRoutingVariants() {
    CanaryAnalysis stepWithDefaultMax = new CanaryAnalysis();
    stepWithDefaultMax.stepWeight = 5;
    assertThat(routing(stepWithDefaultMax)).isEqualTo("Weight step: 5 max: 100");

    CanaryAnalysis steps = new CanaryAnalysis();
    steps.stepWeights = List.of(1, 5, 10, 80);
    assertThat(routing(steps)).isEqualTo("Weight steps: 1,5,10,80 max: 80");

    CanaryAnalysis ab = new CanaryAnalysis();
    ab.iterations = 10;
    ab.match = List.of(new HttpMatchRequest());
    assertThat(routing(ab)).isEqualTo("A/B Testing");

    CanaryAnalysis blueGreen = new CanaryAnalysis();
    blueGreen.iterations = 10;
    assertThat(routing(blueGreen)).isEqualTo("Blue/Green");

    assertThat(routing(new CanaryAnalysis())).isNull();
  }

  @Test
  void alertOfCanaryCarriesFieldsOnlyWhenAsked() {
    Canary canary = canary(new CanaryAnalysis());

    assertThat(Alert.of(canary, "m", AlertSeverity.WARN, false).fields()).isEmpty();
    assertThat(Alert.of(canary, "m", AlertSeverity.WARN, true).fields()).hasSize(3);
    assertThat(Alert.of(canary, "m", AlertSeverity.WARN, true).source()).isEqualTo("podinfo.test");
  }

  @Test
  void alertOfCanaryCarriesThePhaseAndRevisionOfItsStatus() {
    Canary canary = canary(new CanaryAnalysis());
    assertThat(Alert.of(canary, "m", AlertSeverity.INFO, true).phase()).as("no status yet").isEmpty();

    canary.setStatus(new dev.bunting.api.CanaryStatus());
    canary.getStatus().phase = dev.bunting.api.CanaryPhase.PROGRESSING;
    canary.getStatus().lastAppliedSpec = "v2:abc";
    Alert alert = Alert.of(canary, "m", AlertSeverity.INFO, true);
    assertThat(alert.phase()).isEqualTo("Progressing");
    assertThat(alert.revision()).isEqualTo("v2:abc");
    assertThat(alert.time()).as("stamped when sent").isNull();
  }

  @Test
  void aRevisionAGitSyncAppliedAddsItsCommit() {
    CanaryAnalysis analysis = new CanaryAnalysis();
    Canary canary = canary(analysis);
    canary.setStatus(new dev.bunting.api.CanaryStatus());
    canary.getStatus().gitRevision = new dev.bunting.api.CanaryGitRevision("main@sha1:" + "0123456789".repeat(4),
        "podinfo 1.1.0", "apps/sync");
    assertThat(CanaryAlertFields.of(canary)).endsWith(
        new AlertField("Git revision", "main@sha1:012345678901 \"podinfo 1.1.0\""));
  }
}
