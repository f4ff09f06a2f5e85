package dev.bunting.chart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.testing.ProjectFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code crds/} at the repository root is the one source of truth for the CRDs; the chart ships byte-identical copies
 * in {@code charts/bunting/crds/} (Helm's install-only CRD directory, which must hold real files for {@code helm
 * package}). When this fails, refresh the copies: {@code rm charts/bunting/crds/*.yaml && cp crds/*.yaml
 * charts/bunting/crds/}.
 */
class ChartCrdsTest {
  private static final String FIX = "; refresh the chart's copies: rm charts/bunting/crds/*.yaml && cp crds/*.yaml"
      + " charts/bunting/crds/";

  private static Map<String, String> yamlFiles(Path dir) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path f : list.filter(Files::isRegularFile).toList()) {
        files.put(f.getFileName().toString(), Files.readString(f));
      }
    }
    return files;
  }

  @Test
  void theChartShipsExactlyTheCrdsOfTheRepository() throws IOException {
    Map<String, String> source = yamlFiles(ProjectFiles.resolve("crds"));
    Map<String, String> chart = yamlFiles(ProjectFiles.resolve("charts/bunting/crds"));

    assertThat(source).as("crds/").containsKeys("flagger.app_canaries.yaml", "flagger.app_metrictemplates.yaml",
        "flagger.app_alertproviders.yaml");
    assertThat(chart.keySet()).as("files in charts/bunting/crds/ versus crds/" + FIX)
        .containsExactlyElementsOf(source.keySet());
    source.forEach((name, text) -> assertThat(chart.get(name))
        .as("charts/bunting/crds/%s differs from crds/%s%s", name, name, FIX)
        .isEqualTo(text));
  }
}
