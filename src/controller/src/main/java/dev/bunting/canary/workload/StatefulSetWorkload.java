package dev.bunting.canary.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bunting.api.Canary;
import dev.bunting.api.ObjectReference;
import dev.bunting.canary.workload.TargetObservation.Issue;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategy;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * StatefulSet targets (Flagger has none; Bunting's own rules, documented in {@code docs/workloads.md}).
 *
 * <ul>
 *   <li>The primary is a StatefulSet {@code <target>-primary}: pod template, replicas, {@code updateStrategy},
 *       {@code minReadySeconds}, {@code revisionHistoryLimit}, {@code persistentVolumeClaimRetentionPolicy} and
 *       {@code ordinals} copied on every promotion; {@code podManagementPolicy} and {@code volumeClaimTemplates}
 *       copied once, when it is created (a StatefulSet cannot change them).</li>
 *   <li>Its governing Service ({@code spec.serviceName}) is the generated {@code <svc>-primary} Service, which
 *       selects exactly the primary's pods; with {@code service.headless: true} it gives them stable DNS names
 *       {@code <target>-primary-N.<svc>-primary}. The target keeps its own {@code serviceName}.</li>
 *   <li>A target whose {@code volumeClaimTemplates} differ from the primary's (the StatefulSet was recreated with new
 *       ones) is held with an {@code InvalidSpec} condition instead of being promoted without them.</li>
 *   <li>Ready when rolled out ({@code observedGeneration}), the pods the partition lets update are at
 *       {@code updateRevision} ({@code updatedReplicas} ≥ replicas − partition), no pod is left to replace, and
 *       enough pods are available ({@code availableReplicas}, else {@code readyReplicas}) for readyThreshold. Pods
 *       start in order ({@code OrderedReady}), so this waits for the last one. No progress deadline of its own: not
 *       ready {@code progressDeadlineSeconds} after the Canary's {@code status.lastTransitionTime} is final.</li>
 *   <li>The canary is scaled through {@code spec.replicas}; its PersistentVolumeClaims stay (unless its
 *       {@code persistentVolumeClaimRetentionPolicy.whenScaled} is {@code Delete}).</li>
 *   <li>Only the {@code RollingUpdate} update strategy (the default) is accepted: with {@code OnDelete} a promotion
 *       would never reach the primary's pods.</li>
 * </ul>
 */
public final class StatefulSetWorkload extends PodWorkload<StatefulSet> {
  public static final String KIND = "StatefulSet";

  public StatefulSetWorkload(SelectorLabels selectorLabels, boolean configTracking) {
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
  protected Class<StatefulSet> type() {
    return StatefulSet.class;
  }

  @Override
  protected PodTemplateSpec template(StatefulSet s) {
    return s.getSpec() == null ? null : s.getSpec().getTemplate();
  }

  @Override
  protected LabelSelector selector(StatefulSet s) {
    return s.getSpec() == null ? null : s.getSpec().getSelector();
  }

  @Override
  public int replicas(StatefulSet s) {
    return s.getSpec() == null || s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
  }

  /** The primary's governing Service: the generated {@code <svc>-primary}. */
  public static String governingService(Canary canary) {
    return canary.getSpec().serviceName() + "-primary";
  }

  @Override
  protected List<Issue> validate(StatefulSet target, StatefulSet primary) {
    String id = target.getMetadata().getName() + "." + target.getMetadata().getNamespace();
    StatefulSetUpdateStrategy strategy = target.getSpec() == null ? null : target.getSpec().getUpdateStrategy();
    if (strategy != null && strategy.getType() != null && !strategy.getType().isEmpty()
        && !"RollingUpdate".equals(strategy.getType())) {
      return List.of(Issue.invalid("statefulset " + id + " must have RollingUpdate strategy but have "
          + strategy.getType()));
    }
    if (primary != null && !claimTemplates(target).equals(claimTemplates(primary))) {
      return List.of(Issue.invalid("statefulset " + id + ": spec.volumeClaimTemplates differ from those of "
          + primary.getMetadata().getName() + ", and a StatefulSet's volumeClaimTemplates cannot change; restore them"
          + " on the target, or delete " + primary.getMetadata().getName() + " (its PersistentVolumeClaims stay) to"
          + " have it created again with the new ones"));
    }
    return List.of();
  }

  /** Name, labels, annotations and spec of each claim template: what a recreated target can change. */
  private static List<JsonNode> claimTemplates(StatefulSet s) {
    List<JsonNode> out = new ArrayList<>();
    if (s.getSpec() == null || s.getSpec().getVolumeClaimTemplates() == null) {
      return out;
    }
    for (PersistentVolumeClaim pvc : s.getSpec().getVolumeClaimTemplates()) {
      ObjectNode node = Serialization.jsonMapper().createObjectNode();
      ObjectMeta m = pvc.getMetadata() == null ? new ObjectMeta() : pvc.getMetadata();
      node.set("name", Serialization.jsonMapper().valueToTree(m.getName()));
      node.set("labels", Serialization.jsonMapper().valueToTree(m.getLabels()));
      node.set("annotations", Serialization.jsonMapper().valueToTree(m.getAnnotations()));
      node.set("spec", Serialization.jsonMapper().valueToTree(pvc.getSpec()));
      out.add(node);
    }
    return out;
  }

  /**
   * The primary. On an existing primary the fields a StatefulSet cannot change ({@code serviceName},
   * {@code selector}, {@code podManagementPolicy}, {@code volumeClaimTemplates}) are sent exactly as they are, so the
   * write never asks for a forbidden change.
   */
  @Override
  protected StatefulSet primaryObject(Canary canary, StatefulSet target, StatefulSet existing, ObjectMeta meta,
      PodTemplateSpec template, LabelSelector selector, int replicas) {
    StatefulSetSpec ts = target.getSpec();
    StatefulSet primary = new StatefulSet();
    primary.setApiVersion("apps/v1");
    primary.setKind(KIND);
    primary.setMetadata(meta);
    StatefulSetSpec spec = new StatefulSetSpec();
    spec.setReplicas(replicas);
    spec.setTemplate(template);
    spec.setUpdateStrategy(ts.getUpdateStrategy());
    spec.setMinReadySeconds(ts.getMinReadySeconds());
    spec.setRevisionHistoryLimit(ts.getRevisionHistoryLimit());
    spec.setPersistentVolumeClaimRetentionPolicy(ts.getPersistentVolumeClaimRetentionPolicy());
    spec.setOrdinals(ts.getOrdinals());
    if (existing != null && existing.getSpec() != null) {
      StatefulSetSpec es = existing.getSpec();
      spec.setSelector(es.getSelector());
      spec.setServiceName(es.getServiceName());
      spec.setPodManagementPolicy(es.getPodManagementPolicy());
      spec.setVolumeClaimTemplates(es.getVolumeClaimTemplates() == null ? null
          : Serialization.clone(existing).getSpec().getVolumeClaimTemplates());
    } else {
      spec.setSelector(selector);
      spec.setServiceName(governingService(canary));
      spec.setPodManagementPolicy(ts.getPodManagementPolicy());
      spec.setVolumeClaimTemplates(ts.getVolumeClaimTemplates() == null ? null
          : Serialization.clone(target).getSpec().getVolumeClaimTemplates());
    }
    primary.setSpec(spec);
    return primary;
  }

  @Override
  protected List<WorkloadWrite> scaleWrites(StatefulSet target, int replicas) {
    if (replicas(target) == replicas && target.getSpec().getReplicas() != null) {
      return List.of();
    }
    StatefulSet s = new StatefulSet();
    s.setApiVersion("apps/v1");
    s.setKind(KIND);
    s.setMetadata(nameOf(target));
    StatefulSetSpec spec = new StatefulSetSpec();
    spec.setReplicas(replicas);
    s.setSpec(spec);
    return List.of(WorkloadWrite.Apply.always(s));
  }

  /** The partition of a RollingUpdate: pods with an ordinal below it keep the old revision. */
  static int partition(StatefulSet s) {
    StatefulSetUpdateStrategy strategy = s.getSpec() == null ? null : s.getSpec().getUpdateStrategy();
    if (strategy == null || strategy.getRollingUpdate() == null || strategy.getRollingUpdate().getPartition() == null) {
      return 0;
    }
    return Math.max(0, strategy.getRollingUpdate().getPartition());
  }

  @Override
  public Readiness readiness(StatefulSet s, int readyThresholdPercent, Canary canary, Instant now) {
    Readiness r = rollout(s, readyThresholdPercent);
    if (r.ready() || !pastCanaryDeadline(canary, now)) {
      return r;
    }
    return Readiness.failed("statefulset " + s.getMetadata().getName() + " exceeded its progressDeadlineSeconds: "
        + canary.getSpec().progressDeadlineSecondsOrDefault() + " (" + r.message() + ")");
  }

  private Readiness rollout(StatefulSet s, int readyThresholdPercent) {
    StatefulSetStatus st = s.getStatus();
    long generation = s.getMetadata().getGeneration() == null ? 0 : s.getMetadata().getGeneration();
    if (st == null || st.getObservedGeneration() == null || generation > st.getObservedGeneration()) {
      return Readiness.waiting("waiting for rollout to finish: observed statefulset generation less than desired generation");
    }
    int replicas = replicas(s);
    int partition = partition(s);
    int expected = Math.max(0, replicas - partition);
    int updated = orZero(st.getUpdatedReplicas());
    int total = orZero(st.getReplicas());
    int available = st.getAvailableReplicas() != null ? st.getAvailableReplicas() : orZero(st.getReadyReplicas());
    String revision = st.getUpdateRevision() == null ? "" : " at revision " + st.getUpdateRevision();
    if (updated < expected) {
      return Readiness.waiting("waiting for rollout to finish: " + updated + " out of " + expected
          + " new pods have been updated" + revision + (partition > 0 ? " (partition " + partition + ")" : ""));
    }
    if (total > replicas) {
      return Readiness.waiting("waiting for rollout to finish: " + (total - replicas)
          + " old pods are pending termination");
    }
    int needed = (int) Math.ceil(replicas * readyThresholdPercent / 100.0);
    if (available < needed) {
      return Readiness.waiting("waiting for rollout to finish: " + available + " of " + replicas + " (readyThreshold "
          + readyThresholdPercent + "%) pods are available" + revision);
    }
    return Readiness.READY;
  }
}
