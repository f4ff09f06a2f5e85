package dev.bunting.gitops;

import java.util.Map;

/** The labels that mark an object as applied by a GitSync; prune deletes only objects carrying both. */
public final class OwnerLabels {
  public static final String NAME = dev.bunting.api.GitSync.NAME_LABEL;
  public static final String NAMESPACE = dev.bunting.api.GitSync.NAMESPACE_LABEL;

  private OwnerLabels() {}

  public static Map<String, String> of(String gitSyncNamespace, String gitSyncName) {
    return Map.of(NAME, gitSyncName, NAMESPACE, gitSyncNamespace);
  }

  /** True when {@code labels} name exactly this GitSync. */
  public static boolean ownedBy(Map<String, String> labels, String gitSyncNamespace, String gitSyncName) {
    return labels != null && gitSyncName.equals(labels.get(NAME)) && gitSyncNamespace.equals(labels.get(NAMESPACE));
  }
}
