package dev.bunting.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine;

/** Entry point of {@code bunting.jar}. Without a subcommand it runs the controller. */
@Command(name = "bunting", mixinStandardHelpOptions = true, versionProvider = BuntingVersion.class,
    description = "Progressive delivery (Flagger-compatible canaries) and Git-to-cluster sync for Kubernetes.",
    subcommands = {ControllerCommand.class, LoadTesterCommand.class, StatusCommand.class, AnalyzeCommand.class,
        ActionCommand.Promote.class, ActionCommand.Abort.class, ActionCommand.Retry.class, ActionCommand.Pause.class,
        ActionCommand.Resume.class, TrainingApiCommand.class})
public final class Main implements java.util.concurrent.Callable<Integer> {
  @Mixin
  ControllerOptions options = new ControllerOptions();

  @Override
  public Integer call() throws Exception {
    return ControllerCommand.run(options);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs the command line with {@code extraCommands} added as subcommands (the playground's jar adds
   * {@code playground}, which the production jar does not carry) and returns the exit code.
   */
  public static int run(String[] args, Object... extraCommands) {
    LogSetup.fromArgs(args);
    CommandLine cli = new CommandLine(new Main());
    for (Object command : extraCommands) {
      cli.addSubcommand(command);
    }
    return cli.execute(args);
  }
}
