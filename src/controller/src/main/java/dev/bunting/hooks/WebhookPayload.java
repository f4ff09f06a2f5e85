package dev.bunting.hooks;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.bunting.api.CanaryPhase;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The JSON body Bunting POSTs to a webhook, byte-compatible with Flagger's {@code CanaryWebhookPayload}:
 * <pre>{"name":"podinfo","namespace":"test","phase":"Progressing","checksum":"v2:…","metadata":{"k":"v"}}</pre>
 * {@code checksum} is always present (possibly empty); {@code metadata} is left out when empty. When a GitSync applied
 * the revision, {@code metadata} also carries {@code gitRevision}, {@code gitCommitSubject} and {@code gitSync}.
 */
@JsonPropertyOrder({"name", "namespace", "phase", "checksum", "metadata"})
public record WebhookPayload(
    @JsonProperty("name") String name,
    @JsonProperty("namespace") String namespace,
    @JsonProperty("phase") CanaryPhase phase,
    @JsonProperty("checksum") String checksum,
    @JsonProperty("metadata") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> metadata) {

  /** Metadata key carrying the event text in {@code event} hook payloads. */
  public static final String EVENT_MESSAGE = "eventMessage";
  /** Metadata key carrying {@code Normal} or {@code Warning}. */
  public static final String EVENT_TYPE = "eventType";
  /** Metadata key carrying the event time as Unix milliseconds, written as a string. */
  public static final String TIMESTAMP = "timestamp";

  public WebhookPayload {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(namespace, "namespace");
    phase = phase == null ? CanaryPhase.NEW : phase;
    checksum = checksum == null ? "" : checksum;
    metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  /**
   * The payload of every hook type except {@code event}: the hook's own metadata, plus (Bunting) the Git commit's keys
   * when a GitSync applied the revision; the hook's keys win.
   */
  public static WebhookPayload of(WebhookContext context, Map<String, String> hookMetadata) {
    Map<String, String> git = context.gitMetadata();
    if (git.isEmpty()) {
      return new WebhookPayload(context.name(), context.namespace(), context.phase(), context.checksum(), hookMetadata);
    }
    Map<String, String> merged = new LinkedHashMap<>(hookMetadata == null ? Map.of() : hookMetadata);
    git.forEach(merged::putIfAbsent);
    return new WebhookPayload(context.name(), context.namespace(), context.phase(), context.checksum(), merged);
  }

  /**
   * The payload of an {@code event} hook: {@code eventMessage}, {@code eventType} and {@code timestamp} merged with the
   * hook's metadata, where Flagger's three keys win over the hook's keys of the same name.
   */
  public static WebhookPayload forEvent(WebhookContext context, Map<String, String> hookMetadata, String message,
      EventType type, Instant at) {
    Map<String, String> merged = new LinkedHashMap<>();
    merged.put(EVENT_MESSAGE, message == null ? "" : message);
    merged.put(EVENT_TYPE, type.wire());
    merged.put(TIMESTAMP, Long.toString(at.toEpochMilli()));
    if (hookMetadata != null) {
      hookMetadata.forEach(merged::putIfAbsent);
    }
    context.gitMetadata().forEach(merged::putIfAbsent);
    return new WebhookPayload(context.name(), context.namespace(), context.phase(), context.checksum(), merged);
  }
}
