package dev.bunting.api;

import java.util.List;
import java.util.Map;

/**
 * {@code Canary.status}: Flagger's fields, plus Bunting's {@code observedGeneration} and kstatus conditions. The status is
 * the engine's only memory: a restarted controller continues from it.
 */
public class CanaryStatus extends ApiObject {
  public CanaryPhase phase;
  public Integer failedChecks;
  public Integer canaryWeight;
  public Integer iterations;
  public Map<String, String> trackedConfigs;
  public String lastAppliedSpec;
  public String lastPromotedSpec;
  public String lastTransitionTime;
  public List<Condition> conditions;
  public String sessionAffinityCookie;
  public String primarySessionAffinityCookie;
  public String previousSessionAffinityCookie;
  public Long observedGeneration;
  /** The Git commit behind the revision under analysis, when a GitSync applied it (Bunting addition). */
  public CanaryGitRevision gitRevision;

  public CanaryPhase phaseOrNew() {
    return phase == null ? CanaryPhase.NEW : phase;
  }

  public int failedChecksOrZero() {
    return failedChecks == null ? 0 : failedChecks;
  }

  public int canaryWeightOrZero() {
    return canaryWeight == null ? 0 : canaryWeight;
  }

  public int iterationsOrZero() {
    return iterations == null ? 0 : iterations;
  }
}
