package dev.bunting.gitops;

import java.util.Comparator;
import java.util.List;

/**
 * The order objects are applied in, as Flux's {@code ssa} package does it: stage 1 CRDs and Namespaces (applied, then
 * waited for until established or active), stage 2 other cluster-scoped objects, stage 3 everything else; within a
 * stage by the kind order below (unknown kinds after known ones, webhook configurations last), then namespace, then
 * name. Pruning uses the reverse order.
 */
public final class ApplyOrder {
  private static final List<String> KIND_ORDER = List.of(
      "CustomResourceDefinition", "Namespace", "ClusterRole", "ClusterClass", "RuntimeClass", "PriorityClass",
      "StorageClass", "VolumeSnapshotClass", "IngressClass", "GatewayClass", "ClusterRoleBinding", "ResourceQuota",
      "ServiceAccount", "Role", "RoleBinding", "ConfigMap", "Secret", "Service", "LimitRange", "Deployment",
      "StatefulSet", "CronJob", "PodDisruptionBudget");
  private static final List<String> LAST = List.of("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration");

  /** Compares object keys in apply order. */
  public static final Comparator<ObjectKey> COMPARATOR = Comparator.comparingInt(ApplyOrder::stage)
      .thenComparingInt(k -> kindRank(k.kind()))
      .thenComparing(ObjectKey::kind)
      .thenComparing(ObjectKey::namespace)
      .thenComparing(ObjectKey::name);

  private ApplyOrder() {}

  /** 1: CRDs and Namespaces; 2: other cluster-scoped objects; 3: namespaced objects. */
  public static int stage(ObjectKey k) {
    if (isCrd(k) || isNamespace(k)) {
      return 1;
    }
    return k.namespaced() ? 3 : 2;
  }

  public static boolean isCrd(ObjectKey k) {
    return k.kind().equals("CustomResourceDefinition") && k.group().equals("apiextensions.k8s.io");
  }

  public static boolean isNamespace(ObjectKey k) {
    return k.kind().equals("Namespace") && k.group().isEmpty();
  }

  private static int kindRank(String kind) {
    int i = KIND_ORDER.indexOf(kind);
    if (i >= 0) {
      return i;
    }
    int last = LAST.indexOf(kind);
    return last >= 0 ? KIND_ORDER.size() + 1 + last : KIND_ORDER.size();
  }
}
