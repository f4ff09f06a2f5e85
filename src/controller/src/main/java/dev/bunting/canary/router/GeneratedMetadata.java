package dev.bunting.canary.router;

import dev.bunting.api.CanaryService.CustomMetadata;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Labels and annotations of the objects Bunting generates: the user's {@code service.apex|primary|canary} metadata,
 * plus the two annotations with which Flagger keeps Flux from reverting generated objects
 * ({@code kustomize.toolkit.fluxcd.io/reconcile: disabled}, {@code helm.toolkit.fluxcd.io/driftDetection: disabled}).
 */
final class GeneratedMetadata {
  static final String KUSTOMIZE_RECONCILE = "kustomize.toolkit.fluxcd.io/reconcile";
  static final String HELM_DRIFT_DETECTION = "helm.toolkit.fluxcd.io/driftDetection";
  static final String DISABLED = "disabled";

  private GeneratedMetadata() {}

  /** The user's labels plus {@code extra} (which wins), without the {@code unmanaged} keys, sorted by key. */
  static Map<String, String> labels(CustomMetadata custom, Map<String, String> extra, Collection<String> unmanaged) {
    Map<String, String> labels = new TreeMap<>();
    if (custom != null && custom.labels != null) {
      labels.putAll(custom.labels);
    }
    labels.putAll(extra);
    labels.keySet().removeAll(unmanaged);
    return labels;
  }

  /** The user's annotations plus the two Flux opt-out annotations, without the {@code unmanaged} keys, sorted by key. */
  static Map<String, String> annotations(CustomMetadata custom, Collection<String> unmanaged) {
    Map<String, String> annotations = new TreeMap<>();
    if (custom != null && custom.annotations != null) {
      annotations.putAll(custom.annotations);
    }
    annotations.put(KUSTOMIZE_RECONCILE, DISABLED);
    annotations.put(HELM_DRIFT_DETECTION, DISABLED);
    annotations.keySet().removeAll(unmanaged);
    return new LinkedHashMap<>(annotations);
  }

  static Map<String, String> annotations(CustomMetadata custom) {
    return annotations(custom, List.of());
  }
}
