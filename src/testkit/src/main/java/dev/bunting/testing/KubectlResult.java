package dev.bunting.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What one {@code kubectl} run printed, and how it ended. */
public record KubectlResult(List<String> command, int exitCode, String stdout, String stderr) {

  /** Fails with the command and its output unless it exited with 0. */
  public KubectlResult assertSuccess() {
    if (exitCode != 0) {
      throw new AssertionError("kubectl failed (exit " + exitCode + "): " + String.join(" ", command)
          + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr);
    }
    return this;
  }

  /** The non-blank lines of stdout. */
  public List<String> lines() {
    return stdout.lines().filter(l -> !l.isBlank()).toList();
  }

  /** The column names of a {@code kubectl get} table, in order. */
  public List<String> header() {
    return List.of(lines().get(0).trim().split("\\s+"));
  }

  /**
   * The rows of a {@code kubectl get} table, each a map from column name to the cell's text (empty for an empty cell).
   * Cells are cut at the columns' start positions in the header, as kubectl aligns them.
   */
  public List<Map<String, String>> rows() {
    List<String> lines = lines();
    String head = lines.get(0);
    List<String> names = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    Matcher m = Pattern.compile("\\S+").matcher(head);
    while (m.find()) {
      names.add(m.group());
      starts.add(m.start());
    }
    List<Map<String, String>> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      Map<String, String> row = new LinkedHashMap<>();
      for (int i = 0; i < names.size(); i++) {
        int from = Math.min(starts.get(i), line.length());
        int to = i + 1 < names.size() ? Math.min(starts.get(i + 1), line.length()) : line.length();
        row.put(names.get(i), line.substring(from, to).trim());
      }
      rows.add(row);
    }
    return rows;
  }
}
