package dev.bunting.canary;

import dev.bunting.canary.router.ServiceBuilder;
import dev.bunting.canary.router.TrafficRouter;
import dev.bunting.canary.workload.ConfigTracker;
import dev.bunting.canary.workload.TargetObservation;
import dev.bunting.canary.workload.Workload;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/**
 * A {@link CanarySnapshot} together with what it was read from, which the plan's effects need: the target kind's
 * {@link Workload} and what it observed, the router, and the autoscaler ({@code autoscalerRef}: a
 * HorizontalPodAutoscaler or a KEDA ScaledObject). Fields other than {@code snapshot} are null when the snapshot has
 * problems that stopped the observation early.
 */
public record Observation(
    CanarySnapshot snapshot,
    Workload workload,
    TargetObservation observed,
    TrafficRouter router,
    HasMetadata autoscaler) {

  /** The target object (the canary), or null. */
  public HasMetadata target() {
    return observed == null ? null : observed.target();
  }

  /** The primary object, or null. */
  public HasMetadata primary() {
    return observed == null ? null : observed.primary();
  }

  /** The target's selector label, for the generated Services; null for targets without pods of their own. */
  public ServiceBuilder.Selector selector() {
    return observed == null || observed.selectorLabel() == null ? null
        : new ServiceBuilder.Selector(observed.selectorLabel(), observed.selectorValue());
  }

  public List<ConfigTracker.ConfigRef> trackedConfigs() {
    return observed == null ? List.of() : observed.trackedConfigs();
  }
}
