package dev.bunting.images;

import dev.bunting.api.Condition;
import dev.bunting.api.GitSync;
import dev.bunting.api.GoDuration;
import dev.bunting.api.ImagePolicy;
import dev.bunting.api.ImagePolicySpec;
import dev.bunting.api.ImagePolicyStatus;
import dev.bunting.kube.EventRecorder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The ImagePolicy engine's decisions, as pure functions: whether the spec is usable, whether the newest image must be
 * written, and, from what a scan and a write did, the status, its {@code Ready} (and {@code Stalled}) condition, the
 * Events and log lines, and when to scan again. An image is written once: when the newest allowed image differs from
 * {@code status.writtenImage}; a revert of it (by Bunting's {@code spec.rollback} or by a person) is not undone until a
 * newer image appears. Events and log lines are repeated only when what they say changes.
 */
final class ImagePolicyDecider {
  static final String SUCCEEDED = "Succeeded";
  static final String INVALID_SPEC = "InvalidSpec";
  static final String INVALID_SECRET = "InvalidSecret";
  static final String NO_MATCHING_TAG = "NoMatchingTag";
  static final String GITSYNC_NOT_FOUND = "GitSyncNotFound";
  static final String NEW_IMAGE = "NewImage";
  static final String PUSHED = "Pushed";
  static final String INFO = "INFO";
  static final String WARN = "WARN";
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  /** An Event ({@code Normal}/{@code Warning} with a reason) or a log line ({@code INFO}/{@code WARN}). */
  record Note(String severity, String reason, String message) {}

  /** What a reconcile does: the status to write (only if it changed), Events, log lines, the next scan. */
  record Plan(ImagePolicyStatus status, List<Note> events, List<Note> logs, Duration requeueAfter) {}

  /** What one reconcile found. */
  sealed interface Result {}

  /** The spec cannot be used ({@code Stalled} until it changes). */
  record Invalid(String message) implements Result {}

  /** The tags could not be listed (or the Secret not read); nothing else changed. */
  record ScanFailed(String reason, String message) implements Result {}

  /**
   * The tags were listed ({@code tagCount}); {@code latestImage} is the newest allowed one (empty: none allowed);
   * {@code write} what writing it did.
   */
  record Scanned(int tagCount, Optional<String> latestImage, Write write) implements Result {}

  /** What writing the newest image into Git did. */
  sealed interface Write {}

  /** Nothing to write: no {@code spec.update}, no allowed tag, or the image was written before. */
  record NotNeeded() implements Write {}

  /** Pushed {@code commit} (to {@code where}), changing {@code lines} marked lines in {@code files}. */
  record Pushed(String commit, String where, List<String> files, int lines, boolean rebuilt) implements Write {}

  /** Every marked line already had the image ({@code marked} lines). */
  record AlreadyThere(int marked) implements Write {}

  /** No line under {@code path} names this policy. */
  record NoMarkers(String path) implements Write {}

  /** The write failed: the GitSync is missing, Git refused, ... */
  record WriteFailed(String reason, String message) implements Write {}

  private ImagePolicyDecider() {}

  /** Spec problems (the schema catches most of them, not all). */
  static String validate(ImagePolicySpec spec) {
    if (spec == null) {
      return "spec is missing";
    }
    try {
      ImageReference.parse(spec.image);
      TagPolicy.of(spec.policy, spec.filterTags);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    if (spec.interval != null && GoDuration.parse(spec.interval).isEmpty()) {
      return "spec.interval '" + spec.interval + "' is not a duration (e.g. 1m, 30s)";
    }
    if (spec.timeout != null && GoDuration.parse(spec.timeout).isEmpty()) {
      return "spec.timeout '" + spec.timeout + "' is not a duration (e.g. 30s)";
    }
    if (spec.update != null && (spec.update.gitSyncRef == null || spec.update.gitSyncRef.name == null
        || spec.update.gitSyncRef.name.isBlank())) {
      return "spec.update.gitSyncRef.name is required";
    }
    if (spec.update != null && spec.update.path != null && spec.update.path.matches("(^|.*/)\\.\\.(/.*|$)")) {
      return "spec.update.path must stay inside the repository (no '..' segments)";
    }
    return null;
  }

  /** Whether {@code latestImage} must be written into Git. */
  static boolean needsWrite(ImagePolicy p, String latestImage) {
    return p.getSpec().update != null && (p.getStatus() == null || !latestImage.equals(p.getStatus().writtenImage));
  }

  static Plan decide(ImagePolicy p, Instant now, Result result) {
    ImagePolicyStatus before = p.getStatus();
    ImagePolicyStatus st = before == null ? new ImagePolicyStatus() : JSON.convertValue(before, ImagePolicyStatus.class);
    st.observedGeneration = p.getMetadata().getGeneration();
    String requested = p.getMetadata().getAnnotations() == null ? null
        : p.getMetadata().getAnnotations().get(GitSync.REQUESTED_AT);
    if (requested != null) {
      st.lastHandledReconcileAt = requested;
    }
    if (st.conditions == null) {
      st.conditions = new ArrayList<>();
    }
    List<Note> events = new ArrayList<>();
    List<Note> logs = new ArrayList<>();
    Duration next = p.getSpec() == null ? ImagePolicySpec.DEFAULT_INTERVAL : p.getSpec().intervalOrDefault();
    if (result instanceof Invalid i) {
      ready(p, st, now, "False", INVALID_SPEC, i.message(), events, logs);
      setCondition(p, st, now, Condition.STALLED, "True", INVALID_SPEC, i.message());
      return new Plan(st, events, logs, null);
    }
    st.conditions.removeIf(c -> Condition.STALLED.equals(c.type));
    if (result instanceof ScanFailed f) {
      ready(p, st, now, "False", f.reason(), f.message(), events, logs);
      return new Plan(st, events, logs, next);
    }
    Scanned s = (Scanned) result;
    st.tagCount = s.tagCount();
    st.lastScanTime = time(now);
    if (s.latestImage().isEmpty()) {
      ready(p, st, now, "False", NO_MATCHING_TAG, "none of the " + s.tagCount() + " tags of " + p.getSpec().image
          + " is allowed by spec.policy" + (p.getSpec().filterTags == null ? "" : " and spec.filterTags"), events,
          logs);
      return new Plan(st, events, logs, next);
    }
    String latest = s.latestImage().get();
    if (!latest.equals(st.latestImage)) {
      String msg = "Latest image: " + latest + (st.latestImage == null ? "" : " (was " + st.latestImage + ")");
      events.add(new Note(EventRecorder.NORMAL, NEW_IMAGE, msg));
      logs.add(new Note(INFO, null, msg));
    }
    st.latestImage = latest;
    String found = "Latest image " + latest + " (" + s.tagCount() + " tags)";
    Write w = s.write();
    if (w instanceof Pushed push) {
      st.writtenImage = latest;
      st.lastPushCommit = push.commit();
      st.lastPushTime = time(now);
      String msg = "pushed " + push.commit().substring(0, 12) + " to " + push.where() + ": " + latest + " in "
          + String.join(", ", push.files()) + " (" + push.lines() + (push.lines() == 1 ? " line" : " lines") + ")"
          + (push.rebuilt() ? ", built again after a concurrent push" : "");
      events.add(new Note(EventRecorder.NORMAL, PUSHED, msg));
      logs.add(new Note(INFO, null, msg));
      ready(p, st, now, "True", SUCCEEDED, found + "; " + msg, events, logs);
    } else if (w instanceof AlreadyThere a) {
      st.writtenImage = latest;
      ready(p, st, now, "True", SUCCEEDED, found + "; the " + a.marked() + " marked line"
          + (a.marked() == 1 ? " has" : "s have") + " it already", events, logs);
    } else if (w instanceof NoMarkers m) {
      ready(p, st, now, "True", SUCCEEDED, found + "; no line under '" + m.path() + "' is marked {\"$imagepolicy\": \""
          + p.getMetadata().getNamespace() + ":" + p.getMetadata().getName() + "\"}, so nothing was written", events,
          logs);
    } else if (w instanceof WriteFailed f) {
      ready(p, st, now, "False", f.reason(), found + "; cannot write it to Git: " + f.message(), events, logs);
    } else {
      ready(p, st, now, "True", SUCCEEDED, found + (p.getSpec().update != null && latest.equals(st.writtenImage)
          ? "; written to Git" : ""), events, logs);
    }
    return new Plan(st, events, logs, next);
  }

  /** Sets {@code Ready}; a False one (a problem) is an Event and a log line when its message is new. */
  private static void ready(ImagePolicy p, ImagePolicyStatus st, Instant now, String status, String reason,
      String message, List<Note> events, List<Note> logs) {
    Optional<Condition> old = Condition.find(st.conditions, Condition.READY);
    boolean same = old.isPresent() && reason.equals(old.get().reason) && message.equals(old.get().message);
    if ("False".equals(status) && !same) {
      events.add(new Note(EventRecorder.WARNING, reason, message));
      logs.add(new Note(WARN, null, message + " (" + reason + ")"));
    }
    setCondition(p, st, now, Condition.READY, status, reason, message);
  }

  private static void setCondition(ImagePolicy p, ImagePolicyStatus st, Instant now, String type, String value,
      String reason, String message) {
    Condition c = new Condition(type, value, reason, message);
    c.observedGeneration = p.getMetadata().getGeneration();
    Optional<Condition> old = Condition.find(st.conditions, type);
    if (old.isPresent() && old.get().sameStateAs(c)) {
      return;
    }
    c.lastTransitionTime = old.isPresent() && value.equals(old.get().status) && old.get().lastTransitionTime != null
        ? old.get().lastTransitionTime : time(now);
    st.conditions.removeIf(x -> type.equals(x.type));
    st.conditions.add(c);
    st.conditions.sort((a, b) -> a.type.equals(Condition.READY) ? -1 : b.type.equals(Condition.READY) ? 1 : 0);
  }

  private static String time(Instant now) {
    return DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
  }
}
