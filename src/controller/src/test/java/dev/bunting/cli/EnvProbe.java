package dev.bunting.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Run in a child JVM by {@link ControllerHelpTest}, with environment variables set: parses {@code args} with
 * {@link Main} exactly as {@code bunting.jar} does and prints every option of the command that ran (the top level, or
 * {@code controller}) as {@code --name=value}, one a line.
 */
public final class EnvProbe {
  private EnvProbe() {}

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new Main());
    CommandLine.ParseResult parsed = cli.parseArgs(args);
    CommandLine ran = parsed.hasSubcommand() ? parsed.subcommand().commandSpec().commandLine() : cli;
    for (OptionSpec o : ran.getCommandSpec().options()) {
      if (!o.usageHelp() && !o.versionHelp()) {
        System.out.println(o.longestName() + "=" + o.getValue());
      }
    }
  }
}
