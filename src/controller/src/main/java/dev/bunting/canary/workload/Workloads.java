package dev.bunting.canary.workload;

import dev.bunting.api.ObjectReference;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every target kind Bunting runs canaries for, and which one a {@code targetRef} asks for. */
public final class Workloads {
  private final List<Workload> all;

  public Workloads(SelectorLabels selectorLabels, boolean configTracking) {
    this(List.of(
        new DeploymentWorkload(selectorLabels, configTracking),
        new DaemonSetWorkload(selectorLabels, configTracking),
        new StatefulSetWorkload(selectorLabels, configTracking),
        new KnativeWorkload(),
        new ServiceWorkload()));
  }

  public Workloads(List<Workload> workloads) {
    this.all = List.copyOf(workloads);
  }

  /** The workload a {@code targetRef} names; empty for kinds Bunting does not run. */
  public Optional<Workload> forTarget(ObjectReference targetRef) {
    return all.stream().filter(w -> w.handles(targetRef)).findFirst();
  }

  /** The message for a {@code targetRef} no workload handles. */
  public static String unsupportedMessage(ObjectReference targetRef) {
    return "targetRef " + (targetRef.apiVersion == null ? "" : targetRef.apiVersion + "/") + targetRef.kind
        + " is not supported (supported: apps/v1 Deployment, DaemonSet and StatefulSet, v1 Service,"
        + " serving.knative.dev/v1 Service)";
  }

  /** Every other project's kind some workload or autoscaler reads, once. */
  public List<ResourceDefinitionContext> kinds() {
    Map<String, ResourceDefinitionContext> kinds = new LinkedHashMap<>();
    all.forEach(w -> w.kinds().forEach(k -> kinds.putIfAbsent(k.getGroup() + "/" + k.getVersion() + "/"
        + k.getPlural(), k)));
    kinds.putIfAbsent("keda", ScaledObjectAutoscaler.SCALED_OBJECTS);
    return List.copyOf(kinds.values());
  }
}
