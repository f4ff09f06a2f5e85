package dev.bunting.cli;

import picocli.CommandLine.Option;

/**
 * {@code --log-format} and {@code --log-level}, shared by the long-running commands. {@link LogSetup} reads them from
 * the command line (or {@code LOG_FORMAT}/{@code LOG_LEVEL}) before Logback starts; these declarations make picocli
 * accept, document and default them.
 */
public final class LoggingOptions {
  @Option(names = "--log-format", defaultValue = "${env:LOG_FORMAT:-text}",
      description = "Log format: text or json (default: ${DEFAULT-VALUE}). Env: LOG_FORMAT.")
  public String logFormat;

  @Option(names = "--log-level", defaultValue = "${env:LOG_LEVEL:-info}",
      description = "Log level: error, warn, info, debug or trace (default: ${DEFAULT-VALUE}). Env: LOG_LEVEL.")
  public String logLevel;
}
