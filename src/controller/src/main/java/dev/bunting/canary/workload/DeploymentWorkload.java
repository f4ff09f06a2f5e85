package dev.bunting.canary.workload;

import dev.bunting.api.Canary;
import dev.bunting.api.ObjectReference;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.time.Instant;
import java.util.List;

/**
 * Deployment targets: the {@code <target>-primary} Deployment clone, readiness with Flagger's rules, scaling through
 * {@code spec.replicas}. Pure: the reconciler applies what this returns.
 */
public final class DeploymentWorkload extends PodWorkload<Deployment> {
  public static final String KIND = "Deployment";

  public DeploymentWorkload(SelectorLabels selectorLabels, boolean configTracking) {
    super(selectorLabels, configTracking);
  }

  /** With Flagger's default selector labels and config tracking on. */
  public DeploymentWorkload() {
    this(new SelectorLabels(SelectorLabels.DEFAULT), true);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public boolean handles(ObjectReference targetRef) {
    return targetRef.kind == null || targetRef.kind.isEmpty() || KIND.equals(targetRef.kind);
  }

  @Override
  protected Class<Deployment> type() {
    return Deployment.class;
  }

  @Override
  protected PodTemplateSpec template(Deployment d) {
    return d.getSpec() == null ? null : d.getSpec().getTemplate();
  }

  @Override
  protected LabelSelector selector(Deployment d) {
    return d.getSpec() == null ? null : d.getSpec().getSelector();
  }

  @Override
  public int replicas(Deployment d) {
    return d.getSpec() == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
  }

  /** The primary: template, replicas and rollout settings ({@code progressDeadlineSeconds}, strategy, ...) copied. */
  @Override
  protected Deployment primaryObject(Canary canary, Deployment target, Deployment existing, ObjectMeta meta,
      PodTemplateSpec template, LabelSelector selector, int replicas) {
    DeploymentSpec ts = target.getSpec();
    Deployment primary = new Deployment();
    primary.setApiVersion("apps/v1");
    primary.setKind(KIND);
    primary.setMetadata(meta);
    DeploymentSpec spec = new DeploymentSpec();
    spec.setReplicas(replicas);
    spec.setSelector(selector);
    spec.setTemplate(template);
    spec.setProgressDeadlineSeconds(ts.getProgressDeadlineSeconds());
    spec.setMinReadySeconds(ts.getMinReadySeconds());
    spec.setRevisionHistoryLimit(ts.getRevisionHistoryLimit());
    spec.setStrategy(ts.getStrategy());
    primary.setSpec(spec);
    return primary;
  }

  @Override
  protected List<WorkloadWrite> scaleWrites(Deployment target, int replicas) {
    if (replicas(target) == replicas && target.getSpec().getReplicas() != null) {
      return List.of();
    }
    return List.of(WorkloadWrite.Apply.always(scaled(target, replicas)));
  }

  /** A partial Deployment that, server-side applied, sets only {@code spec.replicas}. */
  public Deployment scaled(Deployment d, int replicas) {
    Deployment s = new Deployment();
    s.setApiVersion("apps/v1");
    s.setKind(KIND);
    s.setMetadata(nameOf(d));
    DeploymentSpec spec = new DeploymentSpec();
    spec.setReplicas(replicas);
    s.setSpec(spec);
    return s;
  }

  @Override
  public Readiness readiness(Deployment d, int readyThresholdPercent, Canary canary, Instant now) {
    return readiness(d, readyThresholdPercent, canary.getSpec().progressDeadlineSecondsOrDefault(), now);
  }

  /**
   * Flagger's readiness rules for a Deployment: rolled out ({@code observedGeneration}, updated and old replicas) and
   * enough updated replicas available ({@code readyThresholdPercent}); the Kubernetes progress deadline, or
   * {@code MinimumReplicasUnavailable} for longer than the canary's {@code progressDeadlineSeconds}, is final.
   */
  public Readiness readiness(Deployment d, int readyThresholdPercent, int progressDeadlineSeconds, Instant now) {
    DeploymentStatus st = d.getStatus();
    long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
    if (st == null || st.getObservedGeneration() == null || generation > st.getObservedGeneration()) {
      return Readiness.waiting("waiting for rollout to finish: observed deployment generation less than desired generation");
    }
    for (DeploymentCondition c : st.getConditions() == null ? List.<DeploymentCondition>of() : st.getConditions()) {
      if ("Progressing".equals(c.getType()) && "ProgressDeadlineExceeded".equals(c.getReason())) {
        return Readiness.failed("deployment \"" + d.getMetadata().getName() + "\" exceeded its progress deadline");
      }
      if ("Available".equals(c.getType()) && "False".equals(c.getStatus())
          && "MinimumReplicasUnavailable".equals(c.getReason()) && c.getLastUpdateTime() != null) {
        Instant since = Instant.parse(c.getLastUpdateTime());
        if (since.plusSeconds(progressDeadlineSeconds).isBefore(now)) {
          return Readiness.failed("deployment \"" + d.getMetadata().getName()
              + "\" has had minimum replicas unavailable for more than " + progressDeadlineSeconds + "s");
        }
      }
    }
    int replicas = replicas(d);
    int updated = orZero(st.getUpdatedReplicas());
    int total = orZero(st.getReplicas());
    int available = orZero(st.getAvailableReplicas());
    if (updated < replicas) {
      return Readiness.waiting("waiting for rollout to finish: " + updated + " out of " + replicas
          + " new replicas have been updated");
    }
    if (total > updated) {
      return Readiness.waiting("waiting for rollout to finish: " + (total - updated)
          + " old replicas are pending termination");
    }
    int needed = (int) Math.ceil(updated * readyThresholdPercent / 100.0);
    if (available < needed) {
      return Readiness.waiting("waiting for rollout to finish: " + available + " of " + updated + " (readyThreshold "
          + readyThresholdPercent + "%) updated replicas are available");
    }
    return Readiness.READY;
  }

  @Override
  public Readiness primaryReadiness(Deployment primary, int readyThresholdPercent, Canary canary, Instant now) {
    if (primary.getSpec() != null && Integer.valueOf(0).equals(primary.getSpec().getReplicas())) {
      return Readiness.failed("halt advancement: primary deployment " + primary.getMetadata().getName()
          + " is scaled to zero");
    }
    return readiness(primary, readyThresholdPercent, canary, now);
  }
}
