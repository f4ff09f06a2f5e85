package dev.bunting.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.CanaryGitRevision;
import dev.bunting.metrics.FlaggerMetrics.Threshold;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlaggerMetricsTest {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final FlaggerMetrics metrics = new FlaggerMetrics(registry, "test", "kubernetes");

  private String scrape() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theGitRevisionInfoSeriesIsReplacedPerCanaryNeverAccumulated() throws Exception {
    metrics.setGitRevision("web", "shop", new CanaryGitRevision("main@sha1:" + "a".repeat(40), "a", "shop/apps"));
    metrics.setGitRevision("api", "shop", new CanaryGitRevision("main@sha1:" + "c".repeat(40), "c", "shop/apps"));
    metrics.setGitRevision("web", "shop", new CanaryGitRevision("main@sha1:" + "b".repeat(40), "b", "shop/apps"));
    String text = scrape();
    assertThat(text).contains(
        "bunting_canary_git_revision_info{gitsync=\"shop/apps\",name=\"web\",namespace=\"shop\",revision=\"bbbbbbb\"} 1")
        .contains("revision=\"ccccccc\"").doesNotContain("aaaaaaa");
    assertThat(text.lines().filter(l -> l.startsWith("bunting_canary_git_revision_info{"))).hasSize(2);

    metrics.setGitRevision("web", "shop", null);
    metrics.forget("api", "shop");
    assertThat(scrape().lines().filter(l -> l.startsWith("bunting_canary_git_revision_info{"))).isEmpty();
  }

  private static List<String> thresholdLines(String text) {
    return text.lines().filter(l -> l.startsWith("bunting_canary_metric_threshold{")).toList();
  }

  @Test
  void thresholdBoundsFollowTheCanaryAndADroppedBoundGoes() throws Exception {
    metrics.setThresholds("web", "shop", List.of(new Threshold("request-success-rate", "min", 99),
        new Threshold("request-duration", "max", 0.5)));
    metrics.setThresholds("api", "shop", List.of(new Threshold("request-success-rate", "min", 95)));
    metrics.setThresholds("web", "shop", List.of(new Threshold("request-success-rate", "min", 99),
        new Threshold("request-duration", "max", 0.5))); // unchanged
    assertThat(thresholdLines(scrape())).containsExactlyInAnyOrder(
        "bunting_canary_metric_threshold{bound=\"min\",metric=\"request-success-rate\",name=\"api\",namespace=\"shop\"} 95.0",
        "bunting_canary_metric_threshold{bound=\"max\",metric=\"request-duration\",name=\"web\",namespace=\"shop\"} 0.5",
        "bunting_canary_metric_threshold{bound=\"min\",metric=\"request-success-rate\",name=\"web\",namespace=\"shop\"} 99.0");

    // the duration check removed from the Canary, the success rate's bound changed
    metrics.setThresholds("web", "shop", List.of(new Threshold("request-success-rate", "min", 98)));
    assertThat(thresholdLines(scrape())).containsExactlyInAnyOrder(
        "bunting_canary_metric_threshold{bound=\"min\",metric=\"request-success-rate\",name=\"api\",namespace=\"shop\"} 95.0",
        "bunting_canary_metric_threshold{bound=\"min\",metric=\"request-success-rate\",name=\"web\",namespace=\"shop\"} 98.0");

    metrics.forget("web", "shop");
    assertThat(thresholdLines(scrape())).hasSize(1);
    // a canary created again under the same name gets its series back
    metrics.setThresholds("web", "shop", List.of(new Threshold("request-success-rate", "min", 98)));
    assertThat(thresholdLines(scrape())).hasSize(2);
  }
}
