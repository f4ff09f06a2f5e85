package dev.bunting.api;

import java.util.List;
import java.util.Map;

/**
 * {@code Canary.status}: Flagger's fields, plus Bunting's {@code observedGeneration}, kstatus conditions and
 * {@code lastAction}. The status is the engine's only memory: a restarted controller continues from it.
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
  /** Bunting: the current release's analysis and what its last tick measured, metric by metric. */
  public AnalysisStatus analysis;

  /** The last {@code bunting.dev/action} request handled (Bunting). */
  public CanaryActionStatus lastAction;
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
