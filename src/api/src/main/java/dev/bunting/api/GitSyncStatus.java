package dev.bunting.api;

import java.util.List;

/** {@code GitSync.status}: Flux kustomize-controller's fields and formats, so tooling that reads them works. */
public class GitSyncStatus extends ApiObject {
  public Long observedGeneration;
  public List<Condition> conditions;
  /** The last revision applied and healthy, {@code main@sha1:<hex>}. */
  public String lastAppliedRevision;
  /** The last revision a sync was tried for. */
  public String lastAttemptedRevision;
  /** The last handled value of the reconcile-request annotation. */
  public String lastHandledReconcileAt;
  public GitSyncInventory inventory;
  /** Per Canary target it applies: the revision that last changed it and that Canary run's outcome (Bunting). */
  public List<GitSyncRelease> releases;
}
