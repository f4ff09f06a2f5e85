package dev.bunting.gitops;

import dev.bunting.api.GitSyncInventoryEntry;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Optional;

/**
 * Identifies one object a GitSync manages. {@link #inventoryId()} is Flux's {@code <namespace>_<name>_<group>_<kind>}
 * (core group and cluster scope are empty strings); {@link #toString()} is the {@code Kind/namespace/name} form used in
 * messages.
 */
public record ObjectKey(String group, String version, String kind, String namespace, String name) {

  public ObjectKey {
    group = group == null ? "" : group;
    namespace = namespace == null ? "" : namespace;
  }

  public static ObjectKey of(HasMetadata obj) {
    String apiVersion = obj.getApiVersion() == null ? "" : obj.getApiVersion();
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "" : apiVersion.substring(0, slash);
    String version = slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
    return new ObjectKey(group, version, obj.getKind(), obj.getMetadata().getNamespace(), obj.getMetadata().getName());
  }

  /** Reads an inventory entry; empty when its id is not four {@code _}-separated parts. */
  public static Optional<ObjectKey> fromInventory(GitSyncInventoryEntry e) {
    if (e == null || e.id == null) {
      return Optional.empty();
    }
    // namespace and name cannot contain '_' (DNS labels/subdomains); group neither; kind neither.
    String[] parts = e.id.split("_", -1);
    if (parts.length != 4 || parts[1].isEmpty() || parts[3].isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ObjectKey(parts[2], e.v, parts[3], parts[0], parts[1]));
  }

  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  public boolean namespaced() {
    return !namespace.isEmpty();
  }

  public String inventoryId() {
    return namespace + "_" + name + "_" + group + "_" + kind;
  }

  public GitSyncInventoryEntry inventoryEntry() {
    return new GitSyncInventoryEntry(inventoryId(), version);
  }

  /** Same object whatever the API version. */
  public boolean sameObject(ObjectKey o) {
    return group.equals(o.group) && kind.equals(o.kind) && namespace.equals(o.namespace) && name.equals(o.name);
  }

  /** {@code group/kind}, e.g. {@code apps/Deployment} or {@code /ConfigMap}; used to group objects by type. */
  public String groupKind() {
    return group + "/" + kind;
  }

  @Override
  public String toString() {
    return namespace.isEmpty() ? kind + "/" + name : kind + "/" + namespace + "/" + name;
  }
}
