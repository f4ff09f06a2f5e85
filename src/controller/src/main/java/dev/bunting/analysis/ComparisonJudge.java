package dev.bunting.analysis;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.apache.commons.statistics.descriptive.Mean;
import org.apache.commons.statistics.descriptive.Median;
import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.ContinuityCorrection;
import org.apache.commons.statistics.inference.MannWhitneyUTest;
import org.apache.commons.statistics.inference.PValueMethod;

/**
 * Compares the canary's samples of a metric with the primary's ({@code compare: primary}), the way Kayenta's
 * {@code NetflixACAJudge} classifies one metric: a Mann-Whitney U (Wilcoxon rank-sum) test at a confidence level,
 * an effect size (the ratio of the means) and a direction. Pure; the statistics are Apache Commons Statistics'.
 *
 * <ol>
 *   <li>NaN samples are left out ({@link MetricSamples} already does); fewer than {@code minSamples} on either side is
 *       {@link Outcome#NO_DATA}.
 *   <li>Identical samples (or every value equal) pass.
 *   <li>{@code shift}: the Hodges–Lehmann estimate of how far the canary lies above the primary (the median of all
 *       pairwise differences canary − primary), the shift where Kayenta's rank statistic crosses zero.
 *   <li>{@code bound = 0.25 · |shift|} (Kayenta's fixed relative tolerance). The canary is <em>higher</em> when
 *       the one-sided test of "canary − bound is not above the primary" is rejected at {@code (1 − confidence) / 2}
 *       (which is exactly Kayenta's "lower end of the {@code confidence} interval of the shift is above the bound"), and
 *       the mean ratio is at least {@code 1 + tolerance}; <em>lower</em> likewise with {@code −bound} and
 *       {@code 1 − tolerance}. The test is R's {@code wilcox.test(exact = FALSE, correct = TRUE)}: normal
 *       approximation, tie-corrected variance, continuity correction.
 *   <li>A change in the bad {@link Direction} fails; a change the other way, or none, passes.
 * </ol>
 *
 * <p>Differences from Kayenta, on purpose: {@code tolerance} is the allowed mean ratio ({@code allowedIncrease} =
 * 1 + tolerance, Kayenta's default 1.0 fails any significant change); ties are handled by the test's tie-corrected
 * variance instead of Kayenta's random noise, so the verdict is reproducible; the shift is the Hodges–Lehmann median,
 * not a root search.
 */
public final class ComparisonJudge {
  /** Kayenta's tolerance: the shift must clear a quarter of itself (hard-coded in NetflixACAJudge). */
  public static final double RELATIVE_BOUND = 0.25;
  public static final double DEFAULT_TOLERANCE = 0.1;
  public static final double DEFAULT_CONFIDENCE = 0.98;
  public static final int DEFAULT_MIN_SAMPLES = 10;

  private static final MannWhitneyUTest TEST = MannWhitneyUTest.withDefaults()
      .with(PValueMethod.ASYMPTOTIC).with(ContinuityCorrection.ENABLED);

  private ComparisonJudge() {}

  /** Which change of the metric is bad. */
  public enum Direction {
    HIGHER_IS_WORSE("higher-is-worse"), LOWER_IS_WORSE("lower-is-worse"), EITHER("either");

    private final String wire;

    Direction(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    /** The direction spelled as in the Canary, empty for anything else. */
    public static Optional<Direction> parse(String value) {
      return Arrays.stream(values()).filter(d -> d.wire.equals(value)).findFirst();
    }

    boolean catchesHigher() {
      return this != LOWER_IS_WORSE;
    }

    boolean catchesLower() {
      return this != HIGHER_IS_WORSE;
    }
  }

  /**
   * How to compare.
   *
   * @param direction which change fails
   * @param tolerance how much worse the canary's mean may be, as a fraction of the primary's (0.1 = 10 %)
   * @param confidence confidence level (Kayenta: 0.98)
   * @param minSamples fewest samples on each side
   */
  public record Settings(Direction direction, double tolerance, double confidence, int minSamples) {
    public Settings {
      if (!(confidence > 0 && confidence < 1)) {
        throw new IllegalArgumentException("confidence must be between 0 and 1: " + confidence);
      }
      if (tolerance < 0) {
        throw new IllegalArgumentException("tolerance must not be negative: " + tolerance);
      }
      minSamples = Math.max(1, minSamples);
    }
  }

  /** Kayenta's classification of one metric. */
  public enum Outcome {
    PASS, HIGH, LOW, NO_DATA;

    public boolean passed() {
      return this == PASS;
    }
  }

  /** Count, median and mean of one side's samples (NaN when there are none). */
  public record Summary(int count, double median, double mean) {
    static Summary of(double[] v) {
      return v.length == 0 ? new Summary(0, Double.NaN, Double.NaN)
          : new Summary(v.length, Median.withDefaults().evaluate(v), Mean.of(v).getAsDouble());
    }
  }

  /**
   * The comparison of one tick.
   *
   * @param shift Hodges–Lehmann estimate of canary − primary (NaN without data)
   * @param pValue the one-sided p-value behind the verdict (for {@code either}, the smaller one); 1 when trivial
   * @param meanRatio canary mean / primary mean (NaN when either mean is 0)
   */
  public record Comparison(Outcome outcome, Summary canary, Summary primary, double shift, double pValue,
      double meanRatio, Settings settings) {

    /** {@code mean 1.30x primary (26.0 vs 20.0), p=0.0006 < 0.01, higher is worse, tolerance 10%}. */
    public String describe() {
      if (outcome == Outcome.NO_DATA) {
        return "too few samples: canary " + canary.count() + ", primary " + primary.count() + " (minSamples "
            + settings.minSamples() + ")";
      }
      double alpha = (1 - settings.confidence()) / 2;
      String ratio = Double.isNaN(meanRatio) ? "mean " + number(canary.mean()) + " vs " + number(primary.mean())
          : String.format(Locale.ROOT, "mean %.2fx primary (%s vs %s)", meanRatio, number(canary.mean()),
              number(primary.mean()));
      return ratio + String.format(Locale.ROOT, ", p=%.4f %s %s, ", pValue, pValue < alpha ? "<" : ">=",
          number(alpha)) + settings.direction().wire().replace('-', ' ') + ", tolerance "
          + number(settings.tolerance() * 100) + "%";
    }
  }

  /** Compares the canary's samples with the primary's. */
  public static Comparison compare(double[] canary, double[] primary, Settings settings) {
    double[] x = finite(canary);
    double[] y = finite(primary);
    Summary cs = Summary.of(x);
    Summary ps = Summary.of(y);
    if (x.length < settings.minSamples() || y.length < settings.minSamples()) {
      return new Comparison(Outcome.NO_DATA, cs, ps, Double.NaN, Double.NaN, Double.NaN, settings);
    }
    double ratio = cs.mean() == 0 || ps.mean() == 0 ? Double.NaN : cs.mean() / ps.mean();
    if (trivial(x, y)) {
      return new Comparison(Outcome.PASS, cs, ps, 0, 1, ratio, settings);
    }
    double shift = hodgesLehmann(x, y);
    double bound = RELATIVE_BOUND * Math.abs(shift);
    double alpha = (1 - settings.confidence()) / 2;
    double pHigh = TEST.with(AlternativeHypothesis.GREATER_THAN).withMu(bound).test(x, y).getPValue();
    double pLow = TEST.with(AlternativeHypothesis.LESS_THAN).withMu(-bound).test(x, y).getPValue();
    boolean high = settings.direction().catchesHigher() && pHigh < alpha
        && (Double.isNaN(ratio) || ratio >= 1 + settings.tolerance());
    boolean low = settings.direction().catchesLower() && pLow < alpha
        && (Double.isNaN(ratio) || ratio <= 1 - settings.tolerance());
    Outcome outcome = high ? Outcome.HIGH : low ? Outcome.LOW : Outcome.PASS;
    double p = switch (settings.direction()) {
      case HIGHER_IS_WORSE -> pHigh;
      case LOWER_IS_WORSE -> pLow;
      case EITHER -> Math.min(pHigh, pLow);
    };
    return new Comparison(outcome, cs, ps, shift, p, ratio, settings);
  }

  /** The median of all pairwise differences {@code x[i] - y[j]}. */
  static double hodgesLehmann(double[] x, double[] y) {
    double[] d = new double[x.length * y.length];
    int k = 0;
    for (double a : x) {
      for (double b : y) {
        d[k++] = a - b;
      }
    }
    return Median.withDefaults().evaluate(d);
  }

  private static boolean trivial(double[] x, double[] y) {
    double[] sx = x.clone();
    double[] sy = y.clone();
    Arrays.sort(sx);
    Arrays.sort(sy);
    if (Arrays.equals(sx, sy)) {
      return true;
    }
    double first = sx[0];
    return Arrays.stream(sx).allMatch(v -> v == first) && Arrays.stream(sy).allMatch(v -> v == first);
  }

  private static double[] finite(double[] v) {
    return Arrays.stream(v).filter(d -> !Double.isNaN(d)).toArray();
  }

  /** A number for people: integers as such, others with three significant digits, no trailing zeros. */
  static String number(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.toString(v);
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e12) {
      return Long.toString((long) v);
    }
    return new java.math.BigDecimal(v).round(new java.math.MathContext(3, java.math.RoundingMode.HALF_UP))
        .stripTrailingZeros().toPlainString();
  }
}
