package dev.bunting.playground;

import dev.bunting.api.CanaryPhase;
import java.time.Duration;
import java.util.List;

/**
 * What happened to one release of a scenario, as a user could check it in the cluster.
 *
 * @param tag the image tag committed
 * @param commit the commit's abbreviated id
 * @param expectPromoted what a working Bunting does with it
 * @param phase the Canary's phase at the end ({@code Succeeded}, {@code Failed}, or where it was stuck)
 * @param duration from the commit to the end
 * @param weights the canary weights the HTTPRoute had, in order, without repeats
 * @param primaryImage the image the primary Deployment runs at the end
 * @param decision the Event that carried the deciding Prometheus readings: the last "Advance" of a promoted release,
 *     the last "Halt" of a rolled-back one
 * @param problem why the release did not finish (timeout), or empty
 * @param revert the revert commit the GitSync pushed after a rollback ({@code abc1234 "Revert ..."}), or empty
 */
public record ReleaseOutcome(String tag, String commit, boolean expectPromoted, CanaryPhase phase, Duration duration,
    List<Integer> weights, String primaryImage, String decision, String problem, String revert) {

  /** A release made by a commit of the playground (no revert commit). */
  public ReleaseOutcome(String tag, String commit, boolean expectPromoted, CanaryPhase phase, Duration duration,
      List<Integer> weights, String primaryImage, String decision, String problem) {
    this(tag, commit, expectPromoted, phase, duration, weights, primaryImage, decision, problem, "");
  }

  public boolean promoted() {
    return phase == CanaryPhase.SUCCEEDED;
  }

  public boolean rolledBack() {
    return phase == CanaryPhase.FAILED;
  }

  /** Whether it ended as expected. */
  public boolean asExpected() {
    return problem.isEmpty() && (expectPromoted ? promoted() : rolledBack());
  }

  /** "promoted", "rolled back" or what it was stuck in. */
  public String result() {
    if (promoted()) {
      return "promoted";
    }
    if (rolledBack()) {
      return "rolled back";
    }
    return "stuck in " + phase;
  }
}
