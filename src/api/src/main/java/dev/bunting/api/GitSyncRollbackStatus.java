package dev.bunting.api;

/** {@code GitSync.status.releases[].rollback}: what {@code spec.rollback} did after a Canary run failed. */
public class GitSyncRollbackStatus extends ApiObject {
  public static final String REVERTED = "Reverted";
  public static final String HELD = "Held";
  public static final String FAILED = "Failed";

  /** {@code Reverted} (a revert commit was pushed), {@code Held} (the last good content is applied) or {@code Failed}. */
  public String action;
  /** Why it failed: {@code RollbackPushRejected}, {@code RevertConflict}, {@code NoPreviousRevision}, ... */
  public String reason;
  /** The revert commit (action {@code Reverted}). */
  public String commit;
  /** What happened, in words (the server's message when a push was rejected). */
  public String message;
  /** The branch head a failed attempt was made on: it is tried again only once the branch moves. */
  public String attemptedOn;
}
