package dev.bunting.gitops;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the controller remembers of one GitSync between reconciles: one record per GitSync, in memory only. None of it
 * is needed for correctness, only to save work and to time waits: a restarted controller begins with a full dry run
 * and a fresh health clock, and the status tells it everything else. Reconciles of one GitSync never overlap (the work
 * queue), but triggers ({@link #request}) and the owned-object watches ({@link #waiting}) touch it from other threads.
 */
final class GitSyncState {
  /** What the next reconcile was asked to do: nothing in particular (a full sync), a health re-check, a full sync. */
  enum Wake { NONE, HEALTH, FULL }

  /** What the GitSync waits for now: a change of one of its objects or of a dependency wakes it. */
  enum Waiting { NOTHING, HEALTH, APPLY, DEPENDENCY }

  /** The last sync that applied: its revision, the GitSync's generation then, and what it did. */
  record LastSync(GitRevision revision, Long generation, SyncOutcome outcome) {}

  /** Since when this GitSync waits for revision and generation {@code waitingFor} ({@code rev/gen}) to be ready. */
  record HealthClock(String waitingFor, Instant since) {}

  /** A rendered revision, kept until the revision, path or target namespace changes. */
  record Rendered(String sha, String path, String defaultNamespace, List<Manifest> manifests) {}

  /** Per object: what the last sync learned (digest, resourceVersion), so an unchanged object costs no request. */
  final Map<String, ApplyPipeline.Memo> memo = new ConcurrentHashMap<>();
  volatile Rendered rendered;
  volatile LastSync last;
  volatile HealthClock healthClock;
  /** When the last full sync (Git and apply, not a health re-check) started. */
  volatile Instant lastFullSync;
  /** What the last "waiting for" log line said (health is re-read every few seconds; only changes are logged). */
  volatile String lastWaitingLog;
  /** The last Warning about a refused finalizer (repeated only when the message changes). */
  volatile String finalizerWarning;
  volatile Waiting waiting = Waiting.NOTHING;
  /**
   * When the last reconcile succeeded with every object ready and nothing to wait for: when its next periodic sync is
   * due; null otherwise.
   */
  volatile Instant settledUntil;
  /** The releases a full sync of this reconcile computed (its Canary targets), for the status; null otherwise. */
  volatile List<dev.bunting.api.GitSyncRelease> releases;
  /** The resourceVersion of this controller's last write of the GitSync (status, finalizer) and when it was made. */
  private volatile String written;
  private volatile Instant writtenAt;
  private final AtomicReference<Wake> wake = new AtomicReference<>(Wake.NONE);

  /** Remembers a write of the GitSync, so that the next reconcile waits until the cache shows it. */
  void wrote(String resourceVersion, Instant at) {
    writtenAt = at;
    written = resourceVersion;
  }

  /**
   * Whether a cached GitSync at {@code cachedVersion} shows this controller's last write (read-your-writes: a reconcile
   * on an older copy would compute from a stale status and be refused with a conflict). After {@code patience} it
   * goes on anyway.
   */
  boolean cacheShowsWrites(String cachedVersion, Instant now, java.time.Duration patience) {
    String w = written;
    if (w == null) {
      return true;
    }
    if (dev.bunting.kube.ResourceVersions.atLeast(cachedVersion, w) || now.isAfter(writtenAt.plus(patience))) {
      written = null;
      return true;
    }
    return false;
  }

  /** Asks the next reconcile for {@code w} (a full sync wins over a health re-check). */
  void request(Wake w) {
    wake.accumulateAndGet(w, (a, b) -> a.compareTo(b) >= 0 ? a : b);
  }

  /** What was asked since the last reconcile began; clears it. */
  Wake takeRequest() {
    return wake.getAndSet(Wake.NONE);
  }
}
