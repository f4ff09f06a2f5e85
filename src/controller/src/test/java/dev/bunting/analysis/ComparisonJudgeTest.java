package dev.bunting.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.bunting.analysis.ComparisonJudge.Comparison;
import dev.bunting.analysis.ComparisonJudge.Direction;
import dev.bunting.analysis.ComparisonJudge.Outcome;
import dev.bunting.analysis.ComparisonJudge.Settings;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

/**
 * The comparison judge against known samples. The p-values are checked two ways: a worked example computed by hand
 * from the Mann-Whitney formulas (docs/analysis.md shows the same numbers), and samples with ties whose p-values come
 * from an independent implementation: SciPy 1.17.1
 * {@code mannwhitneyu(x - mu, y, alternative=..., use_continuity=True, method='asymptotic')}, which is R's
 * {@code wilcox.test(x, y, mu = mu, exact = FALSE, correct = TRUE)}, the test Kayenta's NetflixACAJudge ports.
 */
class ComparisonJudgeTest {
  private static final Settings KAYENTA = new Settings(Direction.HIGHER_IS_WORSE, 0.1, 0.98, 5);

  /** The worked example of docs/analysis.md: latency (ms) of the primary and of a canary about 30 % slower. */
  private static final double[] PRIMARY = {19.0, 19.5, 20.0, 20.5, 21.0, 21.5};
  private static final double[] CANARY = {25.0, 25.5, 26.0, 26.5, 27.0, 27.5};

  @Test
  void aCanaryThirtyPercentSlowerThanThePrimaryIsHigh() {
    Comparison c = ComparisonJudge.compare(CANARY, PRIMARY, KAYENTA);
    // every canary value is above every primary value: U = 6 * 6 = 36; E[U] = 18; Var[U] = 6 * 6 * 13 / 12 = 39
    // shift: the median of the 36 differences 6 + 0.5 * (i - j) is 6; bound = 0.25 * 6 = 1.5, and canary - 1.5 is still
    // above every primary value, so U stays 36: z = (36 - 18 - 0.5) / sqrt(39) = 2.8022, p = 1 - Phi(z)
    double z = (36 - 18 - 0.5) / Math.sqrt(39);
    double byHand = 1 - NormalDistribution.of(0, 1).cumulativeProbability(z);
    assertThat(byHand).isCloseTo(0.002538, within(1e-6));
    assertThat(c.shift()).isEqualTo(6.0);
    assertThat(c.pValue()).isCloseTo(byHand, within(1e-12));
    assertThat(c.meanRatio()).isCloseTo(26.25 / 20.25, within(1e-12));
    assertThat(c.outcome()).isEqualTo(Outcome.HIGH);
    assertThat(c.canary()).isEqualTo(new ComparisonJudge.Summary(6, 26.25, 26.25));
    assertThat(c.primary()).isEqualTo(new ComparisonJudge.Summary(6, 20.25, 20.25));
    assertThat(c.describe()).isEqualTo("mean 1.30x primary (26.3 vs 20.3), p=0.0025 < 0.01, higher is worse, "
        + "tolerance 10%");
  }

  @Test
  void aSignificantChangeWithinTheToleranceIsNoFailure() {
    Settings lenient = new Settings(Direction.HIGHER_IS_WORSE, 0.5, 0.98, 5);
    assertThat(ComparisonJudge.compare(CANARY, PRIMARY, lenient).outcome()).as("1.30x < 1.5x").isEqualTo(Outcome.PASS);
  }

  @Test
  void aChangeInTheHarmlessDirectionPasses() {
    assertThat(ComparisonJudge.compare(PRIMARY, CANARY, KAYENTA).outcome()).as("canary faster").isEqualTo(Outcome.PASS);
    Settings either = new Settings(Direction.EITHER, 0.1, 0.98, 5);
    assertThat(ComparisonJudge.compare(PRIMARY, CANARY, either).outcome()).isEqualTo(Outcome.LOW);
  }

  @Test
  void tooFewSamplesForTheConfidenceCannotFail() {
    // 4 against 4, fully separated: U = 16, z = (16 - 8 - 0.5) / sqrt(16 * 9 / 12) = 2.165, p = 0.0152 >= 0.01
    double[] canary = {25, 26, 27, 28};
    double[] primary = {19, 20, 21, 22};
    Comparison c = ComparisonJudge.compare(canary, primary, new Settings(Direction.HIGHER_IS_WORSE, 0.1, 0.98, 4));
    assertThat(c.pValue()).isCloseTo(0.01519, within(1e-5));
    assertThat(c.outcome()).isEqualTo(Outcome.PASS);
  }

  @Test
  void pValuesWithTiesAgreeWithSciPy() {
    double[] x = {26.1, 25.8, 26.4, 27.0, 25.9, 26.2, 26.6, 25.7};
    double[] y = {20.2, 19.8, 20.5, 21.0, 20.1, 19.9};
    Comparison c = ComparisonJudge.compare(x, y, new Settings(Direction.HIGHER_IS_WORSE, 0.1, 0.98, 5));
    // shift = median of the 48 differences = 6.0 (numpy); with mu = 0.25 * 6 the canary still lies wholly above:
    // SciPy mannwhitneyu(x - 1.5, y, 'greater') = 0.0012073244568794233 (U = 48)
    assertThat(c.shift()).isCloseTo(6.0, within(1e-9));
    assertThat(c.pValue()).isCloseTo(0.0012073244568794233, within(1e-12));
    assertThat(c.outcome()).isEqualTo(Outcome.HIGH);

    // two constant series, every value tied within its side: the tie-corrected variance is used (no noise added):
    // SciPy mannwhitneyu([26]*6, [20]*6, 'greater') = 0.0006309723836939866
    double[] slow = {26, 26, 26, 26, 26, 26};
    double[] fast = {20, 20, 20, 20, 20, 20};
    assertThat(ComparisonJudge.compare(slow, fast, KAYENTA).pValue()).isCloseTo(0.0006309723836939866,
        within(1e-12));
  }

  @Test
  void theShiftedTestMatchesSciPyWhereTheShiftMatters() {
    // mu = 5 and mu = 6.5 against SciPy: mannwhitneyu(x - mu, y, 'greater') and (x - 5, 'less')
    double[] x = {26.1, 25.8, 26.4, 27.0, 25.9, 26.2, 26.6, 25.7};
    double[] y = {20.2, 19.8, 20.5, 21.0, 20.1, 19.9};
    var test = org.apache.commons.statistics.inference.MannWhitneyUTest.withDefaults()
        .with(org.apache.commons.statistics.inference.PValueMethod.ASYMPTOTIC)
        .with(org.apache.commons.statistics.inference.ContinuityCorrection.ENABLED);
    var greater = org.apache.commons.statistics.inference.AlternativeHypothesis.GREATER_THAN;
    var less = org.apache.commons.statistics.inference.AlternativeHypothesis.LESS_THAN;
    assertThat(test.with(greater).withMu(5).test(x, y).getPValue()).isCloseTo(0.004066010949440919, within(1e-12));
    assertThat(test.with(greater).withMu(6.5).test(x, y).getPValue()).isCloseTo(0.980887536178867, within(1e-12));
    assertThat(test.with(less).withMu(5).test(x, y).getPValue()).isCloseTo(0.9972453249032617, within(1e-12));
  }

  @Test
  void aLowerSuccessRateIsLowWhenLowerIsWorse() {
    double[] canary = {80, 81, 79, 80, 82, 78};
    double[] primary = {100, 100, 99.5, 100, 100, 99.8};
    Comparison c = ComparisonJudge.compare(canary, primary, new Settings(Direction.LOWER_IS_WORSE, 0.01, 0.98, 5));
    assertThat(c.outcome()).isEqualTo(Outcome.LOW);
    assertThat(ComparisonJudge.compare(canary, primary, KAYENTA).outcome()).as("higher-is-worse ignores a drop")
        .isEqualTo(Outcome.PASS);
  }

  @Test
  void identicalOrConstantEqualSamplesPass() {
    double[] same = {20, 20, 20, 20, 20};
    Comparison c = ComparisonJudge.compare(same, same.clone(), KAYENTA);
    assertThat(c.outcome()).isEqualTo(Outcome.PASS);
    assertThat(c.pValue()).isEqualTo(1.0);
  }

  @Test
  void noisyButEqualDistributionsPass() {
    double[] primary = {20.1, 19.7, 20.4, 20.0, 19.9, 20.3, 19.8, 20.2, 20.6, 19.5};
    double[] canary = {20.0, 20.5, 19.6, 20.2, 19.9, 20.3, 19.7, 20.1, 20.4, 19.8};
    assertThat(ComparisonJudge.compare(canary, primary, KAYENTA).outcome()).isEqualTo(Outcome.PASS);
  }

  @Test
  void fewerSamplesThanMinSamplesIsNoData() {
    Comparison c = ComparisonJudge.compare(new double[] {25, Double.NaN, 26}, PRIMARY, KAYENTA);
    assertThat(c.outcome()).isEqualTo(Outcome.NO_DATA);
    assertThat(c.canary().count()).as("NaN left out").isEqualTo(2);
    assertThat(c.describe()).isEqualTo("too few samples: canary 2, primary 6 (minSamples 5)");
  }
}
