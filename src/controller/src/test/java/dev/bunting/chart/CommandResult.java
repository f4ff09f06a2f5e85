package dev.bunting.chart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What one run of a command-line tool (helm, kubectl) printed, and how it ended. */
record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {

  /** Runs {@code command} with extra environment variables, no stdin, for at most {@code timeoutSeconds}. */
  static CommandResult run(List<String> command, Map<String, String> env, long timeoutSeconds) {
    try {
      Path out = Files.createTempFile("chart-cmd-", ".out");
      Path err = Files.createTempFile("chart-cmd-", ".err");
      try {
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process process = pb.start();
        process.getOutputStream().close();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new AssertionError("did not finish within " + timeoutSeconds + " s: " + String.join(" ", command));
        }
        return new CommandResult(command, process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Fails with the command and its output unless it exited with 0. */
  CommandResult assertSuccess() {
    if (exitCode != 0) {
      throw new AssertionError(describe("failed"));
    }
    return this;
  }

  /** Fails with the command and its output if it exited with 0. */
  CommandResult assertFailure() {
    if (exitCode == 0) {
      throw new AssertionError(describe("succeeded, but it should have failed"));
    }
    return this;
  }

  /** The non-blank lines of stdout. */
  List<String> lines() {
    return stdout.lines().filter(l -> !l.isBlank()).toList();
  }

  /** stdout and stderr together, for assertions on messages. */
  String output() {
    return stdout + stderr;
  }

  private String describe(String what) {
    return String.join(" ", command) + " " + what + " (exit " + exitCode + ")\nstdout:\n" + stdout + "\nstderr:\n"
        + stderr;
  }
}
