package dev.bunting.analysis;

import static dev.bunting.analysis.AnalysisScore.Kind.FAIL;
import static dev.bunting.analysis.AnalysisScore.Kind.NO_DATA;
import static dev.bunting.analysis.AnalysisScore.Kind.PASS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.analysis.AnalysisScore.Entry;
import dev.bunting.analysis.AnalysisScore.Label;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Kayenta's scoring (NetflixACAJudge step 9) on small, hand-computed cases. */
class AnalysisScoreTest {

  @Test
  void withoutGroupsTheScoreIsTheShareOfPassingMetrics() {
    var r = AnalysisScore.score(List.of(new Entry(null, PASS), new Entry(null, PASS), new Entry(null, FAIL)),
        Map.of(), 95, 75);
    assertThat(r.score()).isEqualTo(66.67);
    assertThat(r.label()).isEqualTo(Label.FAIL);
  }

  @Test
  void groupsAreWeighted() {
    // errors: 1/1 passed (100) weight 60; latency: 1/2 passed (50) weight 40 -> 60 + 20 = 80
    var entries = List.of(new Entry("errors", PASS), new Entry("latency", PASS), new Entry("latency", FAIL));
    var r = AnalysisScore.score(entries, Map.of("errors", 60.0, "latency", 40.0), 95, 75);
    assertThat(r.score()).isEqualTo(80.0);
    assertThat(r.label()).isEqualTo(Label.MARGINAL);
    // an unweighted group shares what is left: errors 60, latency gets 40
    assertThat(AnalysisScore.score(entries, Map.of("errors", 60.0), 95, 75).score()).isEqualTo(80.0);
  }

  @Test
  void metricsWithoutDataCountNowhereButHalfWithoutDataScoresZero() {
    var some = List.of(new Entry(null, PASS), new Entry(null, PASS), new Entry(null, NO_DATA));
    assertThat(AnalysisScore.score(some, Map.of(), 95, 75).score()).isEqualTo(100.0);
    var half = List.of(new Entry(null, PASS), new Entry(null, NO_DATA));
    var r = AnalysisScore.score(half, Map.of(), 95, 75);
    assertThat(r.score()).isZero();
    assertThat(r.label()).isEqualTo(Label.FAIL);
  }

  @Test
  void theLabelFollowsPassAndMarginal() {
    var all = List.of(new Entry(null, PASS));
    assertThat(AnalysisScore.score(all, Map.of(), 95, 75).label()).isEqualTo(Label.PASS);
    assertThat(AnalysisScore.score(all, Map.of(), 95, 75).describe()).isEqualTo("score 100 (pass 95, marginal 75)");
  }
}
