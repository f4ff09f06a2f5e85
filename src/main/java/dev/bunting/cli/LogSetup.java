package dev.bunting.cli;

/**
 * Chooses the log format before Logback starts: {@code --log-format json} (or {@code LOG_FORMAT=json}) logs one JSON
 * object per line, as log collectors in a cluster expect; the default is plain text.
 */
final class LogSetup {
  private LogSetup() {}

  static void fromArgs(String[] args) {
    String format = System.getenv().getOrDefault("LOG_FORMAT", "text");
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--log-format") && i + 1 < args.length) {
        format = args[i + 1];
      } else if (args[i].startsWith("--log-format=")) {
        format = args[i].substring("--log-format=".length());
      }
    }
    System.setProperty("bunting.log.format", format.equals("json") ? "json" : "text");
  }
}
