package dev.bunting.cli;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryActionStatus;
import dev.bunting.api.GoDuration;
import dev.bunting.canary.ActionAnnotation;
import dev.bunting.canary.ActionRequest.Action;
import dev.bunting.canary.ActionRequest;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bunting promote|abort|retry|pause|resume NAME}: writes the request into the Canary's
 * {@code bunting.dev/action} annotation ({@link ActionAnnotation}, shared with the web UI), and waits until the controller reports what it did in
 * {@code status.lastAction}. The controller acts on the request once.
 */
public abstract class ActionCommand implements Callable<Integer> {
  static final String EXIT_CODES_HEADING = "Exit codes:%n";
  static final String DONE = "0:the controller carried the action out (or, with --no-wait, the request is written)";
  static final String NOT_DONE = "1:rejected, invalid, superseded, not answered within --timeout, or the Canary "
      + "could not be read or written";

  @Mixin
  KubeconfigOptions cluster = new KubeconfigOptions();

  @Parameters(paramLabel = "NAME", description = "The Canary.")
  String name;

  @Option(names = "--no-wait", description = "Return once the request is written, without waiting for the "
      + "controller's answer.")
  boolean noWait;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s",
      description = "How long to wait for the controller's answer, e.g. 30s, 2m (default: ${DEFAULT-VALUE}).")
  String timeout;

  @Spec
  CommandSpec spec;

  private final Clock clock = Clock.systemUTC();

  abstract Action action();

  boolean force() {
    return false;
  }

  @Override
  public Integer call() throws Exception {
    Duration wait = GoDuration.parse(timeout).orElseThrow(() -> new ParameterException(spec.commandLine(),
        "Invalid value for option '--timeout': '" + timeout + "' is not a duration such as 30s or 2m"));
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    return cluster.withClient(err, (client, namespace) -> {
      String canary = namespace + "/" + name;
      if (client.resources(Canary.class).inNamespace(namespace).withName(name).get() == null) {
        err.println("Canary " + canary + " not found");
        return 1;
      }
      String value = ActionAnnotation.write(client, namespace, name, action(), force(), clock.instant());
      out.println("Requested " + describe() + " of Canary " + canary + " (" + ActionRequest.ANNOTATION + "=" + value
          + ").");
      out.flush();
      return noWait ? 0 : awaitAnswer(client, namespace, value, wait, out, err);
    });
  }

  private String describe() {
    return action().wire() + (force() ? " --force" : "");
  }

  /** Polls the Canary until {@code status.lastAction} records {@code value}, another request replaces it, or time is up. */
  private int awaitAnswer(KubernetesClient client, String namespace, String value, Duration wait, PrintWriter out,
      PrintWriter err) throws InterruptedException {
    Instant end = clock.instant().plus(wait);
    String canary = namespace + "/" + name;
    while (true) {
      Canary c = client.resources(Canary.class).inNamespace(namespace).withName(name).get();
      if (c == null) {
        err.println("Canary " + canary + " was deleted");
        return 1;
      }
      CanaryActionStatus last = c.getStatus() == null ? null : c.getStatus().lastAction;
      if (last != null && value.equals(last.request)) {
        boolean accepted = last.accepted();
        (accepted ? out : err).println(capitalized(describe()) + (accepted ? " done: " : " ") + last.outcome());
        return accepted ? 0 : 1;
      }
      String now = c.getMetadata().getAnnotations() == null ? null
          : c.getMetadata().getAnnotations().get(ActionRequest.ANNOTATION);
      if (!value.equals(now)) {
        err.println("The request was replaced by " + ActionRequest.ANNOTATION + "=" + now
            + " before the controller handled it; it will not be carried out.");
        return 1;
      }
      if (!clock.instant().isBefore(end)) {
        err.println("No answer from the controller within " + timeout + ". The request stays on the Canary and is "
            + "handled when the controller sees it; check with: bunting status " + name + " -n " + namespace);
        return 1;
      }
      Thread.sleep(250);
    }
  }

  private static String capitalized(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  @Command(name = "promote", mixinStandardHelpOptions = true, versionProvider = BuntingVersion.class,
      description = "Skip the rest of the analysis and promote the canary now, after the confirm-promotion hooks "
          + "(--force: without them). Possible while the analysis runs (Progressing, WaitingPromotion) and the "
          + "canary is ready.",
      exitCodeListHeading = EXIT_CODES_HEADING, exitCodeList = {DONE, NOT_DONE})
  public static final class Promote extends ActionCommand {
    @Option(names = "--force", description = "Do not ask the confirm-promotion hooks.")
    boolean force;

    @Override
    Action action() {
      return Action.PROMOTE;
    }

    @Override
    boolean force() {
      return force;
    }
  }

  @Command(name = "abort", mixinStandardHelpOptions = true, versionProvider = BuntingVersion.class,
      description = "Roll back now: all traffic to the primary, the canary scaled to zero, phase Failed, post-rollout "
          + "hooks. During a promotion that has not rolled out, the promotion stops and traffic stays on the canary "
          + "(the primary is not reverted; the status says so).",
      exitCodeListHeading = EXIT_CODES_HEADING, exitCodeList = {DONE, NOT_DONE})
  public static final class Abort extends ActionCommand {
    @Override
    Action action() {
      return Action.ABORT;
    }
  }

  @Command(name = "retry", mixinStandardHelpOptions = true, versionProvider = BuntingVersion.class,
      description = "Run the analysis of a Failed canary's revision again, without changing its pod template.",
      exitCodeListHeading = EXIT_CODES_HEADING, exitCodeList = {DONE, NOT_DONE})
  public static final class Retry extends ActionCommand {
    @Override
    Action action() {
      return Action.RETRY;
    }
  }

  @Command(name = "pause", mixinStandardHelpOptions = true, versionProvider = BuntingVersion.class,
      description = "Freeze the canary where it is: weights kept, no analysis steps, new revisions wait "
          + "(spec.suspend without editing the spec). Shown as the Paused condition.",
      exitCodeListHeading = EXIT_CODES_HEADING, exitCodeList = {DONE, NOT_DONE})
  public static final class Pause extends ActionCommand {
    @Override
    Action action() {
      return Action.PAUSE;
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true, versionProvider = BuntingVersion.class,
      description = "Continue a paused canary.",
      exitCodeListHeading = EXIT_CODES_HEADING, exitCodeList = {DONE, NOT_DONE})
  public static final class Resume extends ActionCommand {
    @Override
    Action action() {
      return Action.RESUME;
    }
  }
}
