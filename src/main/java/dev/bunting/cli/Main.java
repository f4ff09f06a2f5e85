package dev.bunting.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code bunting.jar}. */
@Command(name = "bunting", mixinStandardHelpOptions = true, versionProvider = BuntingVersion.class,
    description = "Progressive delivery and Git-to-cluster sync for Kubernetes.")
public final class Main implements Runnable {

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }
}
