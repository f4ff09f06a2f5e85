package dev.bunting.canary;

import dev.bunting.canary.router.ServiceBuilder;
import dev.bunting.canary.router.TrafficRouter;
import dev.bunting.canary.workload.ConfigTracker;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.util.List;

/**
 * A {@link CanarySnapshot} together with the cached objects it was read from, which the plan's effects need. Fields
 * other than {@code snapshot} are null when the snapshot has problems that stopped the observation early.
 */
public record Observation(
    CanarySnapshot snapshot,
    Deployment target,
    Deployment primary,
    ServiceBuilder.Selector selector,
    TrafficRouter router,
    List<ConfigTracker.ConfigRef> trackedConfigs,
    HorizontalPodAutoscaler autoscaler) {}
