package dev.bunting.gitops;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Field ownership with the canary engine and autoscalers: on a Deployment or StatefulSet that a Canary targets, and on
 * a workload an HPA scales, GitSync never applies {@code spec.replicas}. The field is left out of the applied object, so
 * {@code bunting-gitops} does not own it and the canary engine (or the HPA) keeps scaling. One transition case: when
 * {@code bunting-gitops} is still the only owner of the field (it applied the workload before the Canary or HPA
 * existed), leaving the field out would make the API server reset it, so the live value is applied unchanged instead.
 */
final class ReplicasRule {
  /** Whether a rendered workload is scaled by someone else, and why. */
  record Decision(boolean drop, String reason, Long keepLiveValue) {}

  private final Function<String, List<Canary>> canaries;
  private final Function<String, List<HorizontalPodAutoscaler>> hpas;

  /**
   * @param canaries the Canaries of a namespace (from the Canary cache)
   * @param hpas the HPAs of a namespace (from the HPA cache)
   */
  ReplicasRule(Function<String, List<Canary>> canaries, Function<String, List<HorizontalPodAutoscaler>> hpas) {
    this.canaries = canaries;
    this.hpas = hpas;
  }

  /** Decisions for the workloads in {@code desired} whose replicas someone else owns, keyed by inventory id. */
  Map<String, Decision> decide(List<Manifest> desired,
      Function<ObjectKey, Optional<GenericKubernetesResource>> live) {
    Map<String, Decision> out = new HashMap<>();
    for (Manifest m : desired) {
      ObjectKey k = m.key();
      if (!k.group().equals("apps") || !(k.kind().equals("Deployment") || k.kind().equals("StatefulSet"))) {
        continue;
      }
      String reason = null;
      for (Canary c : canaries.apply(k.namespace())) {
        String targetKind = c.getSpec() == null || c.getSpec().targetRef == null ? null : c.getSpec().targetRef.kind;
        if (targetKind != null && k.name().equals(c.getSpec().targetRef.name) && k.kind().equals(targetKind)) {
          reason = "target of Canary " + c.getMetadata().getName();
          break;
        }
      }
      if (reason == null) {
        reason = hpaReason(k, desired);
      }
      if (reason == null) {
        continue;
      }
      Long keep = live.apply(k).filter(ReplicasRule::replicasOwnedOnlyByUs).map(ReplicasRule::replicas).orElse(null);
      out.put(k.inventoryId(), new Decision(true, reason, keep));
    }
    return out;
  }

  private String hpaReason(ObjectKey k, List<Manifest> desired) {
    for (HorizontalPodAutoscaler h : hpas.apply(k.namespace())) {
      if (h.getSpec() != null && h.getSpec().getScaleTargetRef() != null
          && k.kind().equals(h.getSpec().getScaleTargetRef().getKind())
          && k.name().equals(h.getSpec().getScaleTargetRef().getName())) {
        return "scaled by HorizontalPodAutoscaler " + h.getMetadata().getName();
      }
    }
    for (Manifest m : desired) {
      ObjectKey hk = m.key();
      if (hk.kind().equals("HorizontalPodAutoscaler") && hk.namespace().equals(k.namespace())
          && m.object().getAdditionalProperties().get("spec") instanceof Map<?, ?> spec
          && spec.get("scaleTargetRef") instanceof Map<?, ?> ref && k.kind().equals(ref.get("kind"))
          && k.name().equals(ref.get("name"))) {
        return "scaled by HorizontalPodAutoscaler " + hk.name();
      }
    }
    return null;
  }

  /** A copy of {@code m}'s object with the decision applied (the rendered object is never changed). */
  static GenericKubernetesResource applyTo(GenericKubernetesResource obj, Decision d) {
    if (d == null || !(obj.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec)) {
      return obj;
    }
    GenericKubernetesResource copy = new GenericKubernetesResource();
    copy.setApiVersion(obj.getApiVersion());
    copy.setKind(obj.getKind());
    copy.setMetadata(obj.getMetadata());
    Map<String, Object> props = new HashMap<>(obj.getAdditionalProperties());
    @SuppressWarnings("unchecked")
    Map<String, Object> newSpec = new java.util.LinkedHashMap<>((Map<String, Object>) spec);
    if (d.keepLiveValue() != null) {
      newSpec.put("replicas", d.keepLiveValue());
    } else {
      newSpec.remove("replicas");
    }
    props.put("spec", newSpec);
    props.forEach(copy::setAdditionalProperty);
    return copy;
  }

  static boolean replicasOwnedOnlyByUs(GenericKubernetesResource live) {
    List<ManagedFieldsEntry> entries = live.getMetadata().getManagedFields();
    if (entries == null) {
      return false;
    }
    boolean ours = false;
    for (ManagedFieldsEntry e : entries) {
      if (!ownsReplicas(e)) {
        continue;
      }
      if (ApplyPipeline.FIELD_MANAGER.equals(e.getManager()) && "Apply".equals(e.getOperation())) {
        ours = true;
      } else {
        return false;
      }
    }
    return ours;
  }

  private static boolean ownsReplicas(ManagedFieldsEntry e) {
    return e.getFieldsV1() != null && e.getFieldsV1().getAdditionalProperties().get("f:spec") instanceof Map<?, ?> s
        && s.containsKey("f:replicas");
  }

  private static Long replicas(GenericKubernetesResource live) {
    return live.getAdditionalProperties().get("spec") instanceof Map<?, ?> s && s.get("replicas") instanceof Number n
        ? n.longValue() : null;
  }
}
