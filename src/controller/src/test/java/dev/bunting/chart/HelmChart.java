package dev.bunting.chart;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bunting.testing.ClusterSettings;
import dev.bunting.testing.ProjectFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The chart under test ({@code charts/bunting}) and the helm binary that lints, renders and installs it: the one
 * {@code scripts/local-cluster build} made (v3.22.0, {@code scripts/local-cluster bin-dir}), else {@code helm} on the
 * PATH. Tests that need helm are skipped, with the reason, where there is none. Every helm run gets its own empty
 * config, cache and data directories, so no user repository or plugin can change a result.
 */
final class HelmChart {
  /** The Kubernetes version helm lints and renders for (the local control plane runs 1.35). */
  static final String KUBE_VERSION = "1.35.0";

  private static Optional<Path> helm;

  private HelmChart() {}

  static Path dir() {
    return ProjectFiles.resolve("charts/bunting");
  }

  /** The helm binary; skips the calling test when there is none. */
  static synchronized Path helm() {
    if (helm == null) {
      helm = findHelm();
    }
    assumeTrue(helm.isPresent(), "no helm: run scripts/local-cluster build (it builds helm), or put helm on the PATH");
    return helm.get();
  }

  private static Optional<Path> findHelm() {
    Path script = ClusterSettings.fromSystem().clusterScript();
    if (Files.isExecutable(script)) {
      CommandResult binDir = CommandResult.run(List.of(script.toString(), "bin-dir"), Map.of(), 60);
      if (binDir.exitCode() == 0) {
        Path candidate = Path.of(binDir.stdout().trim()).resolve("helm");
        if (Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String entry : path.split(java.io.File.pathSeparator)) {
        Path candidate = Path.of(entry, "helm");
        if (Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /** Runs helm with {@code args}; nothing is asserted. */
  static CommandResult run(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(helm().toString());
    command.addAll(args);
    Path home = isolatedHome();
    return CommandResult.run(command, Map.of(
        "HELM_CONFIG_HOME", home.resolve("config").toString(),
        "HELM_CACHE_HOME", home.resolve("cache").toString(),
        "HELM_DATA_HOME", home.resolve("data").toString()), 300);
  }

  /**
   * {@code helm lint --strict --kube-version 1.35.0} with these values files (YAML texts, later ones win; none or empty
   * for the defaults).
   */
  static CommandResult lint(String... valuesYamls) {
    List<String> args = new ArrayList<>(List.of("lint", dir().toString(), "--strict", "--kube-version", KUBE_VERSION));
    for (String values : valuesYamls) {
      args.addAll(valuesArgs(values));
    }
    return run(args);
  }

  /**
   * {@code helm template <release> charts/bunting --namespace <namespace>} with these values; the rendered manifests.
   * Fails the test when helm refuses to render.
   */
  static Rendered template(String release, String namespace, String valuesYaml) {
    return new Rendered(templateRun(release, namespace, valuesYaml).assertSuccess().stdout());
  }

  /** {@code helm template} with these values files (later ones win); nothing is asserted. */
  static CommandResult templateRun(String release, String namespace, String... valuesYamls) {
    List<String> args = new ArrayList<>(List.of("template", release, dir().toString(), "--namespace", namespace,
        "--kube-version", KUBE_VERSION));
    for (String values : valuesYamls) {
      args.addAll(valuesArgs(values));
    }
    return run(args);
  }

  /** {@code --values <file>} for non-empty values. */
  static List<String> valuesArgs(String valuesYaml) {
    if (valuesYaml == null || valuesYaml.isBlank()) {
      return List.of();
    }
    return List.of("--values", writeTemp("values-", ".yaml", valuesYaml).toString());
  }

  static Path writeTemp(String prefix, String suffix, String content) {
    try {
      Path file = Files.createTempFile(prefix, suffix);
      file.toFile().deleteOnExit();
      Files.writeString(file, content, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path isolatedHome() {
    try {
      Path home = Files.createTempDirectory("helm-home-");
      home.toFile().deleteOnExit();
      return home;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
