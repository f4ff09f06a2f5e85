package dev.bunting.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Entry point of {@code bunting.jar}. Without a subcommand it runs the controller. */
@Command(name = "bunting", mixinStandardHelpOptions = true, versionProvider = BuntingVersion.class,
    description = "Progressive delivery (Flagger-compatible canaries) and Git-to-cluster sync for Kubernetes.",
    subcommands = {ControllerCommand.class})
public final class Main implements java.util.concurrent.Callable<Integer> {
  @Mixin
  ControllerOptions options = new ControllerOptions();

  @Override
  public Integer call() throws Exception {
    return ControllerCommand.run(options);
  }

  public static void main(String[] args) {
    LogSetup.fromArgs(args);
    System.exit(new CommandLine(new Main()).execute(args));
  }
}
