package dev.bunting.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bunting.testing.DashboardQueries;
import dev.bunting.testing.ProjectFiles;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The chart's Grafana dashboard ({@code charts/bunting/dashboards/bunting.json}) is exactly what the generator in
 * {@code src/controller/src/test/go/dashboard} builds with Grafana's model of dashboards (the Grafana Foundation SDK):
 * it decodes strictly into that model and passes its validation (checked by the generator itself, when Go is here),
 * and every panel has queries that use only the dashboard's variables. DashboardPanelQueriesClusterTest runs them.
 */
class ChartDashboardTest {
  static final Path DASHBOARD = DashboardQueries.FILE;
  private static final Set<String> GRAFANA_VARIABLES = Set.of("__rate_interval", "__range", "__interval");

  @Test
  void theCommittedDashboardIsWhatGrafanasModelBuildsAndAccepts() {
    Optional<Path> go = onPath("go");
    assumeTrue(go.isPresent(), "no go on the PATH: the dashboard's model check needs it (CI has it)");
    Path dir = ProjectFiles.resolve("src/controller/src/test/go/dashboard");
    Path bin = Path.of(Optional.ofNullable(System.getenv("BUNTING_CACHE"))
        .orElse(System.getProperty("user.home") + "/.cache/bunting"), "bin", "bunting-dashboard");
    CommandResult build = CommandResult.run(List.of("sh", "-c", "cd '" + dir + "' && '" + go.get() + "' build -o '"
        + bin + "' ."), Map.of(), 900);
    assertThat(build.exitCode()).as(build.stderr()).isZero();
    CommandResult check = CommandResult.run(List.of(bin.toString(), "-check", DASHBOARD.toString()), Map.of(), 60);
    assertThat(check.exitCode()).as(check.stderr()).isZero();
    assertThat(check.stdout()).startsWith("ok:");
  }

  @Test
  void everyPanelQueriesPrometheusWithTheDashboardsVariablesOnly() {
    JsonNode d = DashboardQueries.dashboard();
    Set<String> defined = new TreeSet<>();
    d.path("templating").path("list").forEach(v -> defined.add(v.path("name").asText()));
    assertThat(defined).containsExactlyInAnyOrder("datasource", "namespace", "canary", "gitsync");

    Map<String, List<String>> panels = DashboardQueries.panelQueries(d);
    assertThat(panels).hasSizeGreaterThanOrEqualTo(20).containsKeys("Phase", "Canary weight",
        "Failed checks vs threshold", "Analysis metrics vs threshold range", "Promotions and rollbacks",
        "Rollout duration", "Webhook errors", "Metric query errors", "GitSync revision", "Sync duration (p90)",
        "Sync failures", "Work queue depth", "Analysis tick lateness", "Kubernetes API requests by verb");
    Pattern variable = Pattern.compile("\\$\\{?([A-Za-z_]+)");
    for (Map.Entry<String, List<String>> p : panels.entrySet()) {
      assertThat(p.getValue()).as(p.getKey()).isNotEmpty().allSatisfy(expr -> {
        assertThat(expr).isNotBlank();
        Matcher m = variable.matcher(expr);
        while (m.find()) {
          assertThat(defined.contains(m.group(1)) || GRAFANA_VARIABLES.contains(m.group(1)))
              .as("%s: $%s is not a variable of the dashboard", p.getKey(), m.group(1)).isTrue();
        }
      });
    }
    for (JsonNode panel : d.path("panels")) {
      if (!"row".equals(panel.path("type").asText())) {
        assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title").asText())
            .isEqualTo("${datasource}");
      }
    }
  }

  private static Optional<Path> onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir, tool);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    Path usual = Path.of("/usr/local/go/bin", tool);
    return Files.isExecutable(usual) ? Optional.of(usual) : Optional.empty();
  }
}
