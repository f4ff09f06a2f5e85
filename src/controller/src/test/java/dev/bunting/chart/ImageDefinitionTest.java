package dev.bunting.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.bunting.testing.ProjectFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile and the chart agree: the chart's default image is the one the Dockerfile builds, its user is the
 * one the chart's security context names, the build context holds what the Dockerfile copies, and the image runs the
 * jlink'd runtime. (No Docker engine here: {@code scripts/jlink-check} runs that runtime.)
 */
class ImageDefinitionTest {
  private static final YAMLMapper YAML = new YAMLMapper();

  private static String dockerfile() throws IOException {
    return Files.readString(ProjectFiles.resolve("Dockerfile"));
  }

  private static JsonNode values() throws IOException {
    return YAML.readTree(HelmChart.dir().resolve("values.yaml").toFile());
  }

  private static String appVersion() throws IOException {
    return YAML.readTree(HelmChart.dir().resolve("Chart.yaml").toFile()).get("appVersion").asText();
  }

  private static String group(String text, String regex) {
    Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
    assertThat(m.find()).as("%s in the Dockerfile", regex).isTrue();
    return m.group(1);
  }

  @Test
  void theChartsDefaultImageIsTheOneTheDockerfileBuilds() throws IOException {
    String image = values().at("/image/repository").asText() + ":" + appVersion();
    assertThat(values().at("/image/tag").asText()).as("empty: the chart's appVersion").isEmpty();
    assertThat(group(dockerfile(), "buildx build .* -t (\\S+) ")).isEqualTo(image);
    assertThat(group(dockerfile(), "^ARG VERSION=(\\S+)$")).isEqualTo(appVersion());
  }

  @Test
  void theImageRunsAsTheChartsNonRootUser() throws IOException {
    JsonNode context = values().at("/securityContext/context");
    assertThat(group(dockerfile(), "^USER (\\S+)$"))
        .isEqualTo(context.get("runAsUser").asText() + ":" + context.get("runAsGroup").asText());
    assertThat(context.get("readOnlyRootFilesystem").asBoolean()).isTrue();
  }

  @Test
  void theImageRunsTheJlinkRuntimeItBuilds() throws IOException {
    String d = dockerfile();
    assertThat(group(d, "^ENTRYPOINT \\[\"([^\"]+)\"")).isEqualTo("/opt/java/bin/java");
    assertThat(d).contains("RUN jlink-runtime /bunting.jar /opt/java", "COPY --from=build --chown=0:0 /opt/java /opt/java");
    assertThat(group(d, "^ARG RUNTIME_IMAGE=(\\S+)$")).as("a base with sh and bash for the load tester's tasks")
        .startsWith("debian:");
  }

  @Test
  void theBuildContextHoldsEverythingTheDockerfileCopies() throws IOException {
    List<String> allowed = Files.readAllLines(ProjectFiles.resolve(".dockerignore")).stream()
        .filter(l -> l.startsWith("!")).map(l -> l.substring(1)).toList();
    List<String> copied = new ArrayList<>();
    Matcher m = Pattern.compile("^COPY (?!--from)(\\S+) ", Pattern.MULTILINE).matcher(dockerfile());
    while (m.find()) {
      copied.add(m.group(1));
    }
    assertThat(copied).contains("pom.xml", "scripts/jlink-runtime");
    assertThat(copied).allSatisfy(path -> assertThat(allowed).as(".dockerignore exceptions").anyMatch(a ->
        path.equals(a) || path.startsWith(a + "/")));
    assertThat(allowed).allSatisfy(a -> assertThat(Files.exists(ProjectFiles.resolve(a))).as(a).isTrue());
  }
}
