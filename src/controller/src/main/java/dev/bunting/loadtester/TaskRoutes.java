package dev.bunting.loadtester;

import dev.bunting.api.GoDuration;
import dev.bunting.hooks.RedactedUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * flagger-loadtester's task endpoint, {@code POST /} with a canary webhook payload whose {@code metadata.type} says what
 * to do (default {@code cmd}):
 * <table>
 *   <caption>Task types</caption>
 *   <tr><td>{@code cmd}</td><td>{@code sh -c <cmd>}, asynchronous: {@code 202} at once; not started again while the
 *       same command of the same canary runs</td></tr>
 *   <tr><td>{@code bash}</td><td>{@code bash -c <cmd>}, blocking: {@code 200} when it exits 0, else {@code 500} with
 *       {@code command <cmd> failed: <output>: exit status N}</td></tr>
 *   <tr><td>{@code kubectl}, {@code helm}, {@code helmv3}</td><td>{@code kubectl}/{@code helm} with {@code cmd} split
 *       on spaces, blocking as {@code bash}</td></tr>
 *   <tr><td>{@code load}</td><td>Bunting's built-in load generator ({@link LoadSpec}); asynchronous and deduplicated
 *       like {@code cmd}, {@code 202} with a JSON report; with {@code wait: "true"} blocking, {@code 200} with the
 *       final report, or {@code 500} when {@code maxErrorPercentage} is exceeded</td></tr>
 * </table>
 * The answers and their order are Flagger's: a body that is not a payload {@code 400}; a namespace that
 * {@code --namespace-regexp} does not match {@code 403}; no metadata {@code 400 metadata not found in payload}; an
 * unknown type {@code 400 unknown task type <type>}. Shell tasks ({@code cmd}, {@code bash}, {@code kubectl},
 * {@code helm}) run only when the load tester was started with {@code --enable-shell-tasks}; otherwise {@code 403}.
 * {@code returnCmdOutput: "true"} puts a blocking command's output in the answer; {@code logCmdOutput: "true"} logs
 * it. Commands are killed after {@code --timeout}.
 */
public final class TaskRoutes {
  /** Task types that run programs. */
  public static final Set<String> SHELL_TYPES = Set.of("cmd", "bash", "kubectl", "helm", "helmv3");
  static final String SHELL_DISABLED = "shell tasks are disabled: start the load tester with --enable-shell-tasks "
      + "(ENABLE_SHELL_TASKS=true) to run cmd, bash, kubectl and helm tasks";
  private static final long BODY_LIMIT = 1024 * 1024;
  private static final int FINISHED_LOADS_KEPT = 256;
  private static final Logger LOG = LoggerFactory.getLogger(TaskRoutes.class);

  private final Vertx vertx;
  private final TaskRunner runner;
  private final CommandExecutor commands;
  private final LoadTesterMetrics metrics;
  private final NamespaceAuthorizer authorizer;
  private final boolean shellEnabled;
  private final Map<String, LoadReport> finishedLoads = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, LoadReport> eldest) {
      return size() > FINISHED_LOADS_KEPT;
    }
  };

  TaskRoutes(Vertx vertx, TaskRunner runner, CommandExecutor commands, LoadTesterMetrics metrics,
      NamespaceAuthorizer authorizer, boolean shellEnabled) {
    this.vertx = vertx;
    this.runner = runner;
    this.commands = commands;
    this.metrics = metrics;
    this.authorizer = authorizer;
    this.shellEnabled = shellEnabled;
  }

  Router mount(Router router) {
    router.route("/").handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT)).handler(this::handle);
    return router;
  }

  private void handle(RoutingContext ctx) {
    TaskPayload payload;
    try {
      payload = TaskPayload.decode(ctx.body().buffer());
    } catch (IllegalArgumentException e) {
      answer(ctx, 400, e.getMessage());
      return;
    }
    if (!authorizer.authorizes(payload.namespace())) {
      answer(ctx, 403, "Forbidden");
      return;
    }
    Map<String, String> metadata = payload.metadata();
    if (metadata.isEmpty()) {
      answer(ctx, 400, "metadata not found in payload");
      return;
    }
    String type = metadata.getOrDefault("type", "cmd");
    if (SHELL_TYPES.contains(type)) {
      if (!shellEnabled) {
        LOG.warn("canary {}: {} task refused: shell tasks are disabled", payload.canary(), type);
        answer(ctx, 403, SHELL_DISABLED);
        return;
      }
      String cmd = metadata.get("cmd");
      if (cmd == null) {
        answer(ctx, 400, "cmd not found in metadata");
        return;
      }
      switch (type) {
        case "cmd" -> asyncCommand(ctx, payload, cmd);
        case "bash" -> blockingCommand(ctx, payload, type, cmd, List.of("bash", "-c", cmd));
        default -> blockingCommand(ctx, payload, type, cmd, argv(type.startsWith("helm") ? "helm" : type, cmd));
      }
      return;
    }
    switch (type) {
      case "load" -> load(ctx, payload);
      case "concord", "ngrinder" -> answer(ctx, 400, "task type " + type + " is not supported by Bunting's load "
          + "tester; use flagger-loadtester for it");
      default -> answer(ctx, 400, "unknown task type " + type);
    }
  }

  private static List<String> argv(String program, String args) {
    List<String> argv = new ArrayList<>();
    argv.add(program);
    Arrays.stream(args.trim().split("\\s+")).filter(s -> !s.isEmpty()).forEach(argv::add);
    return argv;
  }

  private void asyncCommand(RoutingContext ctx, TaskPayload payload, String cmd) {
    boolean log = flag(payload.metadata(), "logCmdOutput");
    runner.submit("cmd\0" + payload.canary() + "\0" + cmd, "cmd", payload.canary(), () -> {
      LOG.info("canary {}: task starting {}", payload.canary(), cmd);
      Future<CommandExecutor.Result> result = commands.run(List.of("sh", "-c", cmd))
          .onSuccess(r -> report(payload, cmd, r, log));
      return new TaskRunner.Task() {
        @Override
        public Future<Boolean> done() {
          return result.map(CommandExecutor.Result::ok);
        }

        @Override
        public void cancel() {
          // commands are killed by CommandExecutor.killAll at shutdown
        }
      };
    });
    answer(ctx, 202, "");
  }

  private void blockingCommand(RoutingContext ctx, TaskPayload payload, String type, String cmd, List<String> argv) {
    boolean log = flag(payload.metadata(), "logCmdOutput");
    boolean returnOutput = flag(payload.metadata(), "returnCmdOutput");
    LOG.info("canary {}: {} command {}", payload.canary(), type, cmd);
    metrics.taskStarted(type);
    commands.run(argv).onSuccess(r -> {
      metrics.taskFinished(type, r.ok());
      report(payload, cmd, r, log);
      if (!r.ok()) {
        answer(ctx, 500, "command " + cmd + " failed: " + r.output() + ": " + r.error());
      } else {
        answer(ctx, 200, returnOutput ? r.output() : "");
      }
    });
  }

  private static void report(TaskPayload payload, String cmd, CommandExecutor.Result r, boolean logOutput) {
    if (logOutput) {
      LOG.info("canary {}: output of {}:\n{}", payload.canary(), cmd, r.output());
    }
    if (r.ok()) {
      LOG.info("canary {}: command finished {}", payload.canary(), cmd);
    } else {
      LOG.warn("canary {}: command failed {}: {}", payload.canary(), cmd, r.error());
    }
  }

  private void load(RoutingContext ctx, TaskPayload payload) {
    Map<String, String> metadata = payload.metadata();
    LoadSpec spec;
    boolean wait = flag(metadata, "wait");
    double maxErrorPercentage;
    try {
      spec = LoadSpec.fromMetadata(metadata, commands.timeout());
      maxErrorPercentage = maxErrorPercentage(metadata, wait);
    } catch (IllegalArgumentException e) {
      answer(ctx, 400, e.getMessage());
      return;
    }
    String key = "load\0" + payload.canary() + "\0" + spec.canonical();
    TaskRunner.Submission<LoadTask> submission = runner.submit(key, "load", payload.canary(), () -> {
      LOG.info("canary {}: load starting: {} {} at {}/s for {}, at most {} in flight", payload.canary(),
          spec.method(), RedactedUrl.of(spec.url().toString()), spec.rate(), GoDuration.format(spec.duration()),
          spec.concurrency());
      LoadTask task = new LoadTask(new LoadRun(vertx, spec, metrics.observer(payload.name(), payload.namespace())));
      task.run.done().onSuccess(r -> {
        LOG.info("canary {}: load {}: {}", payload.canary(), r.state(), r.toJson().encode());
        synchronized (finishedLoads) {
          finishedLoads.put(key, r);
        }
      });
      return task;
    });
    LoadRun run = submission.task().run;
    if (!wait) {
      JsonObject body = new JsonObject().put("canary", payload.canary())
          .put("load", submission.started() ? "started" : "already running").put("run", run.report().toJson());
      LoadReport previous;
      synchronized (finishedLoads) {
        previous = finishedLoads.get(key);
      }
      if (previous != null) {
        body.put("previous", previous.toJson());
      }
      json(ctx, 202, body);
      return;
    }
    run.done().onSuccess(r -> {
      JsonObject body = new JsonObject();
      boolean failed = r.errorPercentage() > maxErrorPercentage;
      if (failed) {
        body.put("message", String.format(Locale.ROOT, "error percentage %.2f%% is above maxErrorPercentage %s%%",
            r.errorPercentage(), metadata.get("maxErrorPercentage")));
      }
      json(ctx, failed ? 500 : 200, body.put("canary", payload.canary()).put("run", r.toJson()));
    });
  }

  private static double maxErrorPercentage(Map<String, String> metadata, boolean wait) {
    String value = metadata.get("maxErrorPercentage");
    if (value == null || value.isBlank()) {
      return 100;
    }
    if (!wait) {
      throw new IllegalArgumentException("maxErrorPercentage needs wait: \"true\" (an asynchronous load cannot fail "
          + "the webhook)");
    }
    try {
      double max = Double.parseDouble(value.trim());
      if (max >= 0 && max <= 100) {
        return max;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("maxErrorPercentage must be a number from 0 to 100, got " + value);
  }

  /** Go's {@code strconv.ParseBool}, as flagger-loadtester reads its flags; anything else is false. */
  static boolean flag(Map<String, String> metadata, String key) {
    return Set.of("1", "t", "T", "TRUE", "true", "True").contains(metadata.getOrDefault(key, ""));
  }

  /** Answers, unless the caller has gone (a webhook that timed out while a blocking task ran). */
  private static void answer(RoutingContext ctx, int status, String body) {
    if (!ctx.response().closed()) {
      ctx.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(body);
    }
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    if (!ctx.response().closed()) {
      ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }
  }

  /** A running {@code load} task. */
  static final class LoadTask implements TaskRunner.Task {
    final LoadRun run;

    LoadTask(LoadRun run) {
      this.run = run;
      run.start();
    }

    @Override
    public Future<Boolean> done() {
      return run.done().map(r -> r.state().equals("completed"));
    }

    @Override
    public void cancel() {
      run.stop();
    }
  }
}
