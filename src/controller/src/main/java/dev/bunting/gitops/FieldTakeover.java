package dev.bunting.gitops;

import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reverting fields that someone added by hand, as Flux does. Server-side apply removes a field only when the applying
 * manager owned it before and leaves it out now; a field added with {@code kubectl edit}, {@code kubectl patch},
 * {@code kubectl label}, client-side {@code kubectl apply} (managers {@code kubectl-*}, operation Update), server-side
 * {@code kubectl apply} (manager {@code kubectl}, Apply) or {@code before-first-apply} belongs to kubectl, so applying
 * again leaves it. Before applying, GitSync moves the field sets of those entries into its own Apply entry (a patch of
 * {@code metadata.managedFields} only); the apply then removes what Git does not set.
 *
 * <p>Never taken: entries of other managers (controllers, operators, the canary engine, autoscalers), subresource
 * entries, entries of another API version, and {@code spec.replicas} of a workload whose replicas someone else scales.
 * Objects annotated {@code bunting.dev/ssa: merge} (or Flux's {@code kustomize.toolkit.fluxcd.io/ssa: Merge}) keep
 * what kubectl added.
 */
final class FieldTakeover {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private FieldTakeover() {}

  /** Whether {@code e} records fields set by hand with kubectl (or before the first apply). */
  static boolean byHand(ManagedFieldsEntry e) {
    if (e.getSubresource() != null && !e.getSubresource().isEmpty()) {
      return false;
    }
    String manager = e.getManager() == null ? "" : e.getManager();
    if (manager.equals("kubectl")) {
      return "Apply".equals(e.getOperation()) || "Update".equals(e.getOperation());
    }
    if (manager.startsWith("kubectl-") || manager.equals("before-first-apply")) {
      return "Update".equals(e.getOperation());
    }
    return false;
  }

  /**
   * The managedFields of {@code live} with every by-hand entry folded into {@code manager}'s Apply entry, or empty when
   * there is nothing to take. {@code live} is not changed.
   *
   * @param keepReplicas leave {@code spec.replicas} with its owners (the workload is scaled by a Canary or an HPA)
   */
  static Optional<List<ManagedFieldsEntry>> plan(GenericKubernetesResource live, String manager, boolean keepReplicas,
      Instant now) {
    List<ManagedFieldsEntry> entries = live.getMetadata().getManagedFields();
    if (entries == null || entries.stream().noneMatch(FieldTakeover::byHand) || OptOut.mergeOnly(live)) {
      return Optional.empty(); // the common case, checked before anything is copied
    }
    String apiVersion = live.getApiVersion();
    ManagedFieldsEntry ours = null;
    List<ManagedFieldsEntry> kept = new ArrayList<>();
    List<ManagedFieldsEntry> taken = new ArrayList<>();
    for (ManagedFieldsEntry e : entries) {
      ManagedFieldsEntry copy = JSON.clone(e);
      boolean sameVersion = apiVersion == null || apiVersion.equals(copy.getApiVersion());
      if (manager.equals(copy.getManager()) && "Apply".equals(copy.getOperation())
          && (copy.getSubresource() == null || copy.getSubresource().isEmpty()) && ours == null && sameVersion) {
        ours = copy;
      } else if (byHand(copy) && sameVersion && copy.getFieldsV1() != null) {
        taken.add(copy);
      } else {
        kept.add(copy);
      }
    }
    if (taken.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Object> fields = ours == null || ours.getFieldsV1() == null ? new LinkedHashMap<>()
        : new LinkedHashMap<>(ours.getFieldsV1().getAdditionalProperties());
    for (ManagedFieldsEntry e : taken) {
      Map<String, Object> add = new LinkedHashMap<>(e.getFieldsV1().getAdditionalProperties());
      if (keepReplicas && add.get("f:spec") instanceof Map<?, ?> spec && spec.containsKey("f:replicas")) {
        Map<String, Object> trimmed = new LinkedHashMap<>();
        spec.forEach((k, v) -> trimmed.put(String.valueOf(k), v));
        trimmed.remove("f:replicas");
        add.put("f:spec", trimmed);
      }
      merge(fields, add);
    }
    if (ours == null) {
      ours = new ManagedFieldsEntry();
      ours.setApiVersion(apiVersion);
      ours.setFieldsType("FieldsV1");
      ours.setManager(manager);
      ours.setOperation("Apply");
    }
    FieldsV1 merged = new FieldsV1();
    fields.forEach(merged::setAdditionalProperty);
    ours.setFieldsV1(merged);
    ours.setTime(now.truncatedTo(ChronoUnit.SECONDS).toString());
    List<ManagedFieldsEntry> out = new ArrayList<>(kept);
    out.add(ours);
    // a by-hand entry that only owned spec.replicas (kept for its scaler) stays with its owner
    if (keepReplicas) {
      for (ManagedFieldsEntry e : taken) {
        if (e.getFieldsV1().getAdditionalProperties().get("f:spec") instanceof Map<?, ?> spec
            && spec.containsKey("f:replicas")) {
          ManagedFieldsEntry replicasOnly = JSON.clone(e);
          FieldsV1 f = new FieldsV1();
          f.setAdditionalProperty("f:spec", Map.of("f:replicas", spec.get("f:replicas")));
          replicasOnly.setFieldsV1(f);
          out.add(replicasOnly);
        }
      }
    }
    return Optional.of(out);
  }

  /** The names of the managers whose fields {@link #plan} takes, for messages. */
  static List<String> byHandManagers(GenericKubernetesResource live) {
    List<ManagedFieldsEntry> entries = live.getMetadata().getManagedFields();
    return entries == null ? List.of() : entries.stream().filter(FieldTakeover::byHand)
        .map(ManagedFieldsEntry::getManager).distinct().toList();
  }

  /** Adds {@code add}'s field paths to {@code into} (both FieldsV1 trees: maps of maps). */
  @SuppressWarnings("unchecked")
  static void merge(Map<String, Object> into, Map<String, Object> add) {
    add.forEach((k, v) -> {
      Object have = into.get(k);
      if (have instanceof Map<?, ?> h && v instanceof Map<?, ?> a) {
        Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) h);
        merge(copy, (Map<String, Object>) a);
        into.put(k, copy);
      } else if (have == null) {
        into.put(k, v);
      }
    });
  }
}
