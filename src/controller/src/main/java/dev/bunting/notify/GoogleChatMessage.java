package dev.bunting.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Google Chat's card payload, as Flagger sends it: a header (title {@code Flagger}, subtitle {@code <name>.<ns>},
 * Flagger's icon), one section with the message in grey bold, then one section per field.
 */
public final class GoogleChatMessage implements AlertFormat {
  static final String TITLE = "Flagger";
  static final String IMAGE_URL = "https://flagger.app/favicon.png";
  private static final String GREY_BOLD = "<font color=#848484><strong>";
  private static final String END = "</strong></font>";

  @Override
  public JsonObject render(Alert alert, List<AlertField> fields, String channel, String username) {
    JsonArray sections = new JsonArray().add(paragraph(GREY_BOLD + alert.message() + END));
    for (AlertField f : fields) {
      sections.add(paragraph(f.name() + "<br>" + GREY_BOLD + f.value() + END));
    }
    JsonObject header = new JsonObject()
        .put("title", TITLE)
        .put("subtitle", alert.source())
        .put("imageUrl", IMAGE_URL);
    return new JsonObject()
        .put("cards", new JsonArray().add(new JsonObject().put("header", header).put("sections", sections)));
  }

  private static JsonObject paragraph(String text) {
    return new JsonObject().put("widgets",
        new JsonArray().add(new JsonObject().put("textParagraph", new JsonObject().put("text", text))));
  }
}
