package dev.bunting.notify;

import io.vertx.core.json.JsonObject;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/**
 * Bunting's {@code generic} payload: the alert as structured JSON, for receivers that are programs rather than chat
 * rooms (an incident tool, a release dashboard, a function):
 * <pre>
 * {"id":"0b9c…","timestamp":"2026-01-02T03:04:05Z","canary":"podinfo","namespace":"test","phase":"Progressing",
 *  "revision":"v2:4b0c…","message":"New revision detected, progressing canary analysis.","severity":"info",
 *  "fields":{"Target":"Deployment/podinfo.test","Failed checks threshold":"5","Progress deadline":"600s"}}
 * </pre>
 * {@code id} is new for every delivery and {@code timestamp} is when the alert was sent (UTC, seconds): with the
 * signature ({@link AlertTarget#SIGNING_KEY}) over the whole body, a receiver can refuse old or replayed deliveries.
 */
public final class GenericMessage implements AlertFormat {
  @Override
  public JsonObject render(Alert alert, List<AlertField> fields, String channel, String username) {
    JsonObject byName = new JsonObject();
    fields.forEach(f -> byName.put(f.name(), f.value()));
    return new JsonObject()
        .put("id", UUID.randomUUID().toString())
        .put("timestamp", alert.time() == null ? null
            : DateTimeFormatter.ISO_INSTANT.format(alert.time().truncatedTo(ChronoUnit.SECONDS)))
        .put("canary", alert.canaryName())
        .put("namespace", alert.namespace())
        .put("phase", alert.phase())
        .put("revision", alert.revision())
        .put("message", alert.message())
        .put("severity", alert.severity().wire())
        .put("fields", byName);
  }
}
