package dev.bunting.gitops;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;

/** What one reconcile of a GitSync found and did: the input of {@link GitSyncDecider#decide}, besides the GitSync. */
sealed interface SyncResult {

  /** The spec is wrong in a way the CRD schema cannot catch. */
  record Invalid(String problem) implements SyncResult {}

  /**
   * The revision was applied (or partly: {@link SyncOutcome#waiting}), or re-judged without Git and apply when
   * {@code healthOnly}; {@code health} of every applied object, from the watch caches.
   */
  record Applied(GitRevision revision, SyncOutcome outcome, Map<ObjectKey, Health> health, boolean healthOnly)
      implements SyncResult {}

  /**
   * The sync stopped. {@code revision} is null when the ref could not be resolved; {@code stalled} when retrying the
   * same revision cannot help; {@code inventory}, when not null, is what the GitSync manages now.
   */
  record Failed(GitRevision revision, String reason, String message, boolean stalled, List<ObjectKey> inventory)
      implements SyncResult {

    /** What a failure of a sync step says to the user. */
    static Failed of(GitRevision revision, Throwable e) {
      Throwable cause = e;
      while (!(cause instanceof SyncFailure) && !(cause instanceof GitException) && cause.getCause() != null
          && cause.getCause() != cause) {
        cause = cause.getCause();
      }
      if (cause instanceof SyncFailure f) {
        return new Failed(revision, f.reason(), f.getMessage(), f.stalled(), f.inventory());
      }
      if (cause instanceof GitException g) {
        return new Failed(revision, g.reason(), g.getMessage(), false, null);
      }
      String msg = cause instanceof KubernetesClientException k ? ApplyPipeline.serverMessage(k)
          : cause.getMessage() == null ? cause.toString() : cause.getMessage();
      return new Failed(revision, GitSyncDecider.RECONCILIATION_FAILED, msg, false, null);
    }
  }
}
