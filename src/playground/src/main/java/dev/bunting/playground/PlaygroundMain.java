package dev.bunting.playground;

import dev.bunting.cli.Main;

/**
 * Entry point of {@code bunting-playground.jar}: Bunting's command line ({@code controller} and the rest) plus the
 * {@code playground} command, which only this jar carries.
 */
public final class PlaygroundMain {
  private PlaygroundMain() {}

  public static void main(String[] args) {
    System.exit(Main.run(args, new PlaygroundCommand()));
  }
}
