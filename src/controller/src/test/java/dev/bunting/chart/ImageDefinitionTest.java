package dev.bunting.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.bunting.testing.ProjectFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

  /** The Dockerfile's ENTRYPOINT, as its JSON array. */
  private static List<String> entrypoint(String dockerfile) throws IOException {
    String json = group(dockerfile, "^ENTRYPOINT (\\[[^\\]]*\\])").replace("\\\n", " ");
    List<String> out = new ArrayList<>();
    YAML.readTree(json).forEach(n -> out.add(n.asText())); // JSON is YAML
    return out;
  }

  @Test
  void theChartsJvmOptionsOverrideTheImagesDefaults() throws Exception {
    String d = dockerfile();
    String defaults = group(d, "JAVA_TOOL_OPTIONS=\"([^\"]+)\"");
    assertThat(defaults).contains("-XX:MaxRAMPercentage=75.0", "-XX:+UseSerialGC");
    List<String> fixed = entrypoint(d);
    for (String flag : defaults.split(" ")) {
      String name = flag.replaceAll("^-XX:[+-]?([A-Za-z]+).*", "$1");
      assertThat(fixed).as("the entry point sets %s, which would override jvmOptions", name)
          .noneMatch(f -> f.replaceAll("^-XX:[+-]?([A-Za-z]+).*", "$1").equals(name));
    }
    // a JVM started as the image starts one (less the archive and the jar), with the chart's example jvmOptions
    String jvmOptions = YAML.readTree(ChartValues.GATEWAY_AND_POD_OPTIONS).get("jvmOptions").asText();
    assertThat(jvmOptions).isEqualTo("-XX:MaxRAMPercentage=60");
    String out = finalFlags(defaults, fixed, jvmOptions);
    assertThat(out).containsPattern("MaxRAMPercentage\\s+= 60\\.0+ ")
        .containsPattern("UseSerialGC\\s+= true ").containsPattern("MinHeapFreeRatio\\s+= 15 ")
        .containsPattern("ExitOnOutOfMemoryError\\s+= true ")
        // the image compiles with C1 only (docs/operations.md, "The image")
        .containsPattern("TieredStopAtLevel\\s+= 1 ");
    // jvmOptions turn C2 back on, which then inlines less than by default
    assertThat(finalFlags(defaults, fixed, "-XX:TieredStopAtLevel=4"))
        .containsPattern("TieredStopAtLevel\\s+= 4 ").containsPattern("FreqInlineSize\\s+= 200 ")
        .containsPattern("UseSerialGC\\s+= true ");
  }

  /** -XX:+PrintFlagsFinal of this JDK's java run with the image's defaults, its entry point's flags and jvmOptions. */
  private static String finalFlags(String defaults, List<String> entrypoint, String jvmOptions) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString()));
    entrypoint.subList(1, entrypoint.size()).stream().filter(f -> f.startsWith("-")
        && !f.startsWith("-XX:SharedArchiveFile") && !f.equals("-jar")).forEach(command::add);
    command.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("JAVA_TOOL_OPTIONS", defaults);
    pb.environment().put("JDK_JAVA_OPTIONS", jvmOptions);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out;
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
