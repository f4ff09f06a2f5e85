package dev.bunting.canary.workload;

import dev.bunting.api.Canary;
import dev.bunting.api.ObjectReference;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Instant;
import java.util.List;

/**
 * One kind of canary target, the counterpart of Flagger's {@code canary.Controller}: how to find the target and its
 * primary in the caches, judge their readiness, fingerprint a revision, create the primary, promote, and scale the
 * canary. Implementations are pure: they read the caches they are given and return {@link WorkloadWrite}s that the
 * reconciler carries out. One instance serves every canary of its kind.
 *
 * <p>Kinds: {@link DeploymentWorkload}, {@link DaemonSetWorkload}, {@link StatefulSetWorkload} (pod workloads, with a
 * {@code <target>-primary} clone and the three generated Services), {@link KnativeWorkload} (a Knative Service whose
 * primary is a revision) and {@link ServiceWorkload} (a plain Service copied to {@code <target>-primary}).
 */
public interface Workload {

  /** The kind named in messages, e.g. {@code DaemonSet}. */
  String kind();

  /** Whether a {@code targetRef} asks for this workload (its kind and, where it matters, its apiVersion). */
  boolean handles(ObjectReference targetRef);

  /** Other projects' kinds this workload reads (watched when the API server serves them). */
  default List<ResourceDefinitionContext> kinds() {
    return List.of();
  }

  /** Whether Bunting generates the {@code <svc>}, {@code <svc>-primary} and {@code <svc>-canary} Services for it. */
  default boolean generatesServices() {
    return true;
  }

  /**
   * For a kind without generated Services: what keeps its own routing objects current on every reconcile (e.g. a
   * plain Service target's {@code <target>-canary} mirror); nothing by default.
   */
  default List<WorkloadWrite> ownServices(Canary canary, TargetObservation observed) {
    return List.of();
  }

  /** Whether an {@code autoscalerRef} can scale this kind (false for DaemonSets and Knative Services). */
  default boolean scalable() {
    return true;
  }

  /** Reads the target and its primary for {@code canary} from the caches. */
  TargetObservation observe(Canary canary, WorkloadObjects objects, Instant now);

  /** What creates the primary when it does not exist yet (nothing when it does: an existing primary is never changed). */
  List<WorkloadWrite> ensurePrimary(Canary canary, TargetObservation observed, String flaggerId);

  /**
   * What copies the target onto the primary. With {@code keepPrimaryReplicas}, the primary keeps the size it has (an
   * autoscaler owns it).
   */
  List<WorkloadWrite> promote(Canary canary, TargetObservation observed, String flaggerId, boolean keepPrimaryReplicas);

  /** What scales the target (the canary) to {@code replicas}; nothing when it is already there. */
  List<WorkloadWrite> scale(Canary canary, TargetObservation observed, int replicas);

  /**
   * What gives a target without generated Services back to its owner when the Canary is deleted with
   * {@code revertOnDeletion} (e.g. the Knative primary-revision annotation removed); nothing by default.
   */
  default List<WorkloadWrite> revert(Canary canary, TargetObservation observed) {
    return List.of();
  }
}
