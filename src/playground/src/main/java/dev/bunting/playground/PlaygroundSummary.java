package dev.bunting.playground;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The end of a playground run in words and a table: each release's version, expected and actual outcome, how long it
 * took, the canary weights the HTTPRoute went through and the Prometheus readings that decided.
 *
 * @param scenario the scenario played
 * @param interval the analysis interval
 * @param outcomes one per release, in order
 * @param primaryImage what the primary runs at the end
 * @param answers the load generator's answers by HTTP status
 * @param total the whole run, setup included
 */
public record PlaygroundSummary(Scenario scenario, Duration interval, List<ReleaseOutcome> outcomes,
    String primaryImage, Map<Integer, Long> answers, Duration total) {

  private static final String ROW = "  %-7s  %-10s  %-11s  %-11s  %6s  %-26s  %s";

  /** Whether every release ended as a working Bunting ends it. */
  public boolean asExpected() {
    return !outcomes.isEmpty() && outcomes.stream().allMatch(ReleaseOutcome::asExpected);
  }

  /** The summary as printed. */
  public List<String> lines() {
    List<String> lines = new ArrayList<>();
    lines.add("");
    lines.add("Summary: scenario " + scenario + ", analysis every " + interval.toSeconds() + "s");
    lines.add(String.format(Locale.ROOT, ROW, "release", "version",
        "expected", "result", "took", "canary weights (HTTPRoute)", "deciding readings (Prometheus, from the Event)"));
    for (int i = 0; i < outcomes.size(); i++) {
      ReleaseOutcome o = outcomes.get(i);
      lines.add(String.format(Locale.ROOT, ROW, (i + 1) + "/" + outcomes.size(),
          o.tag(), o.expectPromoted() ? "promoted" : "rolled back", o.result(), duration(o.duration()),
          o.weights().stream().map(String::valueOf).collect(Collectors.joining(" ")), readings(o.decision())));
      if (!o.problem().isEmpty()) {
        lines.add("           problem: " + o.problem());
      }
      if (!o.revert().isEmpty()) {
        lines.add("           git: reverted by commit " + o.revert());
      }
    }
    lines.add("  primary podinfo-primary runs " + primaryImage);
    long all = answers.values().stream().mapToLong(Long::longValue).sum();
    lines.add("  traffic: " + all + " requests through the gateway ("
        + new TreeMap<>(answers).entrySet().stream()
            .map(e -> e.getValue() + "x " + (e.getKey() == 0 ? "no answer" : e.getKey()))
            .collect(Collectors.joining(", ")) + ")");
    lines.add("  total: " + duration(total) + (asExpected() ? "; every release ended as expected."
        : "; NOT every release ended as expected."));
    return lines;
  }

  /** The readings of a deciding Event: the parenthesised list of an "Advance", the reason of a "Halt". */
  static String readings(String event) {
    if (event == null || event.isEmpty()) {
      return "-";
    }
    if (event.startsWith("Advance ") && event.endsWith(")") && event.contains(" (")) {
      return event.substring(event.lastIndexOf(" (") + 2, event.length() - 1);
    }
    int advancement = event.indexOf(" advancement ");
    return advancement >= 0 ? event.substring(advancement + " advancement ".length()) : event;
  }

  static String duration(Duration d) {
    long s = Math.round(d.toMillis() / 1000.0);
    return s >= 60 ? (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s" : s + "s";
  }
}
