package dev.bunting.logging;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Log lines about one resource, its identity carried as key-value fields ({@code kind}, {@code namespace},
 * {@code name}, and {@code phase}, {@code revision} where they are known), not inside the message: the JSON log
 * writes them as JSON fields, the text log appends them ({@code ... - applied 3 objects kind=GitSync namespace=shop
 * name=apps revision=main@sha1:...}). It is passed explicitly along a reconcile, because MDC is per thread and does
 * not follow the hops between event loops and worker pools. Never put secrets in fields or messages.
 *
 * <pre>{@code
 * ObjectLog log = ObjectLog.of(LOG, "GitSync", "shop", "apps").with("revision", rev);
 * log.info("waiting for {}", pending);
 * }</pre>
 */
public final class ObjectLog {
  private record Field(String key, Object value) {}

  private final Logger logger;
  private final List<Field> fields;

  private ObjectLog(Logger logger, List<Field> fields) {
    this.logger = logger;
    this.fields = fields;
  }

  public static ObjectLog of(Logger logger, String kind, String namespace, String name) {
    List<Field> f = new ArrayList<>(3);
    f.add(new Field("kind", kind));
    if (namespace != null && !namespace.isEmpty()) {
      f.add(new Field("namespace", namespace));
    }
    f.add(new Field("name", name));
    return new ObjectLog(logger, List.copyOf(f));
  }

  /** For a queue key {@code namespace/name} (or {@code name} of a cluster-scoped object). */
  public static ObjectLog of(Logger logger, String kind, String key) {
    int slash = key.indexOf('/');
    return of(logger, kind, slash < 0 ? null : key.substring(0, slash), key.substring(slash + 1));
  }

  /** The same resource with one more field (replacing a field of that name); a null value leaves the field out. */
  public ObjectLog with(String key, Object value) {
    List<Field> f = new ArrayList<>(fields.size() + 1);
    fields.stream().filter(x -> !x.key().equals(key)).forEach(f::add);
    if (value != null) {
      f.add(new Field(key, value));
    }
    return new ObjectLog(logger, List.copyOf(f));
  }

  /** The same fields for another logger (a class further down the reconcile). */
  public ObjectLog to(Logger other) {
    return new ObjectLog(other, fields);
  }

  public void error(String format, Object... args) {
    at(Level.ERROR).log(format, args);
  }

  public void warn(String format, Object... args) {
    at(Level.WARN).log(format, args);
  }

  public void info(String format, Object... args) {
    at(Level.INFO).log(format, args);
  }

  public void debug(String format, Object... args) {
    at(Level.DEBUG).log(format, args);
  }

  public boolean debugEnabled() {
    return logger.isDebugEnabled();
  }

  /** A line at {@code level} carrying the fields, for anything more (a cause, more fields). */
  public LoggingEventBuilder at(Level level) {
    LoggingEventBuilder b = logger.atLevel(level);
    for (Field f : fields) {
      b = b.addKeyValue(f.key(), f.value());
    }
    return b;
  }
}
