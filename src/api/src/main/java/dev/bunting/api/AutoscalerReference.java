package dev.bunting.api;

import java.util.Map;

/** {@code spec.autoscalerRef}: the HPA or KEDA ScaledObject of the target; Bunting creates its {@code -primary} twin. */
public class AutoscalerReference extends ObjectReference {
  /** KEDA: trigger name to the query the primary scaler uses instead of the rewritten target query. */
  public Map<String, String> primaryScalerQueries;
  public ScalerReplicas primaryScalerReplicas;

  /** {@code primaryScalerReplicas}: overrides of the primary autoscaler's bounds. */
  public static class ScalerReplicas extends ApiObject {
    public Integer minReplicas;
    public Integer maxReplicas;
  }
}
