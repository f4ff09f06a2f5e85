package dev.bunting.canary.workload;

import dev.bunting.api.Canary;
import dev.bunting.api.ObjectReference;
import dev.bunting.canary.workload.TargetObservation.Issue;
import dev.bunting.kube.KnativeServing;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Knative Service targets ({@code serving.knative.dev/v1} Service with {@code provider: knative}), as Flagger's
 * {@code knative_controller.go}: there is no primary object and no generated Service. The primary is a revision, named
 * by the Service's {@value KnativeServing#PRIMARY_REVISION} annotation; the canary is the latest created revision; the
 * {@code knative} router splits {@code spec.traffic} between the two.
 *
 * <ul>
 *   <li>A new revision is a new {@code status.latestCreatedRevisionName} (Knative makes one per template change).</li>
 *   <li>Initialisation writes the annotation (the latest created revision); promotion moves it to the analysed
 *       revision, which is by then the latest ready one. The annotation is written by its own field manager
 *       ({@code bunting/knative-primary-revision}), so the router's {@code spec.traffic} writes never touch it.</li>
 *   <li>Ready: the Revision's {@code Ready} condition is {@code True}. Flagger waits for a revision forever; Bunting
 *       gives up {@code progressDeadlineSeconds} after the Canary's last status change, like DaemonSets.</li>
 *   <li>Knative scales revisions itself: scaling is a no-op, {@code autoscalerRef} is refused.</li>
 *   <li>On deletion with {@code revertOnDeletion}, the annotation is removed (as Flagger does).</li>
 * </ul>
 */
public final class KnativeWorkload implements Workload {
  static final String ANNOTATION_MANAGER = "knative-primary-revision";

  @Override
  public String kind() {
    return "Knative Service";
  }

  @Override
  public boolean handles(ObjectReference targetRef) {
    return KnativeServing.isService(targetRef.apiVersion, targetRef.kind);
  }

  @Override
  public List<ResourceDefinitionContext> kinds() {
    return List.of(KnativeServing.SERVICES, KnativeServing.REVISIONS);
  }

  @Override
  public boolean generatesServices() {
    return false;
  }

  @Override
  public boolean scalable() {
    return false;
  }

  @Override
  public TargetObservation observe(Canary canary, WorkloadObjects objects, Instant now) {
    String ns = canary.getMetadata().getNamespace();
    String name = canary.getSpec().targetRef.name;
    for (ResourceDefinitionContext kind : kinds()) {
      if (!objects.installed(kind)) {
        return TargetObservation.held(null, null, List.of(Issue.unsupported(kind.getKind() + " (" + kind.getGroup()
            + "/" + kind.getVersion() + ") is not installed in the cluster; a Knative Service target needs it")));
      }
    }
    GenericKubernetesResource service = objects.get(KnativeServing.SERVICES, ns, name).orElse(null);
    if (service == null) {
      return TargetObservation.held(null, null, List.of(Issue.notFound("Knative Service " + ns + "/" + name
          + " not found")));
    }
    Optional<String> latest = KnativeServing.latestCreatedRevision(service);
    if (latest.isEmpty()) {
      return TargetObservation.held(service, null, List.of(Issue.notFound("Knative Service " + ns + "/" + name
          + " has no revision yet (status.latestCreatedRevisionName is empty)")));
    }
    Optional<String> primary = KnativeServing.primaryRevision(service);
    Readiness canaryReady = revisionReadiness(objects, ns, latest.get(), canary, now);
    Readiness primaryReady = primary.isEmpty() ? Readiness.waiting("Knative Service " + ns + "/" + name
        + " primary revision annotation not found") : revisionReadiness(objects, ns, primary.get(), canary, now);
    return new TargetObservation(service, null, List.of(), null, null, null, List.of(), Map.of(), "knativeRevision",
        latest.get(), 1, canaryReady, primary.isPresent(), 1, primaryReady, primary.orElse(null));
  }

  private static Readiness revisionReadiness(WorkloadObjects objects, String ns, String revision, Canary canary,
      Instant now) {
    Optional<GenericKubernetesResource> r = objects.get(KnativeServing.REVISIONS, ns, revision);
    if (r.isPresent() && "True".equals(KnativeServing.readyStatus(r.get()))) {
      return Readiness.READY;
    }
    String message = r.isEmpty() ? "Knative Revision " + revision + "." + ns + " not found"
        : "Knative Revision " + revision + "." + ns + " is not ready"
            + (KnativeServing.readyMessage(r.get()).isEmpty() ? "" : ": " + KnativeServing.readyMessage(r.get()));
    if (PodWorkload.pastCanaryDeadline(canary, now)) {
      return Readiness.failed(message + " after progressDeadlineSeconds "
          + canary.getSpec().progressDeadlineSecondsOrDefault());
    }
    return Readiness.waiting(message);
  }

  /** The annotation set to the latest created revision, unless the Service has one already. */
  @Override
  public List<WorkloadWrite> ensurePrimary(Canary canary, TargetObservation observed, String flaggerId) {
    if (observed.primaryExists()) {
      return List.of();
    }
    return List.of(annotation(observed, (String) observed.revisionSource()));
  }

  /** The annotation moved to the analysed revision (the latest created one, ready by now). */
  @Override
  public List<WorkloadWrite> promote(Canary canary, TargetObservation observed, String flaggerId,
      boolean keepPrimaryReplicas) {
    return List.of(annotation(observed, (String) observed.revisionSource()));
  }

  @Override
  public List<WorkloadWrite> scale(Canary canary, TargetObservation observed, int replicas) {
    return List.of();
  }

  @Override
  public List<WorkloadWrite> revert(Canary canary, TargetObservation observed) {
    if (!observed.primaryExists()) {
      return List.of();
    }
    return List.of(new WorkloadWrite.MergePatch(observed.target(),
        "{\"metadata\":{\"annotations\":{\"" + KnativeServing.PRIMARY_REVISION + "\":null}}}"));
  }

  private static WorkloadWrite annotation(TargetObservation observed, String revision) {
    GenericKubernetesResource partial = new GenericKubernetesResource();
    partial.setApiVersion(KnativeServing.API_VERSION);
    partial.setKind("Service");
    ObjectMeta meta = PodWorkload.nameOf(observed.target());
    meta.setAnnotations(Map.of(KnativeServing.PRIMARY_REVISION, revision));
    partial.setMetadata(meta);
    return new WorkloadWrite.Apply(partial, ANNOTATION_MANAGER, true);
  }
}
