package dev.bunting.gitops;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Locale;
import java.util.Map;

/**
 * Per-object opt-outs, by annotation or label (values case-insensitive), on the desired or on the live object:
 * {@code bunting.dev/reconcile: disabled} (never applied, never pruned) and {@code bunting.dev/prune: disabled} (never
 * pruned), and Flux's {@code kustomize.toolkit.fluxcd.io/reconcile|prune: disabled}; {@code bunting.dev/ssa: merge}
 * (Flux: {@code kustomize.toolkit.fluxcd.io/ssa: Merge}) keeps fields that {@code kubectl} added by hand instead of
 * removing them (see {@link FieldTakeover}).
 */
public final class OptOut {
  public static final String RECONCILE = "bunting.dev/reconcile";
  public static final String PRUNE = "bunting.dev/prune";
  public static final String FLUX_RECONCILE = "kustomize.toolkit.fluxcd.io/reconcile";
  public static final String FLUX_PRUNE = "kustomize.toolkit.fluxcd.io/prune";
  public static final String SSA = "bunting.dev/ssa";
  public static final String FLUX_SSA = "kustomize.toolkit.fluxcd.io/ssa";

  private OptOut() {}

  public static boolean reconcileDisabled(HasMetadata obj) {
    return disabled(obj, RECONCILE) || disabled(obj, FLUX_RECONCILE);
  }

  public static boolean pruneDisabled(HasMetadata obj) {
    return reconcileDisabled(obj) || disabled(obj, PRUNE) || disabled(obj, FLUX_PRUNE);
  }

  /** True when fields added by hand with kubectl are to be kept ({@code ssa: merge}). */
  public static boolean mergeOnly(HasMetadata obj) {
    return is(obj, SSA, "merge") || is(obj, FLUX_SSA, "merge");
  }

  private static boolean disabled(HasMetadata obj, String key) {
    return is(obj, key, "disabled");
  }

  private static boolean is(HasMetadata obj, String key, String value) {
    if (obj == null || obj.getMetadata() == null) {
      return false;
    }
    return is(obj.getMetadata().getAnnotations(), key, value) || is(obj.getMetadata().getLabels(), key, value);
  }

  private static boolean is(Map<String, String> m, String key, String value) {
    return m != null && m.get(key) != null && m.get(key).toLowerCase(Locale.ROOT).equals(value);
  }
}
