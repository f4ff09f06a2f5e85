package dev.bunting.testing;

import java.nio.file.Path;

/** Files of this project, for tests: the root comes from {@code -Dbunting.projectDir} (set by surefire). */
public final class ProjectFiles {
  private ProjectFiles() {}

  /** The project root. */
  public static Path root() {
    String dir = System.getProperty("bunting.projectDir");
    return Path.of(dir == null || dir.isBlank() ? System.getProperty("user.dir") : dir).toAbsolutePath().normalize();
  }

  /** A file or directory relative to the project root. */
  public static Path resolve(String relative) {
    return root().resolve(relative);
  }
}
