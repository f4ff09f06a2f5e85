package dev.bunting.canary.workload;

import dev.bunting.api.AutoscalerReference;
import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code autoscalerRef} with a KEDA ScaledObject ({@code keda.sh/v1alpha1}), as Flagger's
 * {@code scaled_object_reconciler.go}.
 *
 * <ul>
 *   <li>The primary gets {@code <scaledobject>-primary}: the user's spec with {@code scaleTargetRef.name} set to
 *       {@code <target>-primary}, {@code minReplicaCount}/{@code maxReplicaCount} overridable by
 *       {@code primaryScalerReplicas}, a named {@code advanced.horizontalPodAutoscalerConfig.name} suffixed with
 *       {@code -primary}, and each trigger's {@code metadata.query} either taken from {@code primaryScalerQueries}
 *       (by trigger name) or, without that map, rewritten: {@code <target>-canary} and {@code <target>} become
 *       {@code <target>-primary}.</li>
 *   <li>The user's ScaledObject keeps scaling the canary, but only during an analysis: while the canary is scaled to
 *       zero it carries {@code autoscaling.keda.sh/paused-replicas: "0"} (KEDA then holds it at zero); the annotation
 *       is removed when the canary scales up for a new revision.</li>
 * </ul>
 *
 * <p>Deliberate differences: the whole spec is copied (Flagger copies a fixed list of fields, dropping newer ones such
 * as {@code initialCooldownPeriod}); KEDA's pause annotations never reach the primary's ScaledObject; it follows the
 * user's ScaledObject at every reconcile, as Bunting's HPA twin does (Flagger updates it at promotion only). Pure.
 */
public final class ScaledObjectAutoscaler {
  public static final String KIND = "ScaledObject";
  public static final String PAUSED_REPLICAS = "autoscaling.keda.sh/paused-replicas";
  private static final String PAUSED = "autoscaling.keda.sh/paused";
  public static final ResourceDefinitionContext SCALED_OBJECTS = new ResourceDefinitionContext.Builder()
      .withGroup("keda.sh").withVersion("v1alpha1").withKind(KIND).withPlural("scaledobjects").withNamespaced(true)
      .build();

  public static String primaryName(String scaledObject) {
    return scaledObject + "-primary";
  }

  /** The primary's ScaledObject, scaling {@code primaryTarget}. */
  @SuppressWarnings("unchecked")
  public GenericKubernetesResource desiredPrimary(Canary canary, GenericKubernetesResource source,
      String primaryTarget) {
    Map<String, Object> spec = source.getAdditionalProperties().get("spec") instanceof Map<?, ?> m
        ? (Map<String, Object>) Serialization.clone(new LinkedHashMap<>((Map<String, Object>) m))
        : new LinkedHashMap<>();
    Map<String, Object> targetRef = spec.get("scaleTargetRef") instanceof Map<?, ?> t
        ? new LinkedHashMap<>((Map<String, Object>) t) : new LinkedHashMap<>();
    targetRef.put("name", primaryTarget);
    spec.put("scaleTargetRef", targetRef);
    AutoscalerReference ref = canary.getSpec().autoscalerRef;
    if (ref.primaryScalerReplicas != null) {
      if (ref.primaryScalerReplicas.minReplicas != null) {
        spec.put("minReplicaCount", ref.primaryScalerReplicas.minReplicas);
      }
      if (ref.primaryScalerReplicas.maxReplicas != null) {
        spec.put("maxReplicaCount", ref.primaryScalerReplicas.maxReplicas);
      }
    }
    Map<String, Object> advanced = spec.get("advanced") instanceof Map<?, ?> a
        ? new LinkedHashMap<>((Map<String, Object>) a) : new LinkedHashMap<>();
    Map<String, Object> hpa = advanced.get("horizontalPodAutoscalerConfig") instanceof Map<?, ?> h
        ? new LinkedHashMap<>((Map<String, Object>) h) : new LinkedHashMap<>();
    if (hpa.get("name") instanceof String n && !n.isEmpty()) {
      hpa.put("name", n + "-primary");
    }
    advanced.put("horizontalPodAutoscalerConfig", hpa);
    spec.put("advanced", advanced);
    if (spec.get("triggers") instanceof List<?> triggers) {
      spec.put("triggers", triggers.stream().map(t -> primaryTrigger(canary, (Map<String, Object>) t)).toList());
    }

    GenericKubernetesResource primary = new GenericKubernetesResource();
    primary.setApiVersion(source.getApiVersion() == null ? "keda.sh/v1alpha1" : source.getApiVersion());
    primary.setKind(KIND);
    ObjectMeta meta = new ObjectMeta();
    meta.setName(primaryName(source.getMetadata().getName()));
    meta.setNamespace(source.getMetadata().getNamespace());
    Map<String, String> labels = PodWorkload.filter(source.getMetadata().getLabels());
    Map<String, String> annotations = PodWorkload.filter(source.getMetadata().getAnnotations());
    annotations.remove(PAUSED_REPLICAS);
    annotations.remove(PAUSED);
    meta.setLabels(labels.isEmpty() ? null : labels);
    meta.setAnnotations(annotations.isEmpty() ? null : annotations);
    meta.setOwnerReferences(List.of(canary.controllerReference()));
    primary.setMetadata(meta);
    primary.setAdditionalProperty("spec", spec);
    return primary;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> primaryTrigger(Canary canary, Map<String, Object> trigger) {
    Map<String, Object> out = new LinkedHashMap<>(trigger);
    if (!(trigger.get("metadata") instanceof Map<?, ?> m)) {
      return out;
    }
    Map<String, Object> metadata = new LinkedHashMap<>((Map<String, Object>) m);
    Map<String, String> queries = canary.getSpec().autoscalerRef.primaryScalerQueries;
    if (queries != null) {
      String name = trigger.get("name") instanceof String n ? n : null;
      if (name != null && queries.containsKey(name)) {
        metadata.put("query", queries.get(name));
      }
    } else if (metadata.get("query") instanceof String query) {
      metadata.put("query", primaryQuery(query, canary.getSpec().targetRef.name));
    }
    out.put("metadata", metadata);
    return out;
  }

  /** Flagger's rewrite: {@code <target>-canary} and {@code <target>} → {@code <target>-primary}. */
  static String primaryQuery(String query, String target) {
    String placeholder = "\u0000canary\u0000";
    return query.replace(target + "-canary", placeholder)
        .replace(target, target + "-primary")
        .replace(placeholder, target + "-primary");
  }

  /** Whether the user's ScaledObject is paused at zero by Bunting. */
  public static boolean pausedAtZero(GenericKubernetesResource scaledObject) {
    Map<String, String> a = scaledObject.getMetadata().getAnnotations();
    return a != null && "0".equals(a.get(PAUSED_REPLICAS));
  }

  /** Pauses the canary's ScaledObject at zero replicas (idle) or resumes it (analysis); nothing when it already is. */
  public List<WorkloadWrite> pause(GenericKubernetesResource scaledObject, boolean paused) {
    Map<String, String> a = scaledObject.getMetadata().getAnnotations();
    boolean annotated = a != null && a.containsKey(PAUSED_REPLICAS);
    if (paused == pausedAtZero(scaledObject) && (paused || !annotated)) {
      return List.of();
    }
    return List.of(new WorkloadWrite.MergePatch(scaledObject, "{\"metadata\":{\"annotations\":{\"" + PAUSED_REPLICAS
        + "\":" + (paused ? "\"0\"" : "null") + "}}}"));
  }
}
