package dev.bunting.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryAnalysis;
import dev.bunting.api.CanaryGitRevision;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.CanarySpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookPayloadTest {
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void newCanaryPhaseAndMissingChecksumSerialiseAsEmptyStrings() throws Exception {
    WebhookPayload payload = new WebhookPayload("podinfo", "test", null, null, null);

    assertThat(json.writeValueAsString(payload))
        .isEqualTo("{\"name\":\"podinfo\",\"namespace\":\"test\",\"phase\":\"\",\"checksum\":\"\"}");
  }

  @Test
  void readsFlaggerPayloads() throws Exception {
    WebhookPayload payload = json.readValue("{\"name\":\"podinfo\",\"namespace\":\"test\","
        + "\"phase\":\"WaitingPromotion\",\"checksum\":\"c\",\"metadata\":{\"a\":\"b\"}}", WebhookPayload.class);

    assertThat(payload).isEqualTo(new WebhookPayload("podinfo", "test", CanaryPhase.WAITING_PROMOTION, "c",
        Map.of("a", "b")));
  }

  @Test
  void eventMetadataPutsFlaggersKeysFirstAndKeepsTheirValues() throws Exception {
    WebhookContext context = new WebhookContext("podinfo", "test", CanaryPhase.FAILED, "c", Duration.ofMinutes(1));

    WebhookPayload payload = WebhookPayload.forEvent(context, Map.of("timestamp", "yesterday"),
        "Canary failed! Scaling down podinfo.test", EventType.WARNING, Instant.ofEpochMilli(1700000000123L));

    assertThat(json.writeValueAsString(payload)).isEqualTo("{\"name\":\"podinfo\",\"namespace\":\"test\","
        + "\"phase\":\"Failed\",\"checksum\":\"c\",\"metadata\":{\"eventMessage\":"
        + "\"Canary failed! Scaling down podinfo.test\",\"eventType\":\"Warning\",\"timestamp\":\"1700000000123\"}}");
  }

  @Test
  void contextTakesTheIntervalFromTheCanary() {
    Canary canary = new Canary();
    canary.setMetadata(new ObjectMetaBuilder().withName("podinfo").withNamespace("test").build());
    canary.setSpec(new CanarySpec());
    canary.getSpec().analysis = new CanaryAnalysis();
    canary.getSpec().analysis.interval = "2m";

    WebhookContext context = WebhookContext.of(canary, CanaryPhase.PROGRESSING, "v2:abc");

    assertThat(context).isEqualTo(new WebhookContext("podinfo", "test", CanaryPhase.PROGRESSING, "v2:abc",
        Duration.ofMinutes(2)));
    assertThat(context.key()).isEqualTo("test/podinfo");
  }

  @Test
  void aRevisionAGitSyncAppliedAddsItsCommitToTheMetadataAndTheHooksOwnKeysWin() throws Exception {
    WebhookContext context = new WebhookContext("podinfo", "test", CanaryPhase.PROGRESSING, "c",
        Duration.ofMinutes(1), new CanaryGitRevision("main@sha1:" + "a".repeat(40), "podinfo 1.1.0", "apps/sync"));

    assertThat(json.writeValueAsString(WebhookPayload.of(context, Map.of("gitSync", "mine"))))
        .isEqualTo("{\"name\":\"podinfo\",\"namespace\":\"test\",\"phase\":\"Progressing\",\"checksum\":\"c\","
            + "\"metadata\":{\"gitSync\":\"mine\",\"gitRevision\":\"main@sha1:" + "a".repeat(40) + "\","
            + "\"gitCommitSubject\":\"podinfo 1.1.0\"}}");
    assertThat(WebhookPayload.forEvent(context, null, "New revision detected!", EventType.NORMAL,
        Instant.ofEpochMilli(1)).metadata()).containsKeys("eventMessage", "gitRevision", "gitCommitSubject", "gitSync");
    WebhookContext plain = new WebhookContext("podinfo", "test", CanaryPhase.PROGRESSING, "c", Duration.ofMinutes(1));
    assertThat(json.writeValueAsString(WebhookPayload.of(plain, Map.of()))).as("byte-compatible without Git")
        .isEqualTo("{\"name\":\"podinfo\",\"namespace\":\"test\",\"phase\":\"Progressing\",\"checksum\":\"c\"}");
  }
}
