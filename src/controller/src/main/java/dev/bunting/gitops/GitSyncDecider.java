package dev.bunting.gitops;

import dev.bunting.api.Condition;
import dev.bunting.api.GitSync;
import dev.bunting.api.GitSyncInventory;
import dev.bunting.api.GitSyncRelease;
import dev.bunting.api.GitSyncRollbackStatus;
import dev.bunting.api.GitSyncSpec;
import dev.bunting.api.GitSyncStatus;
import dev.bunting.api.GoDuration;
import dev.bunting.api.NamedReference;
import dev.bunting.gitops.GitSyncPlan.Note;
import dev.bunting.gitops.GitSyncState.HealthClock;
import dev.bunting.gitops.GitSyncState.Waiting;
import dev.bunting.gitops.GitSyncState.Wake;
import dev.bunting.gitops.SyncResult.Applied;
import dev.bunting.gitops.SyncResult.Failed;
import dev.bunting.gitops.SyncResult.Invalid;
import dev.bunting.kube.EventRecorder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The GitSync engine's decisions, as pure functions of what the reconciler observed and did: no I/O, no clock, no
 * randomness of its own. {@link #mode} says what a reconcile does (nothing, report a bad spec, re-judge health, or a
 * full sync); {@link #decide} turns the GitSync and what its sync found (revision, apply outcome, health, or the
 * failure) into the new status and conditions, the Events, log lines and the next requeue; {@link #deletion} does the
 * same for a deleted GitSync. Status conditions follow kstatus ({@code Ready}, {@code Reconciling}, {@code Stalled})
 * with Flux's reasons; Events and log lines are repeated only when what they say changes.
 */
final class GitSyncDecider {
  static final String SUCCEEDED = "ReconciliationSucceeded";
  static final String PROGRESSING = "Progressing";
  static final String HEALTH_CHECK_FAILED = "HealthCheckFailed";
  static final String INVALID_SPEC = "InvalidSpec";
  static final String RECONCILIATION_FAILED = "ReconciliationFailed";
  static final String GARBAGE_COLLECTED = "GarbageCollected";
  static final String GARBAGE_COLLECTION_FAILED = "GarbageCollectionFailed";
  static final String FINALIZER_FAILED = "FinalizerFailed";
  static final String INFO = "INFO";
  static final String WARN = "WARN";
  /** Health is re-read from the caches this often while waiting (changes of the objects wake it sooner). */
  static final Duration HEALTH_RECHECK = Duration.ofSeconds(5);
  /** An apply that stopped to wait (a CRD, a Namespace, a deletion) is tried again this soon. */
  static final Duration APPLY_RECHECK = Duration.ofSeconds(2);
  /** WaitForTermination polls the deleted objects this often. */
  static final Duration TERMINATION_POLL = Duration.ofSeconds(2);
  private static final int MAX_NAMES = 5;
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  /**
   * What one reconcile of a GitSync that is not being deleted does. {@code UP_TO_DATE}: nothing, and the periodic sync
   * keeps its time (a health wake that came after the last sync had found everything ready).
   */
  enum Mode { SUSPENDED, INVALID, UP_TO_DATE, HEALTH_CHECK, FULL_SYNC }

  /**
   * What the decider knows besides the GitSync and the result: the time, and the GitSync's memory (when its wait for
   * readiness began, when its last full sync began, what it last logged about waiting). {@code jitter} in [0, 1)
   * places the next periodic sync within the jitter window.
   */
  record Snapshot(GitSync gitSync, Instant now, HealthClock healthClock, Instant lastFullSync, String lastWaitingLog,
      double jitter, List<GitSyncRelease> releases) {

    /** A snapshot of a reconcile that did not look at Canary targets (their releases stay as the status has them). */
    Snapshot(GitSync gitSync, Instant now, HealthClock healthClock, Instant lastFullSync, String lastWaitingLog,
        double jitter) {
      this(gitSync, now, healthClock, lastFullSync, lastWaitingLog, jitter, null);
    }
  }

  /** What to do for a deleted GitSync once its objects were dealt with. */
  record DeletionPlan(List<Note> events, List<Note> logs, int pruned, boolean release, boolean retry,
      Duration requeueAfter, String retryMessage) {}

  private final int jitterPercent;

  /** {@code jitterPercent}: {@code --interval-jitter-percentage}. */
  GitSyncDecider(int jitterPercent) {
    this.jitterPercent = jitterPercent;
  }

  static GitSyncSpec spec(GitSync gs) {
    return gs.getSpec() == null ? new GitSyncSpec() : gs.getSpec();
  }

  /**
   * @param settled whether the last reconcile applied the current spec, found every object ready and its next periodic
   *     sync is not due yet
   */
  Mode mode(GitSync gs, Wake requested, GitSyncState.LastSync last, Waiting waiting, boolean settled) {
    GitSyncSpec spec = spec(gs);
    if (spec.suspended()) {
      return Mode.SUSPENDED;
    }
    if (validate(spec) != null) {
      return Mode.INVALID;
    }
    // woken by a change to one of its objects while waiting for health: judge health again, no Git, no apply
    boolean sameSpec = last != null && Objects.equals(last.generation(), gs.getMetadata().getGeneration());
    if (requested == Wake.HEALTH && waiting == Waiting.HEALTH && sameSpec) {
      return Mode.HEALTH_CHECK;
    }
    // an object changed while the last sync read health, and that read found everything ready: the sync is over (an
    // object that changes after it is not watched until the next sync, as with Flux), so that wake is not a new sync
    return requested == Wake.HEALTH && waiting == Waiting.NOTHING && sameSpec && settled ? Mode.UP_TO_DATE
        : Mode.FULL_SYNC;
  }

  GitSyncPlan decide(Snapshot s, SyncResult result) {
    GitSyncPlan plan;
    if (result instanceof Invalid i) {
      plan = invalid(s, i.problem());
    } else if (result instanceof Failed f) {
      plan = failed(s, f);
    } else {
      plan = applied(s, (Applied) result);
    }
    return withReleases(s, plan);
  }

  private GitSyncPlan invalid(Snapshot s, String problem) {
    GitSync gs = s.gitSync();
    GitSyncStatus status = status(s, null, null);
    setCondition(status, s, Condition.READY, "False", INVALID_SPEC, problem);
    setCondition(status, s, Condition.STALLED, "True", INVALID_SPEC, problem);
    removeCondition(status, Condition.RECONCILING);
    List<Note> events = sameReady(gs, INVALID_SPEC, problem) ? List.of()
        : List.of(new Note(EventRecorder.WARNING, INVALID_SPEC, problem));
    return new GitSyncPlan(status, events, List.of(new Note(WARN, null, "invalid spec: " + problem)), null, false,
        Wake.NONE, Waiting.NOTHING, null, null, null, INVALID_SPEC, false);
  }

  private GitSyncPlan failed(Snapshot s, Failed f) {
    GitSync gs = s.gitSync();
    String full = f.revision() == null ? f.message() : "revision " + f.revision() + ": " + f.message();
    GitSyncStatus status = status(s, f.revision(), f.inventory());
    setCondition(status, s, Condition.READY, "False", f.reason(), full);
    if (f.stalled()) {
      setCondition(status, s, Condition.STALLED, "True", f.reason(), full);
    } else {
      removeCondition(status, Condition.STALLED);
    }
    removeCondition(status, Condition.RECONCILING);
    List<Note> events = sameReady(gs, f.reason(), full) ? List.of()
        : List.of(new Note(EventRecorder.WARNING, f.reason(), full));
    Waiting waiting = SyncFailure.DEPENDENCY_NOT_READY.equals(f.reason()) ? Waiting.DEPENDENCY : Waiting.NOTHING;
    // a stalled revision waits for a new commit or spec (and the periodic sync); anything else retries with backoff
    return new GitSyncPlan(status, events, List.of(new Note(WARN, null, full + " (" + f.reason() + ")")),
        nextSync(s), !f.stalled(), Wake.NONE, waiting, null, null, "failure", f.reason(), false);
  }

  private GitSyncPlan applied(Snapshot s, Applied a) {
    GitSync gs = s.gitSync();
    GitSyncSpec spec = spec(gs);
    GitRevision rev = a.revision();
    SyncOutcome outcome = a.outcome();
    Instant now = s.now();
    String waitKey = rev + "/" + gs.getMetadata().getGeneration();
    HealthClock clock = s.healthClock();
    if (clock == null || !clock.waitingFor().equals(waitKey) || outcome.wroteSomething()) {
      clock = new HealthClock(waitKey, now);
    }
    List<String> failed = new ArrayList<>();
    List<String> pending = new ArrayList<>(outcome.waiting());
    a.health().forEach((k, h) -> {
      if (h.isFailed()) {
        failed.add(k + ": " + h.message());
      } else if (!h.isCurrent()) {
        pending.add(k + " (" + h.message() + ")");
      }
    });
    Duration timeout = spec.timeoutOrDefault();
    Duration waited = Duration.between(clock.since(), now);
    String previousReady = readyReason(gs);
    List<Note> logs = new ArrayList<>();
    outcome.warnings().forEach(w -> logs.add(new Note(WARN, null, w)));
    String applied = (outcome.complete() ? "Applied revision " : "Applying revision ") + rev + ": "
        + outcome.summary() + (outcome.complete() ? "" : " so far");
    String event = outcome.wroteSomething() || gs.getStatus() == null
        || !rev.toString().equals(gs.getStatus().lastAttemptedRevision)
        ? applied + (outcome.changes().isEmpty() ? "" : " (" + abbreviate(outcome.changes()) + ")") : null;
    List<Note> events = new ArrayList<>();
    if (event != null) {
      events.add(new Note(EventRecorder.NORMAL, SUCCEEDED, event));
    }
    GitSyncStatus status = status(s, rev, outcome.inventory());

    if (!failed.isEmpty() || (!pending.isEmpty() && waited.compareTo(timeout) >= 0)) {
      String msg = !failed.isEmpty() ? "health check failed for revision " + rev + ": " + abbreviate(failed)
          : "timeout after " + GoDuration.format(timeout) + " waiting for revision " + rev + " to become ready: "
              + abbreviate(pending);
      setCondition(status, s, Condition.READY, "False", HEALTH_CHECK_FAILED, msg);
      removeCondition(status, Condition.RECONCILING);
      removeCondition(status, Condition.STALLED);
      if (!HEALTH_CHECK_FAILED.equals(previousReady)) {
        events.add(new Note(EventRecorder.WARNING, HEALTH_CHECK_FAILED, msg));
      }
      logs.add(new Note(WARN, null, msg));
      return new GitSyncPlan(status, events, logs, nextSync(s), false, Wake.NONE, Waiting.NOTHING, null, null,
          "failure", HEALTH_CHECK_FAILED, false);
    }
    if (!pending.isEmpty()) {
      String waitingFor = abbreviate(pending);
      String msg = applied + "; waiting for " + pending.size() + " object" + (pending.size() == 1 ? "" : "s")
          + " to become ready: " + waitingFor;
      if (!waitingFor.equals(s.lastWaitingLog())) {
        logs.add(new Note(INFO, null, "waiting for " + waitingFor));
      }
      setCondition(status, s, Condition.READY, "Unknown", PROGRESSING, msg);
      setCondition(status, s, Condition.RECONCILING, "True", PROGRESSING, msg);
      removeCondition(status, Condition.STALLED);
      Duration left = timeout.minus(waited);
      Duration recheck = outcome.complete() ? HEALTH_RECHECK : APPLY_RECHECK;
      Duration next = left.compareTo(recheck) < 0 ? left : recheck;
      // changes of its objects wake it at once; the timer is a cheap backstop (health is read from the caches only),
      // until spec.interval has passed since the last full sync: then the timer brings a full sync (a new commit).
      // An apply that stopped to wait goes on with a full sync.
      boolean healthOnly = outcome.complete() && (s.lastFullSync() == null
          || Duration.between(s.lastFullSync(), now).compareTo(spec.intervalOrDefault()) < 0);
      return new GitSyncPlan(status, events, logs, next.isNegative() || next.isZero() ? Duration.ofSeconds(1) : next,
          false, healthOnly ? Wake.HEALTH : Wake.NONE, outcome.complete() ? Waiting.HEALTH : Waiting.APPLY, clock,
          waitingFor, "progressing", null, false);
    }
    boolean newlyApplied = gs.getStatus() == null || !rev.toString().equals(gs.getStatus().lastAppliedRevision);
    if (outcome.wroteSomething() || newlyApplied) {
      logs.add(new Note(INFO, null, applied));
    }
    if (event == null && !SUCCEEDED.equals(previousReady)) {
      events.add(new Note(EventRecorder.NORMAL, SUCCEEDED, "Revision " + rev + " is ready"));
    }
    status.lastAppliedRevision = rev.toString();
    setCondition(status, s, Condition.READY, "True", SUCCEEDED, "Applied revision: " + rev);
    removeCondition(status, Condition.RECONCILING);
    removeCondition(status, Condition.STALLED);
    return new GitSyncPlan(status, events, logs, nextSync(s), false, Wake.NONE, Waiting.NOTHING, null, null,
        "success", null, newlyApplied || !SUCCEEDED.equals(previousReady));
  }

  /**
   * After the objects of a deleted GitSync were dealt with ({@code deletion}: what {@code ApplyPipeline.deleteAll}
   * did; null when nothing was to be deleted): release it (remove the finalizer), retry a failure that may pass
   * (until {@code spec.timeout} after the deletion), or wait for objects to terminate ({@code WaitForTermination}).
   * Failures and the timeout release it too, with a Warning Event naming what was left in place.
   */
  DeletionPlan deletion(GitSync gs, List<ObjectKey> inventory, ApplyPipeline.Deletion d, Instant now) {
    GitSyncSpec spec = spec(gs);
    String policy = spec.deletionPolicyOrDefault();
    List<Note> logs = new ArrayList<>();
    List<Note> events = new ArrayList<>();
    if (d == null) {
      if (!inventory.isEmpty()) {
        String why = spec.suspended() ? "the GitSync is suspended"
            : GitSyncSpec.ORPHAN.equals(policy) ? "deletionPolicy is Orphan" : "prune is false";
        logs.add(new Note(INFO, null, "deleted; its " + inventory.size() + " objects are left in place (" + why + ")"));
      }
      return new DeletionPlan(events, logs, 0, true, false, null, null);
    }
    Instant deadline = Instant.parse(gs.getMetadata().getDeletionTimestamp()).plus(spec.timeoutOrDefault());
    boolean late = now.isAfter(deadline);
    d.warnings().forEach(w -> logs.add(new Note(WARN, null, w)));
    if (!d.deleted().isEmpty()) {
      events.add(new Note(EventRecorder.NORMAL, GARBAGE_COLLECTED, "GitSync deleted (deletionPolicy " + policy
          + "): deleted " + d.deleted().size() + " object" + (d.deleted().size() == 1 ? "" : "s") + " ("
          + abbreviate(d.deleted().stream().map(ObjectKey::toString).toList()) + ")"));
    }
    int pruned = d.deleted().size();
    if (!d.failures().isEmpty() && d.transientFailure() && !late) {
      String msg = "deleting objects: " + abbreviate(d.failures());
      logs.add(new Note(WARN, null, "deleting its objects failed, will retry: " + abbreviate(d.failures())));
      return new DeletionPlan(events, logs, pruned, false, true, null, msg);
    }
    if (!d.failures().isEmpty()) {
      String msg = "GitSync deleted, but " + d.failures().size() + " of its objects could not be deleted and are"
          + " left in place: " + abbreviate(d.failures());
      logs.add(new Note(WARN, null, msg));
      events.add(new Note(EventRecorder.WARNING, GARBAGE_COLLECTION_FAILED, msg));
      return new DeletionPlan(events, logs, pruned, true, false, null, null);
    }
    boolean waiting = GitSyncSpec.WAIT_FOR_TERMINATION.equals(policy)
        && (!d.deleted().isEmpty() || !d.terminating().isEmpty());
    if (waiting && !late) {
      logs.add(new Note(INFO, null, "waiting for " + (d.deleted().size() + d.terminating().size())
          + " objects to terminate"));
      return new DeletionPlan(events, logs, pruned, false, false, TERMINATION_POLL, null);
    }
    if (waiting) {
      String msg = "GitSync deleted; timeout after " + GoDuration.format(spec.timeoutOrDefault()) + " waiting for "
          + abbreviate(d.terminating().stream().map(ObjectKey::toString).toList()) + " to terminate";
      logs.add(new Note(WARN, null, msg));
      events.add(new Note(EventRecorder.WARNING, GARBAGE_COLLECTION_FAILED, msg));
    }
    return new DeletionPlan(events, logs, pruned, true, false, null, null);
  }

  // ---------------------------------------------------------------------------------------------
  // Canary targets: status.releases, the annotations of the target, spec.rollback

  /**
   * A Canary whose target this GitSync applies, as the release logic needs it.
   *
   * @param name the Canary's name (in the target's namespace)
   * @param phase its phase ({@code Progressing}, {@code Failed}, ...), or null
   * @param gitRevision {@code status.gitRevision.revision}: the revision its current (or last) run is for, or null
   * @param failure why it failed (its Ready message), or null
   */
  record CanaryView(String name, String phase, String gitRevision, String failure) {}

  /** What a sync puts on a Canary target: the revision that last changed it and that commit's subject. */
  record Stamp(String revision, String subject) {}

  /**
   * A revert to push before applying: bring {@code target} (in {@code file}) back from {@code failed} to its content at
   * {@code previous}.
   */
  record RevertRequest(ObjectKey target, String file, GitRevision failed, GitRevision previous, String canary,
      String subject, String failure) {}

  /**
   * What a sync of one revision does about the Canary targets it renders.
   *
   * @param releases the new {@code status.releases}
   * @param stamps per target (inventory id): the annotations to apply it with
   * @param holds per target (inventory id): the revision whose content to apply instead ({@code spec.rollback: hold})
   * @param revert a revert commit to push first ({@code spec.rollback: revert}), or null
   */
  record ReleasePlan(List<GitSyncRelease> releases, Map<String, Stamp> stamps, Map<String, GitRevision> holds,
      RevertRequest revert) {}

  /** At most this many entries in {@code status.releases}. */
  static final int MAX_RELEASES = 100;
  static final String ROLLBACK_FAILED = "RollbackFailed";
  static final String ROLLBACK_PUSH_REJECTED = "RollbackPushRejected";
  static final String REVERT_CONFLICT = "RevertConflict";
  static final String NO_PREVIOUS_REVISION = "NoPreviousRevision";
  static final String ROLLED_BACK = "RolledBack";
  private static final String FAILED_PHASE = "Failed";

  /**
   * The releases of {@code rev} for the Canary targets among {@code rendered}. A target whose rendered content is the
   * same as its entry's keeps that entry (and its revision); a changed one gets a new entry for {@code rev}, whose
   * {@code previousRevision} is the last revision of that target whose Canary run did not fail (for a target without
   * an entry yet: the revision synced before this one). A Canary whose run is
   * for the entry's revision gives it its phase. Then {@code spec.rollback}: with {@code hold}, a failed entry's target
   * is applied as of its previous revision (until a newer commit changes it); with {@code revert}, the first failed
   * entry without a rollback yet asks for a revert commit (a failed attempt is tried again only once the branch moved
   * from where it was tried).
   *
   * @param current the releases as the GitSync knows them now (its status, or what this reconcile already changed)
   * @param rev the revision being synced (the branch head for a branch)
   * @param subject the first line of {@code rev}'s commit message
   */
  static ReleasePlan releases(GitSync gs, List<GitSyncRelease> current, GitRevision rev, String subject,
      List<Manifest> rendered, Function<ObjectKey, Optional<CanaryView>> canaries) {
    String mode = spec(gs).rollback;
    Map<String, GitSyncRelease> before = new HashMap<>();
    if (current != null) {
      current.forEach(e -> before.put(e.target, e));
    }
    List<GitSyncRelease> out = new ArrayList<>();
    Map<String, Stamp> stamps = new HashMap<>();
    Map<String, GitRevision> holds = new HashMap<>();
    RevertRequest revert = null;
    for (Manifest m : rendered) {
      Optional<CanaryView> canary = canaries.apply(m.key());
      if (canary.isEmpty() || out.size() >= MAX_RELEASES) {
        continue;
      }
      String target = m.key().toString();
      String digest = m.digest().substring(0, Math.min(16, m.digest().length()));
      GitSyncRelease old = before.get(target);
      GitSyncRelease e;
      if (old != null && digest.equals(old.digest)) {
        e = copy(old);
      } else if (old != null && old.rollback != null && GitSyncRollbackStatus.REVERTED.equals(old.rollback.action)
          && rev.sha().equals(old.rollback.commit)) {
        e = copy(old); // our own revert reached the cluster: still the same (failed) release
        e.digest = digest;
      } else {
        e = new GitSyncRelease();
        e.target = target;
        e.revision = rev.toString();
        e.subject = subject;
        e.digest = digest;
        e.previousRevision = old != null ? (FAILED_PHASE.equals(old.phase) ? old.previousRevision : old.revision)
            : lastOtherRevision(gs, rev);
      }
      CanaryView c = canary.get();
      e.canary = c.name();
      if (e.revision.equals(c.gitRevision()) && c.phase() != null) {
        e.phase = c.phase();
        e.message = FAILED_PHASE.equals(c.phase()) ? c.failure() : null;
      }
      stamps.put(m.key().inventoryId(), new Stamp(e.revision, e.subject));
      if (FAILED_PHASE.equals(e.phase) && mode != null) {
        Optional<GitRevision> previous = GitRevision.parse(e.previousRevision);
        if (previous.isEmpty()) {
          if (e.rollback == null) {
            e.rollback = rollback(GitSyncRollbackStatus.FAILED, NO_PREVIOUS_REVISION, null, "Canary " + e.canary
                + " failed, but " + target + " has no earlier revision in this GitSync to go back to", null);
          }
        } else if (GitSyncSpec.ROLLBACK_HOLD.equals(mode)) {
          holds.put(m.key().inventoryId(), previous.get());
          e.rollback = rollback(GitSyncRollbackStatus.HELD, null, null, target + " is applied as of "
              + previous.get().shortString() + " (Canary " + e.canary + " failed on "
              + GitRevision.parse(e.revision).map(GitRevision::shortString).orElse(e.revision)
              + ") until a newer commit changes it", null);
        } else if (GitSyncSpec.ROLLBACK_REVERT.equals(mode) && revert == null && (e.rollback == null
            || (GitSyncRollbackStatus.FAILED.equals(e.rollback.action) && e.rollback.attemptedOn != null
            && !rev.sha().equals(e.rollback.attemptedOn)))) {
          GitRevision failed = GitRevision.parse(e.revision).orElse(rev);
          revert = new RevertRequest(m.key(), m.file(), failed, previous.get(), e.canary, e.subject, e.message);
        }
      }
      out.add(e);
    }
    out.sort(Comparator.comparing(r -> r.target));
    return new ReleasePlan(out, stamps, holds, revert);
  }

  /**
   * For a target seen for the first time with content new in {@code rev}: the revision the GitSync synced before
   * (which had the content it comes from), or null when there was none.
   */
  private static String lastOtherRevision(GitSync gs, GitRevision rev) {
    GitSyncStatus st = gs.getStatus();
    if (st == null) {
      return null;
    }
    for (String r : new String[] {st.lastAttemptedRevision, st.lastAppliedRevision}) {
      if (r != null && !r.equals(rev.toString())) {
        return r;
      }
    }
    return null;
  }

  /** The release of {@code req} after its revert was pushed as {@code commit} (null: the branch needed no change). */
  static List<GitSyncRelease> reverted(List<GitSyncRelease> releases, RevertRequest req, String commit,
      String headSha) {
    return withRollback(releases, req, rollback(GitSyncRollbackStatus.REVERTED, null, commit == null ? headSha
        : commit, commit == null
        ? req.target() + " already has its content of " + req.previous().shortString() + " on the branch"
        : "pushed " + commit.substring(0, 12) + ", which reverts " + req.target() + " to its content of "
            + req.previous().shortString(), null));
  }

  /** The release of {@code req} after its revert failed on the branch at {@code headSha}. */
  static List<GitSyncRelease> revertFailed(List<GitSyncRelease> releases, RevertRequest req, String reason,
      String message, String headSha) {
    String r = GitException.PUSH_REJECTED.equals(reason) ? ROLLBACK_PUSH_REJECTED
        : GitException.CONFLICT.equals(reason) ? REVERT_CONFLICT : reason;
    return withRollback(releases, req, rollback(GitSyncRollbackStatus.FAILED, r, null, "cannot revert "
        + req.target() + " to " + req.previous().shortString() + ": " + message
        + " (tried again once the branch moves)", headSha));
  }

  /** The commit message of a revert: what it reverts, which Canary failed and why. */
  static String revertMessage(GitSync gs, RevertRequest req) {
    String title = req.subject() == null || req.subject().isBlank() ? "Revert " + req.target() + " to "
        + req.previous().shortString() : "Revert \"" + req.subject() + "\"";
    return title + "\n\nCanary " + req.target().namespace() + "/" + req.canary() + " failed on "
        + req.failed().shortString() + (req.failure() == null || req.failure().isBlank() ? "." : ": "
        + req.failure()) + "\n\nThis brings " + req.target() + " in " + req.file() + " back to its content at "
        + req.previous() + ", undoing the change of " + req.failed() + ".\nPushed by Bunting for GitSync "
        + gs.getMetadata().getNamespace() + "/" + gs.getMetadata().getName() + " (spec.rollback: revert).\n";
  }

  private static List<GitSyncRelease> withRollback(List<GitSyncRelease> releases, RevertRequest req,
      GitSyncRollbackStatus rollback) {
    List<GitSyncRelease> out = new ArrayList<>();
    for (GitSyncRelease e : releases) {
      GitSyncRelease c = copy(e);
      if (req.target().toString().equals(c.target)) {
        c.rollback = rollback;
      }
      out.add(c);
    }
    return out;
  }

  private static GitSyncRollbackStatus rollback(String action, String reason, String commit, String message,
      String attemptedOn) {
    GitSyncRollbackStatus r = new GitSyncRollbackStatus();
    r.action = action;
    r.reason = reason;
    r.commit = commit;
    r.message = message;
    r.attemptedOn = attemptedOn;
    return r;
  }

  private static GitSyncRelease copy(GitSyncRelease e) {
    return JSON.convertValue(e, GitSyncRelease.class);
  }

  /**
   * The releases of the snapshot into the plan's status, with condition {@code RollbackFailed} while a rollback
   * failed, and an Event for every rollback that happened or failed since the status was written.
   */
  private GitSyncPlan withReleases(Snapshot s, GitSyncPlan plan) {
    if (s.releases() == null) {
      return plan;
    }
    GitSyncStatus status = plan.status();
    status.releases = s.releases().isEmpty() ? null : s.releases();
    Map<String, GitSyncRelease> before = new HashMap<>();
    if (s.gitSync().getStatus() != null && s.gitSync().getStatus().releases != null) {
      s.gitSync().getStatus().releases.forEach(e -> before.put(e.target, e));
    }
    List<Note> events = new ArrayList<>(plan.events());
    List<Note> logs = new ArrayList<>(plan.logs());
    GitSyncRelease failing = null;
    for (GitSyncRelease e : s.releases()) {
      GitSyncRelease old = before.get(e.target);
      String was = old == null || old.rollback == null ? null : old.rollback.action + "|" + old.rollback.message;
      if (e.rollback != null && !Objects.equals(was, e.rollback.action + "|" + e.rollback.message)) {
        boolean bad = GitSyncRollbackStatus.FAILED.equals(e.rollback.action);
        String reason = bad ? e.rollback.reason : ROLLED_BACK;
        events.add(new Note(bad ? EventRecorder.WARNING : EventRecorder.NORMAL, reason, e.rollback.message));
        logs.add(new Note(bad ? WARN : INFO, null, e.rollback.message));
      }
      if (e.rollback != null && GitSyncRollbackStatus.FAILED.equals(e.rollback.action) && failing == null) {
        failing = e;
      }
    }
    if (failing != null) {
      setCondition(status, s, ROLLBACK_FAILED, "True", failing.rollback.reason, failing.rollback.message);
    } else {
      removeCondition(status, ROLLBACK_FAILED);
    }
    return new GitSyncPlan(status, events, logs, plan.requeueAfter(), plan.retry(), plan.nextWake(), plan.waiting(),
        plan.healthClock(), plan.waitingLog(), plan.result(), plan.errorReason(), plan.revisionReady());
  }

  /**
   * Flux's {@code dependsOn}: every dependency exists, is {@code Ready=True} for its current generation and, when it
   * follows the same repository and ref, has applied {@code rev}. Otherwise the sync stops before fetching anything,
   * with {@code DependencyNotReady}; a GitSync that depends on itself is stalled.
   */
  static Optional<Failed> dependenciesNotReady(GitSync gs, GitRevision rev,
      BiFunction<String, String, Optional<GitSync>> lookup) {
    GitSyncSpec spec = spec(gs);
    if (spec.dependsOn == null || spec.dependsOn.isEmpty()) {
      return Optional.empty();
    }
    String self = gs.getMetadata().getNamespace() + "/" + gs.getMetadata().getName();
    List<String> notReady = new ArrayList<>();
    for (NamedReference d : spec.dependsOn) {
      String ns = d.namespaceOr(gs.getMetadata().getNamespace());
      String id = ns + "/" + d.name;
      if (id.equals(self)) {
        return Optional.of(new Failed(rev, INVALID_SPEC, "spec.dependsOn: a GitSync cannot depend on itself", true,
            null));
      }
      Optional<GitSync> found = lookup.apply(ns, d.name);
      if (found.isEmpty()) {
        notReady.add("GitSync " + id + " not found");
        continue;
      }
      GitSync dep = found.get();
      GitSyncStatus st = dep.getStatus();
      boolean ready = st != null && Objects.equals(st.observedGeneration, dep.getMetadata().getGeneration())
          && Condition.find(st.conditions, Condition.READY).map(Condition::isTrue).orElse(false);
      if (!ready) {
        notReady.add("GitSync " + id + " is not ready");
      } else if (dep.getSpec() != null && Objects.equals(spec.url, dep.getSpec().url)
          && JSON.asJson(spec.refOrDefault()).equals(JSON.asJson(dep.getSpec().refOrDefault()))
          && !rev.toString().equals(st.lastAppliedRevision)) {
        notReady.add("GitSync " + id + " has not applied " + rev + " yet");
      }
    }
    return notReady.isEmpty() ? Optional.empty() : Optional.of(new Failed(rev, SyncFailure.DEPENDENCY_NOT_READY,
        "dependencies not ready: " + String.join("; ", notReady), false, null));
  }

  /** Whether {@code gs} depends on {@code namespace/name}. */
  static boolean dependsOn(GitSync gs, String namespace, String name) {
    GitSyncSpec spec = spec(gs);
    return spec.dependsOn != null && spec.dependsOn.stream()
        .anyMatch(d -> name.equals(d.name) && namespace.equals(d.namespaceOr(gs.getMetadata().getNamespace())));
  }

  /** The periodic sync after this one: {@code spec.interval}, jittered. */
  private Duration nextSync(Snapshot s) {
    return jittered(spec(s.gitSync()).intervalOrDefault(), jitterPercent, s.jitter());
  }

  /** {@code interval} moved by up to {@code percent} of it, down or up as {@code unit} (in [0, 1)) goes 0 to 1. */
  static Duration jittered(Duration interval, int percent, double unit) {
    if (percent == 0) {
      return interval;
    }
    long ms = interval.toMillis();
    long delta = Math.round(ms * (percent / 100.0) * (2 * unit - 1));
    return Duration.ofMillis(Math.max(1, ms + delta));
  }

  /** A copy of the status with what every sync sets: generation, attempted revision, handled request, inventory. */
  private static GitSyncStatus status(Snapshot s, GitRevision rev, List<ObjectKey> inventory) {
    GitSync gs = s.gitSync();
    GitSyncStatus status = gs.getStatus() == null ? new GitSyncStatus()
        : JSON.convertValue(gs.getStatus(), GitSyncStatus.class);
    if (status.conditions == null) {
      status.conditions = new ArrayList<>();
    }
    status.observedGeneration = gs.getMetadata().getGeneration();
    if (rev != null) {
      status.lastAttemptedRevision = rev.toString();
    }
    if (gs.requestedAt() != null) {
      status.lastHandledReconcileAt = gs.requestedAt();
    }
    if (inventory != null) {
      GitSyncInventory inv = new GitSyncInventory();
      inventory.forEach(k -> inv.entries.add(k.inventoryEntry()));
      status.inventory = inv;
    }
    return status;
  }

  private static void setCondition(GitSyncStatus status, Snapshot s, String type, String value, String reason,
      String message) {
    Condition now = new Condition(type, value, reason, message);
    now.observedGeneration = s.gitSync().getMetadata().getGeneration();
    Optional<Condition> old = Condition.find(status.conditions, type);
    if (old.isPresent() && old.get().sameStateAs(now)) {
      return;
    }
    now.lastTransitionTime = old.isPresent() && value.equals(old.get().status) && old.get().lastTransitionTime != null
        ? old.get().lastTransitionTime
        : DateTimeFormatter.ISO_INSTANT.format(s.now().truncatedTo(ChronoUnit.SECONDS));
    status.conditions.removeIf(c -> type.equals(c.type));
    status.conditions.add(now);
    status.conditions.sort((a, b) -> order(a.type) - order(b.type));
  }

  private static int order(String type) {
    return switch (type) {
      case Condition.READY -> 0;
      case Condition.RECONCILING -> 1;
      case Condition.STALLED -> 2;
      case ROLLBACK_FAILED -> 3;
      default -> 4;
    };
  }

  private static void removeCondition(GitSyncStatus status, String type) {
    status.conditions.removeIf(c -> type.equals(c.type));
  }

  private static String readyReason(GitSync gs) {
    return ready(gs).map(c -> c.reason).orElse(null);
  }

  /** Whether the Ready condition already says this (then its Event was recorded before). */
  private static boolean sameReady(GitSync gs, String reason, String message) {
    return ready(gs).map(c -> reason.equals(c.reason) && message.equals(c.message)).orElse(false);
  }

  private static Optional<Condition> ready(GitSync gs) {
    return gs.getStatus() == null ? Optional.empty() : Condition.find(gs.getStatus().conditions, Condition.READY);
  }

  static String abbreviate(List<String> items) {
    String s = items.stream().limit(MAX_NAMES).collect(Collectors.joining(", "));
    return items.size() > MAX_NAMES ? s + " and " + (items.size() - MAX_NAMES) + " more" : s;
  }

  /** Spec problems the CRD schema cannot catch (or that an older CRD let through). */
  static String validate(GitSyncSpec spec) {
    if (spec.url == null || spec.url.isBlank()) {
      return "spec.url is required";
    }
    String scheme = GitCredentials.scheme(spec.url);
    if (!List.of("https", "http", "ssh", "file").contains(scheme)) {
      return "spec.url must start with https://, http://, ssh:// or file:// (got '" + GitCredentials.safeUrl(spec.url)
          + "')";
    }
    if (spec.ref != null && spec.ref.kindCount() > 1) {
      return "spec.ref must set exactly one of branch, tag, semver or commit";
    }
    if (spec.ref != null && spec.ref.semver != null) {
      try {
        SemverRange.parse(spec.ref.semver);
      } catch (IllegalArgumentException e) {
        return "spec.ref.semver: " + e.getMessage();
      }
    }
    if (spec.ref != null && spec.ref.commit != null && !spec.ref.commit.matches("[0-9a-f]{40}")) {
      return "spec.ref.commit must be a full 40-hex commit id";
    }
    if (spec.interval != null && GoDuration.parse(spec.interval).isEmpty()) {
      return "spec.interval '" + spec.interval + "' is not a duration (e.g. 1m, 30s)";
    }
    if (spec.deletionPolicy != null && !List.of(GitSyncSpec.MIRROR_PRUNE, GitSyncSpec.DELETE,
        GitSyncSpec.WAIT_FOR_TERMINATION, GitSyncSpec.ORPHAN).contains(spec.deletionPolicy)) {
      return "spec.deletionPolicy must be MirrorPrune, Delete, WaitForTermination or Orphan (got '"
          + spec.deletionPolicy + "')";
    }
    if (spec.rollback != null && !List.of(GitSyncSpec.ROLLBACK_REVERT, GitSyncSpec.ROLLBACK_HOLD)
        .contains(spec.rollback)) {
      return "spec.rollback must be revert or hold (got '" + spec.rollback + "')";
    }
    if (GitSyncSpec.ROLLBACK_REVERT.equals(spec.rollback) && spec.refOrDefault().branch == null) {
      return "spec.rollback: revert pushes to a branch; spec.ref must name a branch (it names "
          + spec.refOrDefault() + ")";
    }
    if (spec.timeout != null && GoDuration.parse(spec.timeout).isEmpty()) {
      return "spec.timeout '" + spec.timeout + "' is not a duration (e.g. 1m, 30s)";
    }
    try {
      GitMirror.normalizePath(spec.path);
    } catch (GitException e) {
      return "spec.path: " + e.getMessage();
    }
    return null;
  }

  /** Keys of the entries in a status inventory. */
  static List<ObjectKey> inventory(GitSync gs) {
    List<ObjectKey> out = new ArrayList<>();
    if (gs.getStatus() != null && gs.getStatus().inventory != null && gs.getStatus().inventory.entries != null) {
      gs.getStatus().inventory.entries.forEach(e -> ObjectKey.fromInventory(e).ifPresent(out::add));
    }
    return out;
  }
}
