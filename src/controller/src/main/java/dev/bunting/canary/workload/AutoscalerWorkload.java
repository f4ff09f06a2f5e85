package dev.bunting.canary.workload;

import dev.bunting.api.AutoscalerReference;
import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code autoscalerRef} with a HorizontalPodAutoscaler ({@code autoscaling/v2}): the primary gets its own HPA,
 * {@code <hpa>-primary}, with the target's metrics, behavior and bounds (bounds overridable by
 * {@code primaryScalerReplicas}), scaling {@code <target>-primary}. The user's HPA keeps scaling the canary; it stops by
 * itself while the canary is at zero replicas. Pure: the reconciler applies what this returns.
 */
public final class AutoscalerWorkload {
  public static final String HPA_KIND = "HorizontalPodAutoscaler";

  public static String primaryName(String hpaName) {
    return hpaName + "-primary";
  }

  public HorizontalPodAutoscaler desiredPrimary(Canary canary, HorizontalPodAutoscaler hpa, String primaryDeployment) {
    return desiredPrimary(canary, hpa, "Deployment", primaryDeployment);
  }

  /** {@code <hpa>-primary}, scaling the primary {@code primaryKind} (Deployment or StatefulSet) {@code primaryName}. */
  public HorizontalPodAutoscaler desiredPrimary(Canary canary, HorizontalPodAutoscaler hpa, String primaryKind,
      String primaryName) {
    HorizontalPodAutoscalerSpec source = hpa.getSpec();
    HorizontalPodAutoscalerSpec spec = new HorizontalPodAutoscalerSpec();
    spec.setScaleTargetRef(new CrossVersionObjectReference("apps/v1", primaryKind, primaryName));
    spec.setMetrics(source.getMetrics() == null ? null : Serialization.clone(source).getMetrics());
    spec.setBehavior(source.getBehavior() == null ? null : Serialization.clone(source).getBehavior());
    spec.setMinReplicas(source.getMinReplicas());
    spec.setMaxReplicas(source.getMaxReplicas());
    AutoscalerReference ref = canary.getSpec().autoscalerRef;
    if (ref.primaryScalerReplicas != null) {
      if (ref.primaryScalerReplicas.minReplicas != null) {
        spec.setMinReplicas(ref.primaryScalerReplicas.minReplicas);
      }
      if (ref.primaryScalerReplicas.maxReplicas != null) {
        spec.setMaxReplicas(ref.primaryScalerReplicas.maxReplicas);
      }
    }
    HorizontalPodAutoscaler primary = new HorizontalPodAutoscaler();
    primary.setApiVersion("autoscaling/v2");
    primary.setKind(HPA_KIND);
    ObjectMeta meta = new ObjectMeta();
    meta.setName(primaryName(hpa.getMetadata().getName()));
    meta.setNamespace(hpa.getMetadata().getNamespace());
    Map<String, String> labels = new LinkedHashMap<>();
    if (hpa.getMetadata().getLabels() != null) {
      hpa.getMetadata().getLabels().forEach((k, v) -> {
        if (!k.contains("toolkit.fluxcd.io") && !k.startsWith("gitsync.bunting.dev/")) {
          labels.put(k, v);
        }
      });
    }
    meta.setLabels(labels.isEmpty() ? null : labels);
    meta.setOwnerReferences(List.of(canary.controllerReference()));
    primary.setMetadata(meta);
    primary.setSpec(spec);
    return primary;
  }
}
