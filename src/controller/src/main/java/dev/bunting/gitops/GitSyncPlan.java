package dev.bunting.gitops;

import dev.bunting.api.GitSyncStatus;
import java.time.Duration;

/**
 * What a reconcile of a GitSync does once it knows what happened ({@link GitSyncDecider#decide}): the status to write
 * (written once, only if it differs), Events (recorded after the status), log lines, when to come back and for what,
 * and what to remember.
 *
 * @param requeueAfter when to reconcile again; null for only when something changes
 * @param retry the sync failed in a way that may pass: back off and retry (the work queue's backoff)
 * @param nextWake what the requeue is for: a health re-check ({@code HEALTH}) or a full sync
 * @param waiting what the GitSync waits for now (changes of its objects or dependencies wake it)
 * @param healthClock since when it waits for its revision to become ready; null when it does not wait
 * @param waitingLog what the "waiting for" log line said, so it is repeated only when it changes
 * @param result the label of {@code bunting_gitsync_sync_duration_seconds}: success, progressing, failure (or null)
 * @param errorReason counted in {@code bunting_gitsync_errors}; null when the sync did not fail
 * @param revisionReady the revision became ready now ({@code bunting_gitsync_last_applied_revision_timestamp_seconds})
 */
record GitSyncPlan(GitSyncStatus status, java.util.List<Note> events, java.util.List<Note> logs, Duration requeueAfter,
    boolean retry, GitSyncState.Wake nextWake, GitSyncState.Waiting waiting, GitSyncState.HealthClock healthClock,
    String waitingLog, String result, String errorReason, boolean revisionReady) {

  /** An Event ({@code Normal}/{@code Warning} with a reason) or a log line ({@code INFO}/{@code WARN}, reason unused). */
  record Note(String severity, String reason, String message) {}

  /** The message of the retry error (the status already says what failed). */
  String retryMessage() {
    return status.conditions.stream().filter(c -> dev.bunting.api.Condition.READY.equals(c.type)).findFirst()
        .map(c -> c.message).orElse("sync failed");
  }
}
