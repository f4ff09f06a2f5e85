package dev.bunting.notify;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Rocket.Chat's incoming-webhook payload: Slack's shape with Flagger's Rocket colours, {@code #0076D7} and
 * {@code #FF0000} for errors.
 */
public final class RocketMessage implements AlertFormat {
  private final SlackMessage slackShape = new SlackMessage("#0076D7", "#FF0000");

  @Override
  public JsonObject render(Alert alert, List<AlertField> fields, String channel, String username) {
    return slackShape.render(alert, fields, channel, username);
  }
}
