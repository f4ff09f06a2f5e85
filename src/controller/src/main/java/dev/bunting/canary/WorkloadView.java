package dev.bunting.canary;

import dev.bunting.canary.workload.Readiness;

/**
 * The target (canary) and primary workloads as the caches show them. {@code primaryMatchesTarget}: the primary runs
 * exactly the target's pod template (used to adopt canaries that Flagger ran).
 */
public record WorkloadView(int targetReplicas, Readiness canary, boolean primaryExists, int primaryReplicas,
    Readiness primary, boolean primaryMatchesTarget) {}
