package dev.bunting.playground;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the project's scripts as child processes from the project directory. {@link #stream} copies their output line
 * by line to the terminal (building the local control plane the first time takes a while, and its progress is worth
 * seeing); {@link #capture} returns what they print. Blocking: never call it on an event loop.
 */
public final class ScriptRunner {
  private final Path workingDirectory;
  private final PrintStream out;

  public ScriptRunner(Path workingDirectory, PrintStream out) {
    this.workingDirectory = workingDirectory;
    this.out = out;
  }

  /** The result of a script run. */
  public record Result(int exitCode, String stdout) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  /** Runs the command, printing stdout and stderr as they come, each line prefixed with {@code prefix}. */
  public Result stream(Duration timeout, String prefix, Path script, String... args) {
    ProcessBuilder pb = new ProcessBuilder(command(script, args)).directory(workingDirectory.toFile())
        .redirectErrorStream(true);
    try {
      Process process = pb.start();
      process.getOutputStream().close();
      StringBuilder all = new StringBuilder();
      Thread pump = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            synchronized (all) {
              all.append(line).append('\n');
            }
            out.println(prefix + line);
          }
        } catch (IOException ignored) {
          // the process went away; its exit code tells the rest
        }
      }, "playground-script-output");
      pump.setDaemon(true);
      pump.start();
      int code = waitFor(process, timeout, script);
      pump.join(5_000);
      synchronized (all) {
        return new Result(code, all.toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + script, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + script, e);
    }
  }

  /** Runs the command and returns its stdout; stderr goes to the terminal only when it fails. */
  public Result capture(Duration timeout, Path script, String... args) {
    ProcessBuilder pb = new ProcessBuilder(command(script, args)).directory(workingDirectory.toFile());
    try {
      Process process = pb.start();
      process.getOutputStream().close();
      // both pipes are small for these commands; read stderr on a thread so neither can block the other
      StringBuilder err = new StringBuilder();
      Thread errPump = new Thread(() -> {
        try {
          String text = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
          synchronized (err) {
            err.append(text);
          }
        } catch (IOException ignored) {
          // nothing more to read
        }
      }, "playground-script-stderr");
      errPump.setDaemon(true);
      errPump.start();
      String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int code = waitFor(process, timeout, script);
      errPump.join(5_000);
      if (code != 0) {
        synchronized (err) {
          out.print(err);
        }
      }
      return new Result(code, stdout);
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + script, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + script, e);
    }
  }

  private static List<String> command(Path script, String... args) {
    List<String> command = new ArrayList<>();
    command.add(script.toString());
    command.addAll(List.of(args));
    return command;
  }

  private static int waitFor(Process process, Duration timeout, Path script) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroy();
      throw new IllegalStateException(script.getFileName() + " did not finish within " + timeout.toMinutes()
          + " min");
    }
    return process.exitValue();
  }
}
