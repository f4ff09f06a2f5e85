package dev.bunting.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertFormatTest {
  private static final List<AlertField> FIELDS = List.of(
      new AlertField("Target", "Deployment/podinfo.test"),
      new AlertField("Failed checks threshold", "5"));
  private static final Alert INFO = new Alert("podinfo", "test",
      "New revision detected, progressing canary analysis.", AlertSeverity.INFO, FIELDS);
  private static final Alert ERROR = new Alert("podinfo", "test",
      "Canary analysis failed, Deployment scaled to zero.", AlertSeverity.ERROR, List.of());

  @Test
  void slackPayloadHasFlaggersShapeAndKeyOrder() {
    JsonObject payload = new SlackMessage().render(INFO, FIELDS, "general", "flagger");

    assertThat(payload.encode()).isEqualTo("{\"channel\":\"general\",\"username\":\"flagger\",\"icon_url\":\"\","
        + "\"icon_emoji\":\":rocket:\",\"attachments\":[{\"color\":\"good\",\"author_name\":\"podinfo.test\","
        + "\"text\":\"New revision detected, progressing canary analysis.\",\"mrkdwn_in\":[\"text\"],"
        + "\"fields\":[{\"title\":\"Target\",\"value\":\"Deployment/podinfo.test\",\"short\":false},"
        + "{\"title\":\"Failed checks threshold\",\"value\":\"5\",\"short\":false}]}]}");
  }

  @Test
  void slackColours() {
    assertThat(color(new SlackMessage(), AlertSeverity.INFO)).isEqualTo("good");
    assertThat(color(new SlackMessage(), AlertSeverity.WARN)).isEqualTo("good");
    assertThat(color(new SlackMessage(), AlertSeverity.ERROR)).isEqualTo("danger");
    assertThat(new SlackMessage().render(ERROR, List.of(), "c", "u").getJsonArray("attachments").getJsonObject(0)
        .getJsonArray("fields")).isEmpty();
  }

  @Test
  void rocketIsSlackWithRocketColours() {
    assertThat(color(new RocketMessage(), AlertSeverity.INFO)).isEqualTo("#0076D7");
    assertThat(color(new RocketMessage(), AlertSeverity.WARN)).isEqualTo("#0076D7");
    assertThat(color(new RocketMessage(), AlertSeverity.ERROR)).isEqualTo("#FF0000");
    JsonObject rocket = new RocketMessage().render(INFO, FIELDS, "ops", "bot");
    JsonObject slack = new SlackMessage().render(INFO, FIELDS, "ops", "bot");
    rocket.getJsonArray("attachments").getJsonObject(0).put("color", "good");
    assertThat(rocket).isEqualTo(slack);
  }

  private static String color(AlertFormat format, AlertSeverity severity) {
    Alert alert = new Alert("podinfo", "test", "m", severity, List.of());
    return format.render(alert, List.of(), "c", "u").getJsonArray("attachments").getJsonObject(0).getString("color");
  }

  @Test
  void teamsMessageCard() {
    JsonObject payload = new MsTeamsMessage().render(INFO, FIELDS, "ignored", "ignored");

    assertThat(payload.encode()).isEqualTo("{\"@type\":\"MessageCard\",\"@context\":\"http://schema.org/extensions\","
        + "\"themeColor\":\"0076D7\",\"summary\":\"podinfo.test\",\"sections\":[{\"activityTitle\":"
        + "\"New revision detected, progressing canary analysis.\",\"activitySubtitle\":\"podinfo.test\","
        + "\"facts\":[{\"name\":\"Target\",\"value\":\"Deployment/podinfo.test\"},"
        + "{\"name\":\"Failed checks threshold\",\"value\":\"5\"}]}]}");
    assertThat(new MsTeamsMessage().render(ERROR, List.of(), "", "").getString("themeColor")).isEqualTo("FF0000");
  }

  @Test
  void googleChatCard() {
    JsonObject payload = new GoogleChatMessage().render(INFO, FIELDS.subList(0, 1), "ignored", "ignored");

    assertThat(payload).isEqualTo(new JsonObject("""
        {"cards":[{
          "header":{"title":"Flagger","subtitle":"podinfo.test","imageUrl":"https://flagger.app/favicon.png"},
          "sections":[
            {"widgets":[{"textParagraph":{"text":
              "<font color=#848484><strong>New revision detected, progressing canary analysis.</strong></font>"}}]},
            {"widgets":[{"textParagraph":{"text":
              "Target<br><font color=#848484><strong>Deployment/podinfo.test</strong></font>"}}]}
          ]}]}
        """));
  }

  @Test
  void genericPayloadIsStructuredJsonWithATimestampAndAFreshId() {
    Alert alert = new Alert("podinfo", "test", "Failed checks threshold reached 5", AlertSeverity.ERROR, FIELDS,
        "Failed", "v2:4b0c", java.time.Instant.parse("2026-01-02T03:04:05.678Z"));
    JsonObject payload = new GenericMessage().render(alert, FIELDS, "ignored", "ignored");

    assertThat(payload.fieldNames()).containsExactly("id", "timestamp", "canary", "namespace", "phase", "revision",
        "message", "severity", "fields");
    assertThat(payload.getString("id")).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(new GenericMessage().render(alert, FIELDS, "", "").getString("id")).isNotEqualTo(payload.getString("id"));
    payload.remove("id");
    assertThat(payload.encode()).isEqualTo("{\"timestamp\":\"2026-01-02T03:04:05Z\",\"canary\":\"podinfo\","
        + "\"namespace\":\"test\",\"phase\":\"Failed\",\"revision\":\"v2:4b0c\","
        + "\"message\":\"Failed checks threshold reached 5\",\"severity\":\"error\","
        + "\"fields\":{\"Target\":\"Deployment/podinfo.test\",\"Failed checks threshold\":\"5\"}}");
    assertThat(new GenericMessage().render(INFO, List.of(), "", "").getJsonObject("fields")).isEmpty();
  }

  @Test
  void theSignatureIsTheHexHmacSha256OfTheBody() {
    // RFC 4231 test case 2
    assertThat(AlertSignature.of("what do ya want for nothing?".getBytes(java.nio.charset.StandardCharsets.UTF_8),
        "Jefe")).isEqualTo("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }
}
