package dev.bunting.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Slack's incoming-webhook payload, as Flagger sends it (also to Discord, whose {@code /slack} endpoint accepts it):
 * <pre>
 * {"channel":"general","username":"flagger","icon_url":"","icon_emoji":":rocket:",
 *  "attachments":[{"color":"good","author_name":"podinfo.test","text":"…","mrkdwn_in":["text"],
 *                  "fields":[{"title":"Target","value":"Deployment/podinfo.test","short":false}]}]}
 * </pre>
 * The colour is {@code danger} for errors and {@code good} otherwise.
 */
public final class SlackMessage implements AlertFormat {
  private final String okColor;
  private final String errorColor;

  /** Slack's colours: {@code good} and {@code danger}. */
  public SlackMessage() {
    this("good", "danger");
  }

  SlackMessage(String okColor, String errorColor) {
    this.okColor = okColor;
    this.errorColor = errorColor;
  }

  @Override
  public JsonObject render(Alert alert, List<AlertField> fields, String channel, String username) {
    JsonArray slackFields = new JsonArray();
    for (AlertField f : fields) {
      slackFields.add(new JsonObject().put("title", f.name()).put("value", f.value()).put("short", false));
    }
    JsonObject attachment = new JsonObject()
        .put("color", alert.severity() == AlertSeverity.ERROR ? errorColor : okColor)
        .put("author_name", alert.source())
        .put("text", alert.message())
        .put("mrkdwn_in", new JsonArray().add("text"))
        .put("fields", slackFields);
    return new JsonObject()
        .put("channel", channel)
        .put("username", username)
        .put("icon_url", "")
        .put("icon_emoji", ":rocket:")
        .put("attachments", new JsonArray().add(attachment));
  }
}
