package dev.bunting.canary;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryGitRevision;
import dev.bunting.api.CanaryStatus;
import dev.bunting.api.Condition;
import java.util.Optional;

/**
 * How a Canary is summed up for people, the same in {@code bunting status} and the web UI: the phase with its pause and
 * suspension, failed checks against the threshold, the last decision and the revision.
 */
public final class CanarySummary {
  private CanarySummary() {}

  public static CanaryStatus status(Canary c) {
    return c.getStatus() == null ? new CanaryStatus() : c.getStatus();
  }

  /** The phase, with {@code (paused)} while the Paused condition holds and {@code (suspended)} with spec.suspend. */
  public static String phase(Canary c) {
    String phase = status(c).phaseOrNew().toString();
    if (paused(c)) {
      phase += " (paused)";
    }
    if (c.getSpec() != null && c.getSpec().suspended()) {
      phase += " (suspended)";
    }
    return phase;
  }

  /** Whether the {@code Paused} condition holds. */
  public static boolean paused(Canary c) {
    return condition(c, Condition.PAUSED).filter(Condition::isTrue).isPresent();
  }

  /** The analysis threshold (failed checks that fail the release). */
  public static int threshold(Canary c) {
    return c.getSpec() == null ? 0 : c.getSpec().effectiveAnalysis().thresholdOrDefault();
  }

  /** {@code failedChecks/threshold}. */
  public static String failed(Canary c) {
    return status(c).failedChecksOrZero() + "/" + threshold(c);
  }

  /**
   * What the controller decided last and why, from the conditions: a stalled canary's problem, else what a release
   * in flight waits for ({@code Reconciling}), else the outcome ({@code Ready}).
   */
  public static String lastDecision(Canary c) {
    Optional<Condition> decision = condition(c, Condition.STALLED).filter(Condition::isTrue)
        .or(() -> condition(c, Condition.RECONCILING))
        .or(() -> condition(c, Condition.READY))
        .or(() -> condition(c, Condition.PROMOTED));
    return decision.map(d -> d.reason + (d.message == null || d.message.isEmpty() ? "" : ": " + d.message))
        .orElse("-");
  }

  /** {@code status.gitRevision} when the status has one, else the start of the target's revision fingerprint. */
  public static String revision(Canary c) {
    CanaryGitRevision git = status(c).gitRevision;
    if (git != null && git.revision != null && !git.revision.isEmpty()) {
      return git.shortRevision();
    }
    String applied = status(c).lastAppliedSpec;
    return applied == null || applied.isEmpty() ? "-" : applied.substring(0, Math.min(applied.length(), 15));
  }

  public static Optional<Condition> condition(Canary c, String type) {
    return Condition.find(status(c).conditions, type);
  }
}
