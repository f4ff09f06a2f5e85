package dev.bunting.gitops;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Locale;
import java.util.Map;

/**
 * Per-object opt-outs, by annotation or label (values case-insensitive), on the desired or on the live object:
 * {@code bunting.dev/reconcile: disabled} (never applied, never pruned) and {@code bunting.dev/prune: disabled} (never
 * pruned), and Flux's {@code kustomize.toolkit.fluxcd.io/reconcile|prune: disabled}.
 */
public final class OptOut {
  public static final String RECONCILE = "bunting.dev/reconcile";
  public static final String PRUNE = "bunting.dev/prune";
  public static final String FLUX_RECONCILE = "kustomize.toolkit.fluxcd.io/reconcile";
  public static final String FLUX_PRUNE = "kustomize.toolkit.fluxcd.io/prune";

  private OptOut() {}

  public static boolean reconcileDisabled(HasMetadata obj) {
    return disabled(obj, RECONCILE) || disabled(obj, FLUX_RECONCILE);
  }

  public static boolean pruneDisabled(HasMetadata obj) {
    return reconcileDisabled(obj) || disabled(obj, PRUNE) || disabled(obj, FLUX_PRUNE);
  }

  private static boolean disabled(HasMetadata obj, String key) {
    if (obj == null || obj.getMetadata() == null) {
      return false;
    }
    return isDisabled(obj.getMetadata().getAnnotations(), key) || isDisabled(obj.getMetadata().getLabels(), key);
  }

  private static boolean isDisabled(Map<String, String> m, String key) {
    return m != null && m.get(key) != null && m.get(key).toLowerCase(Locale.ROOT).equals("disabled");
  }
}
