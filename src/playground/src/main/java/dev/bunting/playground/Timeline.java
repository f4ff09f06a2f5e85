package dev.bunting.playground;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The live timeline a person follows in the terminal: one line per thing that happened (a Git commit, an Event of
 * the Canary or the GitSync, a change of what the Canary says it is doing), each with the time, the time since the
 * release began, the Canary's phase, the canary weight the HTTPRoute has, and the canary's success rate and p99 latency
 * as Prometheus measures them. Lines are printed by one thread, a second or two after what they report and grouped
 * (a status change and the Events of the same step together), so that the columns show the state the step produced.
 *
 * <pre>
 * time      since  phase        weight  success      p99  what happened
 * 14:02:11   0:00  Succeeded         0        -        -  git: commit 5e1f0a2 podinfo: bump image to 1.1.0
 * </pre>
 */
public final class Timeline implements AutoCloseable {
  /** How old the oldest pending entry must be before its group is printed. */
  private static final Duration SETTLE = Duration.ofMillis(1200);
  /** Entries this close after the oldest pending one are printed with it (a status write and its Events). */
  private static final Duration GROUP = Duration.ofMillis(1000);
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss")
      .withZone(ZoneId.systemDefault());
  static final String HEADER = String.format(Locale.ROOT, "%-8s  %5s  %-12s %6s  %7s  %7s  %s",
      "time", "since", "phase", "weight", "success", "p99", "what happened");

  private final PrintStream out;
  private final Clock clock;
  private final CanaryWatch canary;
  private final Supplier<OptionalInt> routeWeight;
  private final CanaryReadings readings;
  private final String canaryName;
  private final String gitSyncName;
  private final SharedIndexInformer<Event> events;
  private final List<Entry> pending = new ArrayList<>();
  private final List<RecordedEvent> recorded = new CopyOnWriteArrayList<>();
  private final List<String> printed = new CopyOnWriteArrayList<>();
  private final Thread printer;
  private final Instant startedAt;
  private volatile Instant sectionStart;
  private volatile boolean closed;
  private String lastActivity = "";

  /** Something to print: a note of the playground, a Kubernetes Event, or a change of the Canary's activity. */
  private record Entry(Instant at, Kind kind, String text) {}

  private enum Kind { NOTE, EVENT, ACTIVITY }

  /** A Kubernetes Event about the Canary or the GitSync, as the timeline saw it. */
  public record RecordedEvent(Instant at, String kind, String type, String reason, String message) {}

  public Timeline(PrintStream out, Clock clock, KubernetesClient client, String namespace, CanaryWatch canary,
      String canaryName, String gitSyncName, Supplier<OptionalInt> routeWeight, CanaryReadings readings) {
    this.out = out;
    this.clock = clock;
    this.canary = canary;
    this.canaryName = canaryName;
    this.gitSyncName = gitSyncName;
    this.routeWeight = routeWeight;
    this.readings = readings;
    this.startedAt = clock.instant();
    this.sectionStart = startedAt;
    this.events = client.v1().events().inNamespace(namespace).runnableInformer(0);
    events.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Event e) {
        onEvent(e);
      }

      @Override
      public void onUpdate(Event old, Event e) {}

      @Override
      public void onDelete(Event e, boolean unknown) {}
    });
    canary.onChange(this::onCanary);
    this.printer = new Thread(this::printLoop, "playground-timeline");
    printer.setDaemon(true);
  }

  public CompletionStage<Void> start() {
    printer.start();
    return events.start();
  }

  /** Starts a new section (a release): prints its title and the column header; "since" counts from now. */
  public void section(String title) {
    flush();
    sectionStart = clock.instant();
    println("");
    println(title);
    println(HEADER);
  }

  /** A line from the playground itself (e.g. a commit). */
  public void note(String text) {
    add(new Entry(clock.instant(), Kind.NOTE, text));
  }

  /** Every Event of the Canary and the GitSync seen so far, oldest first. */
  public List<RecordedEvent> events() {
    return List.copyOf(recorded);
  }

  /** Every line printed so far. */
  public List<String> printed() {
    return List.copyOf(printed);
  }

  /** Prints whatever is pending now (e.g. before a summary). */
  public void flush() {
    List<Entry> due;
    synchronized (pending) {
      due = new ArrayList<>(pending);
      pending.clear();
    }
    print(due);
  }

  private void onEvent(Event e) {
    var about = e.getInvolvedObject();
    if (about == null) {
      return;
    }
    boolean ours = ("Canary".equals(about.getKind()) && canaryName.equals(about.getName()))
        || ("GitSync".equals(about.getKind()) && gitSyncName.equals(about.getName()));
    Instant at = timestamp(e);
    if (!ours || at.isBefore(startedAt.minusSeconds(2))) {
      return;
    }
    recorded.add(new RecordedEvent(at, about.getKind(), e.getType(), e.getReason(), e.getMessage()));
    String prefix = "GitSync".equals(about.getKind()) ? "GitSync " + about.getName() + ": " : "";
    String type = "Warning".equals(e.getType()) ? "[Warning] " : "";
    add(new Entry(clock.instant(), Kind.EVENT, type + prefix + e.getMessage()));
  }

  private static Instant timestamp(Event e) {
    String ts = e.getLastTimestamp() != null ? e.getLastTimestamp() : e.getFirstTimestamp();
    try {
      return ts == null ? Instant.now() : Instant.parse(ts);
    } catch (RuntimeException x) {
      return Instant.now();
    }
  }

  private void onCanary(Canary c) {
    add(new Entry(clock.instant(), Kind.ACTIVITY, activity(c)));
  }

  /** "Phase: what it does", without repeating the phase when the message starts with it. */
  static String activity(Canary c) {
    if (c.getStatus() == null) {
      return "";
    }
    String phase = c.getStatus().phaseOrNew().toString();
    String message = CanaryWatch.activity(c);
    if (message.toLowerCase(Locale.ROOT).startsWith(phase.toLowerCase(Locale.ROOT) + ": ")) {
      message = message.substring(phase.length() + 2);
    }
    return message.isEmpty() ? phase : phase + ": " + message;
  }

  private void add(Entry e) {
    synchronized (pending) {
      pending.add(e);
    }
  }

  private void printLoop() {
    while (!closed) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        return;
      }
      List<Entry> due = new ArrayList<>();
      synchronized (pending) {
        if (!pending.isEmpty() && !pending.get(0).at().isAfter(clock.instant().minus(SETTLE))) {
          Instant groupEnd = pending.get(0).at().plus(GROUP);
          while (!pending.isEmpty() && !pending.get(0).at().isAfter(groupEnd)) {
            due.add(pending.remove(0));
          }
        }
      }
      print(due);
    }
  }

  /**
   * Prints a batch. A change of activity is printed only when no Event or note came with it (Events say more), and
   * only when it differs from the last one printed.
   */
  private synchronized void print(List<Entry> due) {
    if (due.isEmpty()) {
      return;
    }
    boolean eventful = due.stream().anyMatch(e -> e.kind() != Kind.ACTIVITY);
    List<Entry> lines = new ArrayList<>();
    for (Entry e : due) {
      if (e.kind() == Kind.ACTIVITY) {
        if (eventful || e.text().isEmpty() || e.text().equals(lastActivity)) {
          lastActivity = e.text();
          continue;
        }
        lastActivity = e.text();
      }
      lines.add(e);
    }
    if (lines.isEmpty()) {
      return;
    }
    CanaryPhase phase = canary.phase();
    OptionalInt weight = routeWeight.get();
    CanaryReadings.Reading r = readings.now(canary.current()
        .filter(c -> c.getStatus() != null && c.getStatus().analysis != null && c.getStatus().analysis.startedAt != null)
        .map(c -> Instant.parse(c.getStatus().analysis.startedAt)));
    for (Entry e : lines) {
      println(format(e.at(), Duration.between(sectionStart, e.at()), phase, weight, r, e.text()));
    }
  }

  static String format(Instant at, Duration since, CanaryPhase phase, OptionalInt weight,
      CanaryReadings.Reading r, String text) {
    long s = Math.max(0, since.toSeconds());
    return String.format(Locale.ROOT, "%-8s  %5s  %-12s %6s  %7s  %7s  %s",
        CLOCK.format(at),
        (s / 60) + ":" + String.format(Locale.ROOT, "%02d", s % 60),
        phase,
        weight.isPresent() ? String.valueOf(weight.getAsInt()) : "-",
        r.successRate().isPresent() ? String.format(Locale.ROOT, "%.1f%%", r.successRate().getAsDouble()) : "-",
        r.p99Millis().isPresent() ? String.format(Locale.ROOT, "%.0fms", r.p99Millis().getAsDouble()) : "-",
        text);
  }

  private void println(String line) {
    printed.add(line);
    out.println(line);
    out.flush();
  }

  @Override
  public void close() {
    closed = true;
    printer.interrupt();
    events.stop();
  }
}
