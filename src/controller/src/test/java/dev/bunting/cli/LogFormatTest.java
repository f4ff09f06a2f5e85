package dev.bunting.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bunting.logging.ObjectLog;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

/** What the controller's two log formats make of a line with fields, read through the shipped configuration files. */
class LogFormatTest {
  private static byte[] encode(String config, LoggingEvent event) throws Exception {
    LoggerContext ctx = new LoggerContext();
    JoranConfigurator jc = new JoranConfigurator();
    jc.setContext(ctx);
    jc.doConfigure(LogFormatTest.class.getResource("/" + config));
    OutputStreamAppender<?> appender = (OutputStreamAppender<?>) ctx.getLogger("ROOT").iteratorForAppenders().next();
    @SuppressWarnings("unchecked")
    var encoder = (ch.qos.logback.core.encoder.Encoder<ch.qos.logback.classic.spi.ILoggingEvent>) appender.getEncoder();
    event.setLoggerContext(ctx);
    byte[] out = encoder.encode(event);
    ctx.stop();
    return out;
  }

  private static LoggingEvent event(List<KeyValuePair> pairs) {
    LoggingEvent e = new LoggingEvent();
    e.setLoggerName("dev.bunting.gitops.GitSyncReconciler");
    e.setLevel(Level.INFO);
    e.setMessage("waiting for {}");
    e.setArgumentArray(new Object[] {"Job/shop/migrate (\"pending\")"});
    e.setTimeStamp(1764151200000L);
    e.setThreadName("bunting-gitsync-1");
    pairs.forEach(e::addKeyValuePair);
    return e;
  }

  private static final List<KeyValuePair> FIELDS = List.of(new KeyValuePair("kind", "GitSync"),
      new KeyValuePair("namespace", "shop"), new KeyValuePair("name", "apps"),
      new KeyValuePair("revision", "main@sha1:5d3c2f0"), new KeyValuePair("message", "clash"));

  @Test
  void jsonLinesCarryTheFieldsAsTopLevelJsonFields() throws Exception {
    String line = new String(encode("logback-json.xml", event(FIELDS)), StandardCharsets.UTF_8);
    JsonNode json = new ObjectMapper().readTree(line);
    assertThat(json.get("formattedMessage").asText()).isEqualTo("waiting for Job/shop/migrate (\"pending\")");
    assertThat(json.get("kind").asText()).isEqualTo("GitSync");
    assertThat(json.get("namespace").asText()).isEqualTo("shop");
    assertThat(json.get("name").asText()).isEqualTo("apps");
    assertThat(json.get("revision").asText()).isEqualTo("main@sha1:5d3c2f0");
    assertThat(json.get("kv_message").asText()).as("a field never shadows the encoder's own").isEqualTo("clash");
    assertThat(json.get("level").asText()).isEqualTo("INFO");
    assertThat(json.has("kvpList")).isFalse();
  }

  @Test
  void textLinesAppendTheFieldsAfterTheMessage() throws Exception {
    String line = new String(encode("logback.xml", event(FIELDS.subList(0, 4))), StandardCharsets.UTF_8);
    assertThat(line).endsWith(" INFO  GitSyncReconciler - waiting for Job/shop/migrate (\"pending\")"
        + " kind=GitSync namespace=shop name=apps revision=main@sha1:5d3c2f0" + System.lineSeparator());
    String plain = new String(encode("logback.xml", event(List.of())), StandardCharsets.UTF_8);
    assertThat(plain).endsWith("- waiting for Job/shop/migrate (\"pending\")" + System.lineSeparator());
  }

  @Test
  void objectLogAddsTheResourceFields() {
    org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger("dev.bunting.test.ObjectLog");
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> list =
        new ch.qos.logback.core.read.ListAppender<>();
    ch.qos.logback.classic.Logger lb = (ch.qos.logback.classic.Logger) logger;
    list.start();
    lb.addAppender(list);
    try {
      ObjectLog log = ObjectLog.of(logger, "Canary", "shop/web").with("phase", "Progressing");
      log.with("phase", "Promoting").with("revision", null).info("weight {}", 40);
      assertThat(list.list).singleElement().satisfies(e -> {
        assertThat(e.getFormattedMessage()).isEqualTo("weight 40");
        assertThat(e.getKeyValuePairs()).extracting(kv -> kv.key + "=" + kv.value)
            .containsExactly("kind=Canary", "namespace=shop", "name=web", "phase=Promoting");
      });
    } finally {
      lb.detachAppender(list);
    }
  }
}
