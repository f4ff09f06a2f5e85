package dev.bunting.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Owning an object's whole {@code spec} under server-side apply, for objects whose spec Flagger replaces with a PUT
 * (routing objects such as Istio's VirtualService). Server-side apply removes a field only when the applying manager
 * owned it and leaves it out; a field another manager set (the user's {@code kubectl apply}, a GitOps tool) would
 * survive. {@link #plan} moves every other manager's ownership of spec fields into this manager's Apply entry (a write
 * of {@code metadata.managedFields} only), so the apply that follows leaves exactly the applied spec.
 * {@link #upToDate} is the matching comparison: the specs are equal (a field Bunting no longer writes is a change) and
 * the applied metadata is present.
 */
public final class SpecOwnership {
  private SpecOwnership() {}

  /** Whether applying {@code desired} would change nothing: equal specs, and {@code live} has the desired metadata. */
  public static boolean upToDate(HasMetadata live, HasMetadata desired) {
    if (live == null) {
      return false;
    }
    ObjectNode have = Serialization.jsonMapper().valueToTree(live);
    ObjectNode want = Serialization.jsonMapper().valueToTree(desired);
    JsonNode haveSpec = have.remove("spec");
    JsonNode wantSpec = want.remove("spec");
    return sameValue(haveSpec == null ? Serialization.jsonMapper().createObjectNode() : haveSpec,
        wantSpec == null ? Serialization.jsonMapper().createObjectNode() : wantSpec)
        && Subset.contains(have.get("metadata"), want.get("metadata"));
  }

  /** JSON equality with numbers compared by value (the server may write 50 for 50.0) and nulls read as absent. */
  static boolean sameValue(JsonNode a, JsonNode b) {
    if (a == null || a.isNull() || a.isMissingNode()) {
      return b == null || b.isNull() || b.isMissingNode();
    }
    if (b == null || b.isNull() || b.isMissingNode()) {
      return false;
    }
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    if (a.isObject() && b.isObject()) {
      List<String> names = new ArrayList<>();
      a.fieldNames().forEachRemaining(n -> {
        if (!a.get(n).isNull()) {
          names.add(n);
        }
      });
      long bNames = 0;
      for (var it = b.fields(); it.hasNext(); ) {
        if (!it.next().getValue().isNull()) {
          bNames++;
        }
      }
      if (names.size() != bNames) {
        return false;
      }
      return names.stream().allMatch(n -> sameValue(a.get(n), b.get(n)));
    }
    if (a.isArray() && b.isArray()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!sameValue(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  /**
   * The managedFields of {@code live} with every other manager's spec fields folded into {@code manager}'s Apply entry
   * (recorded for {@code apiVersion}); empty when no other manager owns spec fields. Status and other subresource entries are
   * left alone. {@code live} is not changed.
   */
  @SuppressWarnings("unchecked")
  public static Optional<List<ManagedFieldsEntry>> plan(HasMetadata live, String manager, String apiVersion,
      Instant now) {
    List<ManagedFieldsEntry> entries = live.getMetadata().getManagedFields();
    if (entries == null || entries.stream().noneMatch(e -> foreignSpecOwner(e, manager))) {
      return Optional.empty();
    }
    Map<String, Object> taken = new LinkedHashMap<>();
    List<ManagedFieldsEntry> out = new ArrayList<>();
    ManagedFieldsEntry ours = null;
    for (ManagedFieldsEntry e : entries) {
      ManagedFieldsEntry copy = Serialization.clone(e);
      if (ours == null && manager.equals(copy.getManager()) && "Apply".equals(copy.getOperation())
          && noSubresource(copy)) {
        ours = copy;
        copy.setApiVersion(apiVersion);
        out.add(copy);
        continue;
      }
      if (foreignSpecOwner(copy, manager)) {
        Map<String, Object> fields = new LinkedHashMap<>(copy.getFieldsV1().getAdditionalProperties());
        merge(taken, Map.of("f:spec", fields.remove("f:spec")));
        if (fields.isEmpty() || fields.keySet().stream().allMatch("."::equals)) {
          continue; // nothing left to own
        }
        FieldsV1 rest = new FieldsV1();
        fields.forEach(rest::setAdditionalProperty);
        copy.setFieldsV1(rest);
      }
      out.add(copy);
    }
    if (ours == null) {
      ours = new ManagedFieldsEntry();
      ours.setApiVersion(apiVersion);
      ours.setFieldsType("FieldsV1");
      ours.setManager(manager);
      ours.setOperation("Apply");
      ours.setFieldsV1(new FieldsV1());
      out.add(ours);
    }
    Map<String, Object> mine = new LinkedHashMap<>(ours.getFieldsV1() == null ? Map.of()
        : ours.getFieldsV1().getAdditionalProperties());
    merge(mine, taken);
    FieldsV1 merged = new FieldsV1();
    mine.forEach(merged::setAdditionalProperty);
    ours.setFieldsV1(merged);
    ours.setTime(now.truncatedTo(ChronoUnit.SECONDS).toString());
    return Optional.of(out);
  }

  /** The managers whose spec fields {@link #plan} takes, for messages. */
  public static List<String> foreignSpecOwners(HasMetadata live, String manager) {
    List<ManagedFieldsEntry> entries = live.getMetadata().getManagedFields();
    return entries == null ? List.of()
        : entries.stream().filter(e -> foreignSpecOwner(e, manager)).map(ManagedFieldsEntry::getManager).distinct()
            .toList();
  }

  private static boolean foreignSpecOwner(ManagedFieldsEntry e, String manager) {
    boolean ours = manager.equals(e.getManager()) && "Apply".equals(e.getOperation());
    return !ours && noSubresource(e) && e.getFieldsV1() != null
        && e.getFieldsV1().getAdditionalProperties().get("f:spec") instanceof Map<?, ?>;
  }

  private static boolean noSubresource(ManagedFieldsEntry e) {
    return e.getSubresource() == null || e.getSubresource().isEmpty();
  }

  /** Adds {@code add}'s field paths to {@code into} (FieldsV1 trees: maps of maps). */
  @SuppressWarnings("unchecked")
  private static void merge(Map<String, Object> into, Map<String, Object> add) {
    add.forEach((k, v) -> {
      Object have = into.get(k);
      if (have instanceof Map<?, ?> h && v instanceof Map<?, ?> a) {
        Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) h);
        merge(copy, (Map<String, Object>) a);
        into.put(k, copy);
      } else if (have == null && v != null) {
        into.put(k, v instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Object>) m) : v);
      }
    });
  }
}
