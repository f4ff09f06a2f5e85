package dev.bunting.cli;

import java.util.Locale;
import java.util.Set;

/**
 * Chooses the log format and level before Logback starts: {@code --log-format json} (or {@code LOG_FORMAT=json}) logs
 * one JSON object per line with the formatted message, as log collectors in a cluster expect; the default is plain
 * text. {@code --log-level} (or {@code LOG_LEVEL}) sets the root level: error, warn, info (default), debug, trace.
 */
final class LogSetup {
  /** Commands that print for people ({@code bunting status}, the rollout actions): they log warnings and errors only. */
  private static final Set<String> USER_COMMANDS = Set.of("status", "promote", "abort", "retry", "pause", "resume");

  private LogSetup() {}

  static void fromArgs(String[] args) {
    String format = System.getenv().getOrDefault("LOG_FORMAT", "text");
    String level = System.getenv().getOrDefault("LOG_LEVEL",
        args.length > 0 && USER_COMMANDS.contains(args[0]) ? "warn" : "info");
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--log-format") && i + 1 < args.length) {
        format = args[i + 1];
      } else if (args[i].startsWith("--log-format=")) {
        format = args[i].substring("--log-format=".length());
      } else if (args[i].equals("--log-level") && i + 1 < args.length) {
        level = args[i + 1];
      } else if (args[i].startsWith("--log-level=")) {
        level = args[i].substring("--log-level=".length());
      }
    }
    if (format.equals("json") && System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "logback-json.xml");
    }
    if (System.getProperty("bunting.log.level") == null) {
      System.setProperty("bunting.log.level", level.toUpperCase(Locale.ROOT));
    }
  }
}
