package dev.bunting.cli;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryActionStatus;
import dev.bunting.api.CanaryGitRevision;
import dev.bunting.api.CanaryStatus;
import dev.bunting.api.Condition;
import dev.bunting.canary.ActionRequest;
import dev.bunting.canary.CanarySummary;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What {@code bunting status} prints: a table with one row per Canary, or the sections of one Canary (the cells are
 * {@link CanarySummary}'s, shared with the web UI). A new part of
 * the status gets a {@link Section} of its own, added to {@link #SECTIONS}.
 */
public final class CanaryStatusView {
  /** Table cells longer than this are cut (the sections show them whole). */
  static final int MAX_CELL = 72;

  /** One block of {@code bunting status NAME}: a title and its lines; no lines leaves the block out. */
  public interface Section {
    String title(Canary canary);

    List<String> lines(Canary canary);
  }

  /** The sections of {@code bunting status NAME}, in order. */
  public static final List<Section> SECTIONS = List.of(new Overview(), new Conditions(), new LastAction(),
      new Analysis());

  private static final List<String> COLUMNS = List.of("NAMESPACE", "NAME", "PHASE", "WEIGHT", "FAILED",
      "LAST DECISION", "REVISION");

  private final List<Section> sections;

  public CanaryStatusView() {
    this(SECTIONS);
  }

  public CanaryStatusView(List<Section> sections) {
    this.sections = List.copyOf(sections);
  }

  /** The table of {@code bunting status}, sorted by namespace and name. */
  public String table(List<Canary> canaries) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(COLUMNS);
    canaries.stream()
        .sorted(Comparator.comparing((Canary c) -> c.getMetadata().getNamespace())
            .thenComparing(c -> c.getMetadata().getName()))
        .forEach(c -> rows.add(List.of(c.getMetadata().getNamespace(), c.getMetadata().getName(), phase(c),
            String.valueOf(status(c).canaryWeightOrZero()), failed(c), cut(lastDecision(c)), revision(c))));
    return Columns.format(rows);
  }

  /** The sections of one Canary, separated by blank lines. */
  public String details(Canary canary) {
    StringBuilder out = new StringBuilder();
    for (Section section : sections) {
      List<String> lines = section.lines(canary);
      if (lines.isEmpty()) {
        continue;
      }
      if (out.length() > 0) {
        out.append('\n');
      }
      out.append(section.title(canary)).append(":\n");
      lines.forEach(l -> out.append("  ").append(l).append('\n'));
    }
    return out.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // cells

  static CanaryStatus status(Canary c) {
    return CanarySummary.status(c);
  }

  /** {@link CanarySummary#phase}. */
  static String phase(Canary c) {
    return CanarySummary.phase(c);
  }

  /** {@link CanarySummary#failed}. */
  static String failed(Canary c) {
    return CanarySummary.failed(c);
  }

  /** {@link CanarySummary#lastDecision}. */
  static String lastDecision(Canary c) {
    return CanarySummary.lastDecision(c);
  }

  /** {@link CanarySummary#revision}. */
  static String revision(Canary c) {
    return CanarySummary.revision(c);
  }

  private static String cut(String s) {
    return s.length() <= MAX_CELL ? s : s.substring(0, MAX_CELL - 3) + "...";
  }

  // ---------------------------------------------------------------------------------------------
  // sections

  /** Name, phase, weights, failed checks, the last decision and the revisions. */
  static final class Overview implements Section {
    @Override
    public String title(Canary c) {
      return "Canary " + c.getMetadata().getNamespace() + "/" + c.getMetadata().getName();
    }

    @Override
    public List<String> lines(Canary c) {
      CanaryStatus st = status(c);
      List<List<String>> rows = new ArrayList<>();
      rows.add(List.of("Phase:", phase(c)));
      rows.add(List.of("Weight:", st.canaryWeightOrZero() + " canary, " + (100 - st.canaryWeightOrZero())
          + " primary"));
      rows.add(List.of("Failed checks:", failed(c)));
      rows.add(List.of("Last decision:", lastDecision(c)));
      rows.add(List.of("Revision:", revision(c)));
      CanaryGitRevision git = st.gitRevision;
      if (git != null && git.revision != null) {
        rows.add(List.of("Git commit:", git.describe() + (git.gitSync == null ? "" : " (GitSync " + git.gitSync
            + ")")));
      }
      if (st.lastPromotedSpec != null) {
        rows.add(List.of("Promoted:", st.lastPromotedSpec));
      }
      if (st.lastTransitionTime != null) {
        rows.add(List.of("Updated:", st.lastTransitionTime));
      }
      return Columns.lines(rows);
    }
  }

  /** The conditions, with the time each last changed. */
  static final class Conditions implements Section {
    @Override
    public String title(Canary c) {
      return "Conditions";
    }

    @Override
    public List<String> lines(Canary c) {
      List<Condition> conditions = status(c).conditions;
      if (conditions == null || conditions.isEmpty()) {
        return List.of();
      }
      List<List<String>> rows = new ArrayList<>();
      rows.add(List.of("TYPE", "STATUS", "REASON", "SINCE", "MESSAGE"));
      for (Condition k : conditions) {
        rows.add(List.of(k.type, k.status, orDash(k.reason), orDash(k.lastTransitionTime), orDash(k.message)));
      }
      return Columns.lines(rows);
    }
  }

  /** The last {@code bunting.dev/action} request handled, and one written but not handled yet. */
  static final class LastAction implements Section {
    @Override
    public String title(Canary c) {
      return "Last action";
    }

    @Override
    public List<String> lines(Canary c) {
      CanaryActionStatus last = status(c).lastAction;
      List<List<String>> rows = new ArrayList<>();
      if (last != null) {
        rows.add(List.of("Request:", ActionRequest.ANNOTATION + "=" + last.request));
        rows.add(List.of("Result:", orDash(last.result)));
        rows.add(List.of("Message:", orDash(last.message)));
        rows.add(List.of("Handled:", orDash(last.handledAt)));
      }
      ActionRequest.of(c).filter(r -> last == null || !r.key().equals(last.request))
          .ifPresent(r -> rows.add(List.of("Pending:", r.shown() + " (not handled yet)")));
      return Columns.lines(rows);
    }
  }

  /** The current release's analysis, metric by metric ({@code status.analysis}; {@link CanaryReport}). */
  static final class Analysis implements Section {
    @Override
    public String title(Canary c) {
      return "Analysis";
    }

    @Override
    public List<String> lines(Canary c) {
      return CanaryReport.lines(c);
    }
  }

  private static String orDash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }

  /** Left-aligned columns, three spaces apart, as kubectl prints them; the last column is not padded. */
  static final class Columns {
    private Columns() {}

    static String format(List<List<String>> rows) {
      return String.join("\n", lines(rows)) + "\n";
    }

    static List<String> lines(List<List<String>> rows) {
      int n = rows.stream().mapToInt(List::size).max().orElse(0);
      int[] width = new int[n];
      for (List<String> row : rows) {
        for (int i = 0; i < row.size(); i++) {
          width[i] = Math.max(width[i], row.get(i).length());
        }
      }
      List<String> out = new ArrayList<>();
      for (List<String> row : rows) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < row.size(); i++) {
          line.append(row.get(i));
          if (i < row.size() - 1) {
            line.append(" ".repeat(width[i] - row.get(i).length() + 3));
          }
        }
        out.add(line.toString());
      }
      return out;
    }
  }
}
