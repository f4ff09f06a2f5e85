package dev.bunting.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Microsoft Teams' legacy {@code MessageCard}, as Flagger sends it:
 * <pre>
 * {"@type":"MessageCard","@context":"http://schema.org/extensions","themeColor":"0076D7","summary":"podinfo.test",
 *  "sections":[{"activityTitle":"…","activitySubtitle":"podinfo.test","facts":[{"name":"Target","value":"…"}]}]}
 * </pre>
 * The theme colour is {@code FF0000} for errors.
 */
public final class MsTeamsMessage implements AlertFormat {
  @Override
  public JsonObject render(Alert alert, List<AlertField> fields, String channel, String username) {
    JsonArray facts = new JsonArray();
    for (AlertField f : fields) {
      facts.add(new JsonObject().put("name", f.name()).put("value", f.value()));
    }
    JsonObject section = new JsonObject()
        .put("activityTitle", alert.message())
        .put("activitySubtitle", alert.source())
        .put("facts", facts);
    return new JsonObject()
        .put("@type", "MessageCard")
        .put("@context", "http://schema.org/extensions")
        .put("themeColor", alert.severity() == AlertSeverity.ERROR ? "FF0000" : "0076D7")
        .put("summary", alert.source())
        .put("sections", new JsonArray().add(section));
  }
}
