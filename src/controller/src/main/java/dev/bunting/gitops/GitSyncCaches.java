package dev.bunting.gitops;

import dev.bunting.api.Canary;
import dev.bunting.api.GitSync;
import dev.bunting.kube.ResourceCache;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;

/**
 * The informer caches the GitSync engine reads, from the controller's shared {@code kube.Informers}: GitSyncs, and the
 * Canaries and HPAs whose workloads' {@code spec.replicas} GitSync never applies ({@code canaries} may be null when
 * the canary engine is not running).
 */
public record GitSyncCaches(ResourceCache<GitSync> gitSyncs, ResourceCache<Canary> canaries,
    ResourceCache<HorizontalPodAutoscaler> autoscalers) {}
