package dev.bunting.api;

/** {@code Canary.spec}, a superset of Flagger 1.44's. */
public class CanarySpec extends ApiObject {
  public static final int DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

  public String provider;
  public String metricsServer;
  public ObjectReference targetRef;
  public AutoscalerReference autoscalerRef;
  public ObjectReference ingressRef;
  public ObjectReference routeRef;
  public UpstreamReference upstreamRef;
  public CanaryService service;
  public CanaryAnalysis analysis;
  /** Deprecated alias of {@link #analysis}, read only when {@code analysis} is absent. */
  public CanaryAnalysis canaryAnalysis;
  public Integer progressDeadlineSeconds;
  public Boolean skipAnalysis;
  public Boolean revertOnDeletion;
  public Boolean suspend;

  /** {@code analysis}, else the deprecated {@code canaryAnalysis}, else an empty analysis (all defaults). */
  public CanaryAnalysis effectiveAnalysis() {
    if (analysis != null) {
      return analysis;
    }
    return canaryAnalysis != null ? canaryAnalysis : new CanaryAnalysis();
  }

  public int progressDeadlineSecondsOrDefault() {
    return progressDeadlineSeconds == null ? DEFAULT_PROGRESS_DEADLINE_SECONDS : progressDeadlineSeconds;
  }

  /** Flagger skips the analysis when asked to, or when there is no analysis at all. */
  public boolean analysisSkipped() {
    return Boolean.TRUE.equals(skipAnalysis) || (analysis == null && canaryAnalysis == null);
  }

  public boolean suspended() {
    return Boolean.TRUE.equals(suspend);
  }

  public boolean revertsOnDeletion() {
    return Boolean.TRUE.equals(revertOnDeletion);
  }

  /** The apex Service name: {@code service.name}, else the target's name. */
  public String serviceName() {
    if (service != null && service.name != null && !service.name.isEmpty()) {
      return service.name;
    }
    return targetRef == null ? null : targetRef.name;
  }
}
