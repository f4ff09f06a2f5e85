package dev.bunting.api;

/**
 * {@code GitSync.status.releases[]} (Bunting addition): for one Canary target the GitSync applies, the revision whose
 * sync last changed it, the commit's subject, and the outcome of the Canary run that change started. It is also the
 * GitSync's memory for {@code spec.rollback}: what to revert to ({@code previousRevision}), and what was done.
 */
public class GitSyncRelease extends ApiObject {
  /** The target, {@code Kind/namespace/name}. */
  public String target;
  /** The Canary (in the target's namespace) whose target this is. */
  public String canary;
  /** The revision whose sync changed the target's applied content last, {@code main@sha1:<hex>}. */
  public String revision;
  /** The first line of that commit's message. */
  public String subject;
  /** The revision the target came from: the last one whose Canary run did not fail (absent for a new target). */
  public String previousRevision;
  /** A digest of the target as rendered at {@code revision} (tells a new change from the same content). */
  public String digest;
  /** The Canary's phase for this revision (empty until it starts a run for it). */
  public String phase;
  /** Why the Canary failed, when it did. */
  public String message;
  /** What {@code spec.rollback} did about a failed run; absent when nothing. */
  public GitSyncRollbackStatus rollback;
}
