package dev.bunting.canary.workload;

import dev.bunting.api.Canary;
import dev.bunting.api.ObjectReference;
import dev.bunting.canary.workload.TargetObservation.Issue;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DaemonSet targets, with Flagger's semantics ({@code daemonset_controller.go}, {@code daemonset_ready.go}).
 *
 * <ul>
 *   <li>A DaemonSet has no replicas: the canary is "scaled to zero" by the node selector
 *       {@code flagger.app/scale-to-zero: "true"}, which no node carries, so its pods go away; scaling up removes
 *       that key again (a JSON merge patch, whoever owns it). The decider counts the target as 1 replica, or 0 while
 *       the key is there.</li>
 *   <li>The key is never part of a revision: the fingerprint and the primary's pod template are taken from the
 *       target's template without it (a node selector left empty by its removal counts as none).</li>
 *   <li>Ready when rolled out ({@code observedGeneration}), every scheduled pod updated
 *       ({@code updatedNumberScheduled} ≥ {@code desiredNumberScheduled}) and enough of them available
 *       ({@code numberAvailable} ≥ {@code desiredNumberScheduled} × readyThreshold, truncated as Flagger does).
 *       A DaemonSet has no progress deadline of its own: not ready {@code progressDeadlineSeconds} after the Canary's
 *       {@code status.lastTransitionTime} is final.</li>
 *   <li>Only the {@code RollingUpdate} update strategy (the default) is accepted.</li>
 *   <li>{@code autoscalerRef} is refused: nothing scales a DaemonSet.</li>
 * </ul>
 */
public final class DaemonSetWorkload extends PodWorkload<DaemonSet> {
  public static final String KIND = "DaemonSet";
  public static final String SCALE_TO_ZERO_KEY = "flagger.app/scale-to-zero";

  public DaemonSetWorkload(SelectorLabels selectorLabels, boolean configTracking) {
    super(selectorLabels, configTracking);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public boolean handles(ObjectReference targetRef) {
    return KIND.equals(targetRef.kind);
  }

  @Override
  public boolean scalable() {
    return false;
  }

  @Override
  protected Class<DaemonSet> type() {
    return DaemonSet.class;
  }

  @Override
  protected PodTemplateSpec template(DaemonSet d) {
    return d.getSpec() == null ? null : d.getSpec().getTemplate();
  }

  @Override
  protected LabelSelector selector(DaemonSet d) {
    return d.getSpec() == null ? null : d.getSpec().getSelector();
  }

  /** 0 while the scale-to-zero node selector is set, else 1. */
  @Override
  public int replicas(DaemonSet d) {
    return scaledToZero(d) ? 0 : 1;
  }

  public static boolean scaledToZero(DaemonSet d) {
    PodTemplateSpec t = d.getSpec() == null ? null : d.getSpec().getTemplate();
    Map<String, String> selector = t == null || t.getSpec() == null ? null : t.getSpec().getNodeSelector();
    return selector != null && selector.containsKey(SCALE_TO_ZERO_KEY);
  }

  /** The target's template without the scale-to-zero node selector. */
  @Override
  protected PodTemplateSpec revisionTemplate(DaemonSet target) {
    PodTemplateSpec template = template(target);
    if (template == null || template.getSpec() == null || template.getSpec().getNodeSelector() == null
        || !template.getSpec().getNodeSelector().containsKey(SCALE_TO_ZERO_KEY)) {
      return template;
    }
    PodTemplateSpec copy = Serialization.clone(template);
    PodSpec spec = copy.getSpec();
    Map<String, String> selector = new LinkedHashMap<>(spec.getNodeSelector());
    selector.remove(SCALE_TO_ZERO_KEY);
    spec.setNodeSelector(selector.isEmpty() ? null : selector);
    return copy;
  }

  @Override
  protected List<Issue> validate(DaemonSet target, DaemonSet primary) {
    String type = target.getSpec() == null || target.getSpec().getUpdateStrategy() == null ? null
        : target.getSpec().getUpdateStrategy().getType();
    if (type != null && !type.isEmpty() && !"RollingUpdate".equals(type)) {
      return List.of(Issue.invalid("daemonset " + target.getMetadata().getName() + "."
          + target.getMetadata().getNamespace() + " must have RollingUpdate strategy but have " + type));
    }
    return List.of();
  }

  @Override
  protected DaemonSet primaryObject(Canary canary, DaemonSet target, DaemonSet existing, ObjectMeta meta,
      PodTemplateSpec template, LabelSelector selector, int replicas) {
    DaemonSetSpec ts = target.getSpec();
    DaemonSet primary = new DaemonSet();
    primary.setApiVersion("apps/v1");
    primary.setKind(KIND);
    primary.setMetadata(meta);
    DaemonSetSpec spec = new DaemonSetSpec();
    spec.setSelector(selector);
    spec.setTemplate(template);
    spec.setMinReadySeconds(ts.getMinReadySeconds());
    spec.setRevisionHistoryLimit(ts.getRevisionHistoryLimit());
    spec.setUpdateStrategy(ts.getUpdateStrategy());
    primary.setSpec(spec);
    return primary;
  }

  /**
   * To zero: the scale-to-zero key is added to the pod template's node selector (server-side apply of that one key).
   * From zero: the key is removed with a merge patch, whoever owns it (e.g. Flagger, before Bunting took over).
   */
  @Override
  protected List<WorkloadWrite> scaleWrites(DaemonSet target, int replicas) {
    boolean zero = scaledToZero(target);
    if (replicas == 0 && !zero) {
      DaemonSet partial = new DaemonSet();
      partial.setApiVersion("apps/v1");
      partial.setKind(KIND);
      partial.setMetadata(nameOf(target));
      PodSpec podSpec = new PodSpec();
      podSpec.setNodeSelector(Map.of(SCALE_TO_ZERO_KEY, "true"));
      PodTemplateSpec template = new PodTemplateSpec();
      template.setSpec(podSpec);
      DaemonSetSpec spec = new DaemonSetSpec();
      spec.setTemplate(template);
      partial.setSpec(spec);
      return List.of(WorkloadWrite.Apply.always(partial));
    }
    if (replicas > 0 && zero) {
      return List.of(new WorkloadWrite.MergePatch(target,
          "{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"" + SCALE_TO_ZERO_KEY + "\":null}}}}}"));
    }
    return List.of();
  }

  /** Flagger's {@code isDaemonSetReady}. */
  @Override
  public Readiness readiness(DaemonSet d, int readyThresholdPercent, Canary canary, Instant now) {
    DaemonSetStatus st = d.getStatus();
    long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
    long observed = st == null || st.getObservedGeneration() == null ? 0 : st.getObservedGeneration();
    if (st == null || generation > observed) {
      return Readiness.waiting("waiting for rollout to finish: observed daemonset generation less than desired generation");
    }
    int desired = orZero(st.getDesiredNumberScheduled());
    int updated = orZero(st.getUpdatedNumberScheduled());
    int available = orZero(st.getNumberAvailable());
    int thresholdDesired = (int) (desired * (readyThresholdPercent / 100f));
    boolean notUpdated = updated < desired;
    boolean notAvailable = available < thresholdDesired;
    if (!notUpdated && !notAvailable) {
      return Readiness.READY;
    }
    if (pastCanaryDeadline(canary, now)) {
      return Readiness.failed("daemonset " + d.getMetadata().getName() + " exceeded its progressDeadlineSeconds: "
          + canary.getSpec().progressDeadlineSecondsOrDefault());
    }
    if (notUpdated) {
      return Readiness.waiting("waiting for rollout to finish: " + updated + " out of " + desired
          + " new pods have been updated");
    }
    return Readiness.waiting("waiting for rollout to finish: " + available + " of " + thresholdDesired
        + " (readyThreshold " + readyThresholdPercent + "%) updated pods are available");
  }
}
