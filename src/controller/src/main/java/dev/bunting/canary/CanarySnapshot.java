package dev.bunting.canary;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryGitRevision;
import dev.bunting.canary.router.RouterState;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything the decider needs to know about one canary at one moment, read from the informer caches. Immutable by
 * convention: the decider never changes it.
 *
 * @param tickDue the analysis interval has elapsed since the last analysis step (steps happen only on due ticks)
 * @param revision the target's current revision fingerprint ({@link Revision}); null when the target is missing
 * @param workload null when the target is missing (then {@code problems} says so)
 * @param shiftsWeights the provider moves traffic by weight (false for {@code kubernetes})
 * @param rolloutSlotFree fewer canaries than {@code --max-progressing-canaries} are in flight (always true without a limit)
 * @param trackedConfigs checksums of the ConfigMaps and Secrets the target uses ({@code status.trackedConfigs})
 * @param mirrors the provider mirrors requests to the canary when asked (canary releases with {@code analysis.mirror}
 *     take a mirrored step first only then)
 * @param cookieValues random values for new sticky-session cookies ({@code analysis.sessionAffinity})
 * @param gitRevision the Git commit that last changed the target, when a GitSync applied it (from the target's
 *     annotations); null otherwise
 */
public record CanarySnapshot(Canary canary, Instant now, boolean tickDue, String provider, boolean shiftsWeights,
    List<Problem> problems, WorkloadView workload, RouterState router, String revision,
    Map<String, String> trackedConfigs, boolean rolloutSlotFree, boolean mirrors, SessionCookieValues cookieValues,
    CanaryGitRevision gitRevision) {

  /** A snapshot of a target no GitSync applied. */
  public CanarySnapshot(Canary canary, Instant now, boolean tickDue, String provider, boolean shiftsWeights,
      List<Problem> problems, WorkloadView workload, RouterState router, String revision,
      Map<String, String> trackedConfigs, boolean rolloutSlotFree, boolean mirrors, SessionCookieValues cookieValues) {
    this(canary, now, tickDue, provider, shiftsWeights, problems, workload, router, revision, trackedConfigs,
        rolloutSlotFree, mirrors, cookieValues, null);
  }

  /** A snapshot of a provider that does not mirror, without cookie values. */
  public CanarySnapshot(Canary canary, Instant now, boolean tickDue, String provider, boolean shiftsWeights,
      List<Problem> problems, WorkloadView workload, RouterState router, String revision,
      Map<String, String> trackedConfigs, boolean rolloutSlotFree) {
    this(canary, now, tickDue, provider, shiftsWeights, problems, workload, router, revision, trackedConfigs,
        rolloutSlotFree, false, SessionCookieValues.NONE);
  }

  public String name() {
    return canary.getMetadata().getName();
  }

  public String namespace() {
    return canary.getMetadata().getNamespace();
  }

  /** {@code name.namespace}, as Flagger writes it in messages. */
  public String id() {
    return name() + "." + namespace();
  }

  public String targetName() {
    return canary.getSpec().targetRef.name;
  }

  public String targetKind() {
    String k = canary.getSpec().targetRef.kind;
    return k == null || k.isEmpty() ? "Deployment" : k;
  }
}
