package dev.bunting.testing;

import java.util.List;

/** What one {@code kubectl} run printed, and how it ended. */
public record KubectlResult(List<String> command, int exitCode, String stdout, String stderr) {

  /** Fails with the command and its output unless it exited with 0. */
  public KubectlResult assertSuccess() {
    if (exitCode != 0) {
      throw new AssertionError("kubectl failed (exit " + exitCode + "): " + String.join(" ", command)
          + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr);
    }
    return this;
  }

  /** The non-blank lines of stdout. */
  public List<String> lines() {
    return stdout.lines().filter(l -> !l.isBlank()).toList();
  }
}
