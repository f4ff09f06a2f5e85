package dev.bunting.cli;

import dev.bunting.api.AnalysisStatus;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A canary as a person reads it in a terminal ({@code bunting status NAME}): its phase, weight and failed checks, what
 * it is doing or why it stopped, and the last analysis tick metric by metric ({@code status.analysis}). Pure: renders
 * a Canary object to lines. {@link #analysis} is shared with {@code bunting analyze}. Issue 10 (the full
 * {@code bunting status}) extends this: add sections here.
 */
public final class CanaryReport {
  private CanaryReport() {}

  /** The analysis section of {@code bunting status NAME}; empty (left out) before a release started. */
  public static List<String> lines(Canary canary) {
    CanaryStatus st = canary.getStatus();
    if (st == null || st.analysis == null || st.analysis.startedAt == null) {
      return List.of();
    }
    return analysis(st.analysis);
  }

  /** The analysis section: when it started, the last tick and a table of its metrics. */
  public static List<String> analysis(AnalysisStatus a) {
    List<String> out = new ArrayList<>();
    out.add("Analysis of this release since " + a.startedAt + (a.evaluatedAt == null ? ", no tick evaluated yet"
        : ", last tick " + a.evaluatedAt + ": " + a.result + (a.score == null ? "" : " (score " + a.score + ")")
            + (a.waitingSince == null ? "" : ", waiting for data since " + a.waitingSince)));
    if (a.message != null && !a.message.isEmpty()) {
      out.add("  " + a.message);
    }
    out.addAll(metrics(a));
    return out;
  }

  /** One row per metric ({@code METRIC RESULT MEASURED EXPECTED WINDOW}), its query and message below it. */
  public static List<String> metrics(AnalysisStatus a) {
    List<String> out = new ArrayList<>();
    if (a.metrics == null || a.metrics.isEmpty()) {
      return out;
    }
    String format = "  %-24s %-8s %-34s %-14s %s";
    out.add(String.format(Locale.ROOT, format, "METRIC", "RESULT", "MEASURED", "EXPECTED", "WINDOW"));
    for (AnalysisStatus.Metric m : a.metrics) {
      String measured;
      String expected;
      if (m.canary != null || m.comparison != null) {
        measured = "canary " + side(m.canary) + " vs primary " + side(m.primary);
        expected = "not worse";
      } else {
        measured = m.value == null ? "-" : number(m.value);
        expected = m.range == null ? "-" : m.range;
      }
      if (m.requests != null) {
        measured += ", " + number(m.requests) + " requests";
      }
      out.add(String.format(Locale.ROOT, format, m.name, m.result, measured, expected, m.window == null ? "-"
          : m.window));
      if (m.message != null && !m.message.isEmpty()) {
        out.add("      " + m.message);
      }
      if (m.query != null) {
        out.add("      query: " + m.query);
      }
    }
    if (a.omitted != null && a.omitted > 0) {
      out.add("  (" + a.omitted + " more metrics not kept in status)");
    }
    return out;
  }

  private static String side(AnalysisStatus.Samples s) {
    return s == null || s.count == null || s.count == 0 ? "(no samples)"
        : "median " + number(s.median) + " (" + s.count + ")";
  }

  private static String number(Double v) {
    if (v == null) {
      return "-";
    }
    return v == Math.rint(v) && Math.abs(v) < 1e12 ? Long.toString(v.longValue())
        : String.format(Locale.ROOT, "%.2f", v);
  }
}
