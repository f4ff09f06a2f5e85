package dev.bunting.analysis;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The score of one analysis tick, as Kayenta's NetflixACAJudge computes a canary score (step 9): per group, the share
 * of its judged metrics that passed (0–100; metrics without data count nowhere; a group with nothing judged scores
 * 100); the tick's score is the weighted mean of the groups, groups without a configured weight sharing what is left
 * of 100 equally. If half the metrics or more had no data, the score is 0. Bunting normalises the weights over the
 * groups the metrics use, so weights need not add up to 100.
 */
public final class AnalysisScore {
  public static final double DEFAULT_PASS = 95;
  public static final double DEFAULT_MARGINAL = 75;
  public static final String DEFAULT_GROUP = "default";

  private AnalysisScore() {}

  /** One metric's part in the score. */
  public record Entry(String group, Kind kind) {
    public Entry {
      group = group == null || group.isBlank() ? DEFAULT_GROUP : group;
      Objects.requireNonNull(kind, "kind");
    }
  }

  /** How a metric counts. */
  public enum Kind { PASS, FAIL, NO_DATA }

  /** Kayenta's labels. */
  public enum Label { PASS, MARGINAL, FAIL }

  /** A tick's score and its label against the thresholds. */
  public record Result(double score, Label label, double pass, double marginal) {
    public String describe() {
      return String.format(Locale.ROOT, "score %s (pass %s, marginal %s)", ComparisonJudge.number(score),
          ComparisonJudge.number(pass), ComparisonJudge.number(marginal));
    }
  }

  public static Result score(List<Entry> entries, Map<String, Double> groupWeights, double pass, double marginal) {
    long noData = entries.stream().filter(e -> e.kind() == Kind.NO_DATA).count();
    double score;
    if (entries.isEmpty() || noData * 2 >= entries.size()) {
      score = 0;
    } else {
      Map<String, int[]> groups = new LinkedHashMap<>();
      for (Entry e : entries) {
        int[] c = groups.computeIfAbsent(e.group(), g -> new int[2]);
        if (e.kind() == Kind.PASS) {
          c[0]++;
        } else if (e.kind() == Kind.FAIL) {
          c[1]++;
        }
      }
      Map<String, Double> weights = weights(groups.keySet().stream().toList(),
          groupWeights == null ? Map.of() : groupWeights);
      double total = weights.values().stream().mapToDouble(Double::doubleValue).sum();
      double sum = 0;
      for (Map.Entry<String, int[]> g : groups.entrySet()) {
        int judged = g.getValue()[0] + g.getValue()[1];
        double groupScore = judged == 0 ? 100 : 100.0 * g.getValue()[0] / judged;
        sum += groupScore * weights.get(g.getKey());
      }
      score = total <= 0 ? 0 : Math.round(sum / total * 100) / 100.0;
    }
    Label label = score >= pass ? Label.PASS : score >= marginal ? Label.MARGINAL : Label.FAIL;
    return new Result(score, label, pass, marginal);
  }

  /** Configured weights; unweighted groups share {@code 100 - sum} equally (at least a tiny share when none is left). */
  private static Map<String, Double> weights(List<String> groups, Map<String, Double> configured) {
    double given = groups.stream().filter(configured::containsKey).mapToDouble(configured::get).sum();
    long unweighted = groups.stream().filter(g -> !configured.containsKey(g)).count();
    double share = unweighted == 0 ? 0 : Math.max(100 - given, 0) / unweighted;
    Map<String, Double> out = new LinkedHashMap<>();
    for (String g : groups) {
      out.put(g, configured.containsKey(g) ? Math.max(0, configured.get(g)) : share);
    }
    return out;
  }
}
