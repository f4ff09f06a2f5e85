package dev.bunting.ui;

import dev.bunting.api.AnalysisStatus;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryActionStatus;
import dev.bunting.api.CanaryStatus;
import dev.bunting.canary.CanarySummary;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What this controller has seen of each canary since it started: one entry per observed status change (phase, weight,
 * failed checks, a new analysis reading, the decision and its reason, an action handled, a new Git commit), kept in a
 * bounded ring per canary ({@link #capacity} entries; the oldest go first), for at most {@link #maxCanaries}
 * canaries and at most {@link #maxEntries} entries in all: past that, the oldest entry of the least recently changed
 * (or viewed) canary goes, so a long-running controller of a large fleet holds the recent releases of every canary
 * instead of growing with each release. Nothing is persisted: a restarted controller starts an empty history (the
 * status itself is the memory).
 * Thread-safe; {@link #observe} is cheap enough for an informer callback.
 */
public final class CanaryHistory {
  private final Clock clock;
  private final int capacity;
  private final int maxCanaries;
  private final int maxEntries;
  private int total;
  private final Map<String, Track> tracks = new LinkedHashMap<>(16, 0.75f, true);

  /** One canary's ring (each entry its JSON in UTF-8: a fraction of a JsonObject's memory) and the last state seen. */
  private static final class Track {
    final Deque<byte[]> entries = new ArrayDeque<>();
    Seen last;
  }

  /** The parts of a status whose changes are recorded. */
  private record Seen(String phase, int weight, int failed, String evaluatedAt, String decision, String action,
      String commit) {
    static Seen of(Canary c) {
      CanaryStatus st = CanarySummary.status(c);
      CanaryActionStatus a = st.lastAction;
      return new Seen(CanarySummary.phase(c), st.canaryWeightOrZero(), st.failedChecksOrZero(),
          st.analysis == null ? null : st.analysis.evaluatedAt, CanarySummary.lastDecision(c),
          a == null ? null : a.request + " " + a.result,
          st.gitRevision == null ? null : st.gitRevision.describe());
    }
  }

  public CanaryHistory(Clock clock, int capacity, int maxCanaries, int maxEntries) {
    this.clock = clock;
    this.capacity = capacity;
    this.maxCanaries = maxCanaries;
    this.maxEntries = maxEntries;
  }

  /** Records what changed in {@code canary} since the last observation; returns whether anything was recorded. */
  public synchronized boolean observe(Canary canary) {
    String key = RolloutJson.key(canary.getMetadata().getNamespace(), canary.getMetadata().getName());
    Track track = tracks.computeIfAbsent(key, k -> new Track());
    while (tracks.size() > maxCanaries) {
      Iterator<Track> oldest = tracks.values().iterator();
      total -= oldest.next().entries.size();
      oldest.remove();
    }
    Seen now = Seen.of(canary);
    Seen before = track.last;
    if (now.equals(before)) {
      return false;
    }
    track.last = now;
    CanaryStatus st = CanarySummary.status(canary);
    List<String> changes = new ArrayList<>();
    if (before == null) {
      changes.add("First seen: " + now.phase() + ", weight " + now.weight());
    } else {
      if (!now.phase().equals(before.phase())) {
        changes.add("Phase " + before.phase() + " \u2192 " + now.phase());
      }
      if (now.weight() != before.weight()) {
        changes.add("Weight " + before.weight() + " \u2192 " + now.weight());
      }
      if (now.failed() != before.failed()) {
        changes.add("Failed checks " + before.failed() + " \u2192 " + now.failed() + "/"
            + CanarySummary.threshold(canary));
      }
      if (!Objects.equals(now.commit(), before.commit()) && now.commit() != null) {
        changes.add("Git commit " + now.commit());
      }
    }
    JsonObject entry = new JsonObject()
        .put("at", clock.instant().toString())
        .put("phase", st.phaseOrNew().toString())
        .put("weight", now.weight())
        .put("failedChecks", now.failed())
        .put("changes", new JsonArray(changes));
    if (before == null || !Objects.equals(now.decision(), before.decision())) {
      entry.put("decision", now.decision());
    }
    if (now.action() != null && (before == null || !Objects.equals(now.action(), before.action()))) {
      CanaryActionStatus a = st.lastAction;
      entry.put("action", a.request + ": " + a.result + (a.message == null ? "" : " \u2014 " + a.message));
    }
    AnalysisStatus analysis = st.analysis;
    if (analysis != null && analysis.evaluatedAt != null
        && (before == null || !Objects.equals(now.evaluatedAt(), before.evaluatedAt()))) {
      entry.put("analysis", new JsonObject().put("evaluatedAt", analysis.evaluatedAt).put("result", analysis.result)
          .put("message", analysis.message).put("metrics", RolloutJson.metrics(analysis.metrics)));
    }
    track.entries.addLast(entry.toBuffer().getBytes());
    total++;
    if (track.entries.size() > capacity) {
      track.entries.removeFirst();
      total--;
    }
    // over the budget: the least recently used canaries give up their oldest entries (this one is the most recent)
    for (Iterator<Track> it = tracks.values().iterator(); total > maxEntries && it.hasNext(); ) {
      Track t = it.next();
      while (total > maxEntries && !t.entries.isEmpty() && (t != track || t.entries.size() > 1)) {
        t.entries.removeFirst();
        total--;
      }
    }
    return true;
  }

  /** Forgets a deleted canary. */
  public synchronized void forget(String namespace, String name) {
    Track gone = tracks.remove(RolloutJson.key(namespace, name));
    if (gone != null) {
      total -= gone.entries.size();
    }
  }

  /** Entries held, all canaries together. */
  synchronized int size() {
    return total;
  }

  /** The entries of canary {@code namespace/name}, oldest first (copies). */
  public synchronized JsonArray entries(String namespace, String name) {
    Track track = tracks.get(RolloutJson.key(namespace, name));
    JsonArray out = new JsonArray();
    if (track != null) {
      track.entries.forEach(e -> out.add(entry(e)));
    }
    return out;
  }

  /** The newest entry of canary {@code namespace/name}, or null. */
  public synchronized JsonObject latest(String namespace, String name) {
    Track track = tracks.get(RolloutJson.key(namespace, name));
    return track == null || track.entries.isEmpty() ? null : entry(track.entries.getLast());
  }

  private static JsonObject entry(byte[] json) {
    return new JsonObject(Buffer.buffer(json));
  }
}
