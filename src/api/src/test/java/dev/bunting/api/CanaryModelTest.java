package dev.bunting.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class CanaryModelTest {
  private static final String CANARY = """
      apiVersion: flagger.app/v1beta1
      kind: Canary
      metadata:
        name: podinfo
        namespace: test
      spec:
        provider: gatewayapi:v1
        futureFlaggerField: {keep: me}
        targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
        service:
          port: 9898
          targetPort: http
          gatewayRefs: [{name: public, namespace: gateway}]
          match:
          - uri: {prefix: /api}
            headers: {x-canary: {exact: "insider"}}
        analysis:
          interval: 1m30s
          threshold: 5
          stepWeights: [5, 10, 80, 120]
          metrics:
          - name: request-success-rate
            thresholdRange: {min: 99}
            interval: 1m
          - name: custom
            templateRef: {name: latency, namespace: flagger-system}
            templateVariables: {direction: inbound}
            thresholdRange: {max: 500.5}
          webhooks:
          - name: gate
            type: confirm-promotion
            url: http://loadtester.test/gate/check
            timeout: 5s
      status:
        phase: Finalising
        canaryWeight: 0
        conditions:
        - {type: Promoted, status: Unknown, reason: Finalising, message: done, lastUpdateTime: "2026-01-01T00:00:00Z"}
      """;

  /** Numbers compare by value (99 == 99.0); everything else structurally. */
  private static final Comparator<JsonNode> NUMERIC = (a, b) -> {
    if (a.isNumber() && b.isNumber()) {
      return Double.compare(a.doubleValue(), b.doubleValue());
    }
    return a.equals(b) ? 0 : 1;
  };

  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

  @Test
  void roundTripKeepsEveryFieldIncludingUnknownOnes() throws Exception {
    Canary canary = Serialization.unmarshal(CANARY, Canary.class);
    JsonNode original = yaml.readTree(CANARY);
    JsonNode written = Serialization.jsonMapper().readTree(Serialization.asJson(canary));
    assertThat(written.get("spec").equals(NUMERIC, original.get("spec")))
        .as("spec after round trip: %s", written.get("spec")).isTrue();
    assertThat(written.get("status").equals(NUMERIC, original.get("status")))
        .as("status after round trip: %s", written.get("status")).isTrue();
  }

  @Test
  void readsTypedFieldsAndFlaggerDefaults() {
    Canary canary = Serialization.unmarshal(CANARY, Canary.class);
    CanaryAnalysis analysis = canary.getSpec().effectiveAnalysis();
    assertThat(canary.getStatus().phase).isEqualTo(CanaryPhase.FINALISING);
    assertThat(analysis.intervalDuration()).isEqualTo(Duration.ofSeconds(90));
    assertThat(analysis.maxWeightOrDefault()).isEqualTo(100);
    assertThat(analysis.strategy()).isEqualTo(DeploymentStrategy.CANARY);
    assertThat(analysis.metrics.get(1).templateRef.namespaceOr("test")).isEqualTo("flagger-system");
    assertThat(analysis.webhooks.get(0).webhookType()).isEqualTo(WebhookType.CONFIRM_PROMOTION);
    assertThat(analysis.webhooks.get(0).timeoutOrDefault()).isEqualTo(Duration.ofSeconds(5));
    assertThat(canary.getSpec().service.match.get(0).headers.get("x-canary").exact).isEqualTo("insider");
    assertThat(canary.getSpec().serviceName()).isEqualTo("podinfo");
    assertThat(canary.getSpec().progressDeadlineSecondsOrDefault()).isEqualTo(600);
  }

  @Test
  void intervalDefaultsAndMinimumFollowFlagger() {
    CanaryAnalysis a = new CanaryAnalysis();
    assertThat(a.intervalDuration()).isEqualTo(Duration.ofSeconds(60));
    a.interval = "5s";
    assertThat(a.intervalDuration()).isEqualTo(Duration.ofSeconds(10));
    a.interval = "ten";
    assertThat(a.intervalDuration()).isEqualTo(Duration.ofSeconds(60));
    a.threshold = 0;
    assertThat(a.thresholdOrDefault()).isEqualTo(1);
    a.stepWeights = List.of(1, 2, 50);
    assertThat(a.maxWeightOrDefault()).isEqualTo(50);
  }

  @Test
  void strategyFollowsFlaggerSelection() {
    CanaryAnalysis a = new CanaryAnalysis();
    a.iterations = 10;
    assertThat(a.strategy()).isEqualTo(DeploymentStrategy.BLUE_GREEN);
    a.match = List.of(new HttpMatchRequest());
    assertThat(a.strategy()).isEqualTo(DeploymentStrategy.AB_TESTING);
    a.iterations = 0;
    assertThat(a.strategy()).isEqualTo(DeploymentStrategy.CANARY);
  }

  @Test
  void goDurationsParseAndFormatLikeGo() {
    assertThat(GoDuration.parse("1m30s")).contains(Duration.ofSeconds(90));
    assertThat(GoDuration.parse("500ms")).contains(Duration.ofMillis(500));
    assertThat(GoDuration.parse("1h")).contains(Duration.ofHours(1));
    assertThat(GoDuration.parse("10")).isEmpty();
    assertThat(GoDuration.parse("m")).isEmpty();
    assertThat(GoDuration.format(Duration.ofSeconds(60))).isEqualTo("1m0s");
    assertThat(GoDuration.format(Duration.ofSeconds(30))).isEqualTo("30s");
  }
}
