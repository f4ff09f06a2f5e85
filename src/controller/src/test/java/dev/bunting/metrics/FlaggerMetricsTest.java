package dev.bunting.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.CanaryGitRevision;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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
}
