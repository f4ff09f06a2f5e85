package dev.bunting.loadtester;

import dev.bunting.api.GoDuration;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs child processes without tying up a thread while they run: the process is started on a worker thread, its
 * combined stdout and stderr go to a temporary file, its exit is awaited through {@link Process#onExit()}, and a
 * Vert.x timer kills it (with everything it started) after the timeout. The output is read back, up to
 * {@link #MAX_OUTPUT_BYTES}, once it has exited.
 */
final class CommandExecutor {
  /** Output kept per command; the rest is cut off with a note. */
  static final int MAX_OUTPUT_BYTES = 1024 * 1024;

  private final Vertx vertx;
  private final Duration timeout;
  private final Set<Process> running = ConcurrentHashMap.newKeySet();

  /** The outcome of one command. {@code error} is null on success, else {@code exit status N} or why it failed. */
  record Result(String output, String error) {
    boolean ok() {
      return error == null;
    }
  }

  CommandExecutor(Vertx vertx, Duration timeout) {
    this.vertx = vertx;
    this.timeout = timeout;
  }

  Duration timeout() {
    return timeout;
  }

  /** Runs {@code argv}; the future never fails. */
  Future<Result> run(List<String> argv) {
    Promise<Result> result = Promise.promise();
    vertx.<Started>executeBlocking(() -> start(argv), false).onComplete(ar -> {
      if (ar.failed()) {
        result.complete(new Result("", "cannot run " + argv.get(0) + ": " + ar.cause().getMessage()));
        return;
      }
      Started started = ar.result();
      running.add(started.process());
      long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> {
        started.timedOut = true;
        vertx.executeBlocking(() -> kill(started.process()), false);
      });
      Future.fromCompletionStage(started.process().onExit(), vertx.getOrCreateContext())
          .compose(p -> {
            vertx.cancelTimer(timer);
            running.remove(p);
            return vertx.executeBlocking(() -> readAndDelete(started.output()), false);
          })
          .onComplete(out -> {
            String output = out.succeeded() ? out.result() : "";
            int exit = started.process().exitValue();
            String error = started.timedOut ? "timed out after " + GoDuration.format(timeout)
                : exit == 0 ? null : "exit status " + exit;
            result.complete(new Result(output, error));
          });
    });
    return result.future();
  }

  /** Kills every command still running (at shutdown). */
  void killAll() {
    running.forEach(CommandExecutor::kill);
  }

  private static final class Started {
    private final Process process;
    private final Path output;
    private volatile boolean timedOut;

    Started(Process process, Path output) {
      this.process = process;
      this.output = output;
    }

    Process process() {
      return process;
    }

    Path output() {
      return output;
    }
  }

  private static Started start(List<String> argv) throws IOException {
    Path output = Files.createTempFile("bunting-task-", ".out");
    try {
      Process process = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(output.toFile())
          .redirectInput(Redirect.from(new java.io.File("/dev/null"))).start();
      return new Started(process, output);
    } catch (IOException e) {
      Files.deleteIfExists(output);
      throw new IOException(e.getMessage().replaceFirst("^Cannot run program \"[^\"]*\"(: )?", ""), e);
    }
  }

  /**
   * Kills the command first and then what it had started (listed before, since they are re-parented once it is
   * gone): a shell killed after its children would have time to print "Killed" lines for them into the output.
   */
  private static Void kill(Process process) {
    List<ProcessHandle> started = process.descendants().toList();
    process.destroyForcibly();
    started.forEach(ProcessHandle::destroyForcibly);
    return null;
  }

  private static String readAndDelete(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(MAX_OUTPUT_BYTES);
      boolean more = in.read() >= 0;
      return new String(head, StandardCharsets.UTF_8) + (more ? "\n[output cut at 1 MiB]\n" : "");
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
