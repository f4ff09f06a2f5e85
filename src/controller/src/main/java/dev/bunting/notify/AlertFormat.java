package dev.bunting.notify;

import io.vertx.core.json.JsonObject;
import java.util.List;

/** Turns an alert into the JSON body one kind of chat service expects. Pure: no I/O. */
public interface AlertFormat {
  /**
   * The request body.
   *
   * @param alert what to say
   * @param fields the fields to show, in order (the alert's fields, after the {@code Cluster} field when configured)
   * @param channel the provider's channel (Slack-like formats only)
   * @param username the provider's username (Slack-like formats only)
   */
  JsonObject render(Alert alert, List<AlertField> fields, String channel, String username);
}
