package dev.bunting.canary.router;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the JSON object of a routing object field by field, in a stable order, leaving out absent values. */
final class JsonMap {
  private final Map<String, Object> fields = new LinkedHashMap<>();

  static JsonMap object() {
    return new JsonMap();
  }

  /** Sets {@code key} unless {@code value} is null or an empty collection (Go's {@code omitempty}). */
  JsonMap put(String key, Object value) {
    if (value == null || (value instanceof Collection<?> c && c.isEmpty())) {
      return this;
    }
    fields.put(key, value instanceof JsonMap m ? m.build() : value);
    return this;
  }

  Map<String, Object> build() {
    return fields;
  }
}
