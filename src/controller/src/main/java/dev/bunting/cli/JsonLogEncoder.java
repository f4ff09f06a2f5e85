package dev.bunting.cli;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.List;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/**
 * Logback's JSON encoder, with the key-value pairs of a line ({@code kind}, {@code namespace}, {@code name},
 * {@code phase}, {@code revision}, ...) written as top-level JSON fields, where log collectors index them, instead of
 * logback's {@code kvpList} array. A pair named like one of the encoder's own fields is written with a {@code kv_}
 * prefix rather than shadow it.
 */
public final class JsonLogEncoder extends JsonEncoder {
  private static final Set<String> RESERVED = Set.of(SEQUENCE_NUMBER_ATTR_NAME, TIMESTAMP_ATTR_NAME,
      NANOSECONDS_ATTR_NAME, LEVEL_ATTR_NAME, THREAD_NAME_ATTR_NAME, LOGGER_ATTR_NAME, CONTEXT_ATTR_NAME,
      MARKERS_ATTR_NAME, MDC_ATTR_NAME, KEY_VALUE_PAIRS_ATTR_NAME, MESSAGE_ATTR_NAME, FORMATTED_MESSAGE_ATTR_NAME,
      ARGUMENT_ARRAY_ATTR_NAME, THROWABLE_ATTR_NAME);

  @Override
  protected void appendKeyValuePairs(StringBuilder sb, ILoggingEvent event) {
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    if (pairs == null) {
      return;
    }
    for (KeyValuePair kv : pairs) {
      if (kv == null || kv.key == null) {
        continue;
      }
      String key = RESERVED.contains(kv.key) ? "kv_" + kv.key : kv.key;
      sb.append(',').append('"');
      escape(sb, key);
      sb.append("\":");
      if (kv.value instanceof Number || kv.value instanceof Boolean) {
        sb.append(kv.value);
      } else {
        sb.append('"');
        escape(sb, String.valueOf(kv.value));
        sb.append('"');
      }
    }
  }

  static void escape(StringBuilder sb, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
  }
}
