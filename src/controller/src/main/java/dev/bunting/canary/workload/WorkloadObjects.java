package dev.bunting.canary.workload;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Optional;

/**
 * Read-only access to the informer caches a {@link Workload} reads: the built-in kinds by class
 * ({@code Deployment}, {@code DaemonSet}, {@code StatefulSet}, {@code Service}, {@code ConfigMap}, {@code Secret},
 * {@code HorizontalPodAutoscaler}) and other projects' kinds (Knative, KEDA) by {@link ResourceDefinitionContext}.
 * No API requests.
 */
public interface WorkloadObjects {

  /** A cached object of a built-in kind; empty when absent or the kind is not cached. */
  <T extends HasMetadata> Optional<T> get(Class<T> type, String namespace, String name);

  /** A cached object of another project's kind; empty when absent or the kind is not installed. */
  Optional<GenericKubernetesResource> get(ResourceDefinitionContext kind, String namespace, String name);

  /** Every cached object of another project's kind in a namespace. */
  List<GenericKubernetesResource> list(ResourceDefinitionContext kind, String namespace);

  /** Whether the API server serves the kind (a cache for it runs). */
  boolean installed(ResourceDefinitionContext kind);
}
