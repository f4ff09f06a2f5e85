package dev.bunting.loadtester;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A canary webhook payload as the load tester reads it ({@code {"name","namespace","phase","checksum","metadata"}}).
 * Like flagger-loadtester's Go decoder, it accepts missing fields and rejects fields of the wrong type: {@code name}
 * and {@code namespace} must be strings, {@code metadata} an object of strings.
 */
record TaskPayload(String name, String namespace, Map<String, String> metadata) {

  TaskPayload {
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  /** {@code <name>.<namespace>}: whose task it is (Flagger's key for deduplication and gates). */
  String canary() {
    return name + "." + namespace;
  }

  /**
   * Decodes a request body.
   *
   * @throws IllegalArgumentException when the body is not such a payload, with the reason
   */
  static TaskPayload decode(Buffer body) {
    JsonObject json;
    try {
      json = body == null || body.length() == 0 ? null : new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      json = null;
    }
    if (json == null) {
      throw new IllegalArgumentException("decoding the request body failed: expected a JSON object");
    }
    String name = string(json, "name");
    String namespace = string(json, "namespace");
    Map<String, String> metadata = new LinkedHashMap<>();
    Object raw = json.getValue("metadata");
    if (raw instanceof JsonObject m) {
      for (Map.Entry<String, Object> e : m) {
        if (!(e.getValue() instanceof String value)) {
          throw new IllegalArgumentException("decoding the request body failed: metadata." + e.getKey()
              + " must be a string");
        }
        metadata.put(e.getKey(), value);
      }
    } else if (raw != null) {
      throw new IllegalArgumentException("decoding the request body failed: metadata must be an object of strings");
    }
    return new TaskPayload(name, namespace, metadata);
  }

  private static String string(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return "";
    }
    if (value instanceof String s) {
      return s;
    }
    throw new IllegalArgumentException("decoding the request body failed: " + key + " must be a string");
  }
}
