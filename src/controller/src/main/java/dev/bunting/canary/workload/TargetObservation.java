package dev.bunting.canary.workload;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.List;
import java.util.Map;

/**
 * What a {@link Workload} read about one canary's target and primary. When {@code issues} is not empty or
 * {@code target} is null, the other fields may be empty and the canary is held with the issues as its condition.
 *
 * @param target the target (the canary) as cached
 * @param primary the primary object as cached; null when it does not exist, or for targets without one (Knative)
 * @param selectorLabel the pod selector label ({@code app}, ...); null for targets without pods of their own
 * @param selectorValue its value on the target
 * @param podTemplate the target's pod template (port discovery of the generated Services); null without one
 * @param revisionField names what {@code revisionSource} is in the revision fingerprint ({@code template}, ...)
 * @param revisionSource the part of the target that makes a new revision (scale-to-zero markers removed)
 * @param primaryExists the primary exists (for Knative: a primary revision is recorded)
 * @param primaryRevisionSource what the primary runs, in the terms of {@code revisionSource} (null without a
 *     primary): equal to it when the primary runs exactly what the target describes (adopting Flagger's canaries)
 */
public record TargetObservation(
    HasMetadata target,
    HasMetadata primary,
    List<Issue> issues,
    String selectorLabel,
    String selectorValue,
    PodTemplateSpec podTemplate,
    List<ConfigTracker.ConfigRef> trackedConfigs,
    Map<String, String> checksums,
    String revisionField,
    Object revisionSource,
    int targetReplicas,
    Readiness canaryReadiness,
    boolean primaryExists,
    int primaryReplicas,
    Readiness primaryReadiness,
    Object primaryRevisionSource) {

  /** A reason to hold the canary: the reconciler turns it into a {@code Stalled} condition. */
  public record Issue(Kind kind, String message) {
    /** Maps onto the canary engine's problem reasons. */
    public enum Kind { TARGET_NOT_FOUND, INVALID_SPEC, UNSUPPORTED }

    public static Issue notFound(String message) {
      return new Issue(Kind.TARGET_NOT_FOUND, message);
    }

    public static Issue invalid(String message) {
      return new Issue(Kind.INVALID_SPEC, message);
    }

    public static Issue unsupported(String message) {
      return new Issue(Kind.UNSUPPORTED, message);
    }
  }

  /** An observation that stops at {@code issues} ({@code target} may be null). */
  public static TargetObservation held(HasMetadata target, HasMetadata primary, List<Issue> issues) {
    return new TargetObservation(target, primary, List.copyOf(issues), null, null, null, List.of(), Map.of(), null,
        null, 0, null, false, 0, null, null);
  }

  public boolean held() {
    return target == null || !issues.isEmpty();
  }
}
