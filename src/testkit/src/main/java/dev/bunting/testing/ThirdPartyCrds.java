package dev.bunting.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Other projects' CRDs as their projects publish them (Gateway API, Istio, Contour, Traefik, APISIX, Knative, KEDA),
 * fetched from each project's Go module and cached by {@code scripts/third-party-crds}. The tests and the playground
 * install these, never copies kept in this repository. Blocking (it may run {@code go mod download}).
 */
public final class ThirdPartyCrds {
  public static final String GATEWAY_API = "gateway-api";
  public static final String ISTIO = "istio";
  public static final String CONTOUR = "contour";
  public static final String TRAEFIK = "traefik";
  public static final String APISIX = "apisix";
  public static final String KNATIVE = "knative";
  public static final String KEDA = "keda";

  private ThirdPartyCrds() {}

  /** The CRD files of {@code bundle}, fetched into the cache first when needed. */
  public static List<Path> files(Path projectDir, String bundle) {
    Path script = projectDir.resolve("scripts/third-party-crds");
    if (!Files.isExecutable(script)) {
      throw new IllegalStateException(script + " is missing or not executable (project dir " + projectDir + ")");
    }
    Path dir = Path.of(run(projectDir, script.toString(), "dir", bundle).strip());
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  private static String run(Path projectDir, String... command) {
    try {
      Process p = new ProcessBuilder(command).directory(projectDir.toFile())
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish in 10 minutes");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed with exit code " + p.exitValue());
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
