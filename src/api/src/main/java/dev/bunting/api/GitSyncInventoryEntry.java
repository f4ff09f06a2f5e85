package dev.bunting.api;

import java.util.Objects;

/** One inventory entry: {@code id} is {@code <namespace>_<name>_<group>_<kind>}, {@code v} the API version. */
public class GitSyncInventoryEntry extends ApiObject {
  public String id;
  public String v;

  public GitSyncInventoryEntry() {}

  public GitSyncInventoryEntry(String id, String v) {
    this.id = id;
    this.v = v;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GitSyncInventoryEntry e && Objects.equals(id, e.id) && Objects.equals(v, e.v);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, v);
  }
}
