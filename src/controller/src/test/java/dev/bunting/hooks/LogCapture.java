package dev.bunting.hooks;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures every log line (all loggers, DEBUG and up) while open, to assert what is and is not logged. */
public final class LogCapture implements AutoCloseable {
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final Logger bunting = (Logger) LoggerFactory.getLogger("dev.bunting");
  private final Level previousBuntingLevel = bunting.getLevel();
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  public LogCapture() {
    bunting.setLevel(Level.DEBUG);
    appender.setContext(root.getLoggerContext());
    appender.start();
    root.addAppender(appender);
  }

  /** Every captured line, formatted, with its key-value fields and the exception text (if any) appended. */
  public List<String> lines() {
    return List.copyOf(appender.list).stream()
        .map(e -> e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage()
            + (e.getKeyValuePairs() == null ? "" : e.getKeyValuePairs().stream().map(kv -> " " + kv.key + "=" + kv.value)
                .collect(java.util.stream.Collectors.joining()))
            + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getMessage()))
        .toList();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
    bunting.setLevel(previousBuntingLevel);
  }
}
