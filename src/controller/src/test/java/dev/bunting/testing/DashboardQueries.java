package dev.bunting.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The chart's Grafana dashboard ({@code charts/bunting/dashboards/bunting.json}) as its tests read it. */
public final class DashboardQueries {
  public static final Path FILE = ProjectFiles.resolve("charts/bunting/dashboards/bunting.json");

  private DashboardQueries() {}

  public static JsonNode dashboard() {
    try {
      return new ObjectMapper().readTree(FILE.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every panel's queries, in order: panel title → its targets' expressions (rows have none and are left out). */
  public static Map<String, List<String>> panelQueries(JsonNode dashboard) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (JsonNode panel : dashboard.path("panels")) {
      if ("row".equals(panel.path("type").asText())) {
        continue;
      }
      List<String> exprs = new ArrayList<>();
      panel.path("targets").forEach(t -> exprs.add(t.path("expr").asText()));
      out.put(panel.path("title").asText(), exprs);
    }
    return out;
  }
}
