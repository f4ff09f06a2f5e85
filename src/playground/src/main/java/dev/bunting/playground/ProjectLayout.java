package dev.bunting.playground;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the project's checkout is: the playground runs its scripts ({@code scripts/local-cluster},
 * {@code scripts/prometheus}) and installs its CRDs ({@code crds/}) from there. Found from an explicit directory, else
 * by walking up from the working directory and from the running jar ({@code target/bunting.jar}).
 *
 * @param root the project directory
 */
public record ProjectLayout(Path root) {

  /** The layout rooted at {@code explicit}, or found as described above. */
  public static ProjectLayout find(Optional<Path> explicit) {
    List<Path> starts = new ArrayList<>();
    explicit.ifPresent(starts::add);
    if (explicit.isEmpty()) {
      starts.add(Path.of("").toAbsolutePath());
      jarDirectory().ifPresent(starts::add);
    }
    for (Path start : starts) {
      for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
        if (Files.isExecutable(p.resolve("scripts/local-cluster")) && Files.isDirectory(p.resolve("crds"))) {
          return new ProjectLayout(p);
        }
        if (explicit.isPresent()) {
          break;
        }
      }
    }
    throw new PlaygroundException("cannot find the Bunting checkout (a directory with scripts/local-cluster and "
        + "crds/) from " + starts + "; run from the checkout or pass --project-dir");
  }

  private static Optional<Path> jarDirectory() {
    try {
      var source = ProjectLayout.class.getProtectionDomain().getCodeSource();
      return source == null ? Optional.empty() : Optional.of(Path.of(source.getLocation().toURI()).getParent());
    } catch (URISyntaxException | RuntimeException e) {
      return Optional.empty();
    }
  }

  public Path localClusterScript() {
    return root.resolve("scripts/local-cluster");
  }

  public Path prometheusScript() {
    return root.resolve("scripts/prometheus");
  }

  public Path crdDirectory() {
    return root.resolve("crds");
  }
}
