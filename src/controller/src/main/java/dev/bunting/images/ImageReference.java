package dev.bunting.images;

import java.util.Locale;

/**
 * An image repository as written in {@code ImagePolicy.spec.image}, split into the registry host and the repository
 * path, with Docker's defaults: no registry host means Docker Hub ({@code registry-1.docker.io}, and
 * {@code library/} for one-segment names). A first segment is a host when it has a dot or a port, or is
 * {@code localhost}.
 *
 * @param image the repository as the user wrote it (what the markers get, with {@code :tag})
 * @param host the registry host and port ({@code registry-1.docker.io} for Docker Hub)
 * @param repository the path in the registry ({@code library/nginx}, {@code team/app})
 */
public record ImageReference(String image, String host, String repository) {
  static final String DOCKER_HUB = "registry-1.docker.io";

  /** Reads {@code image}; throws {@link IllegalArgumentException} with a message for the user when it is not one. */
  public static ImageReference parse(String image) {
    if (image == null || image.isBlank()) {
      throw new IllegalArgumentException("spec.image is empty");
    }
    String s = image.trim();
    if (s.contains("://") || s.contains("@") || s.contains(" ")) {
      throw new IllegalArgumentException("spec.image '" + s + "' must be a repository without scheme, tag or digest");
    }
    int slash = s.indexOf('/');
    String first = slash < 0 ? "" : s.substring(0, slash);
    boolean hasHost = slash > 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"));
    String host = hasHost ? first : DOCKER_HUB;
    String repo = hasHost ? s.substring(slash + 1) : s;
    if (repo.contains(":")) {
      throw new IllegalArgumentException("spec.image '" + s + "' must not carry a tag (the policy chooses the tag)");
    }
    if (!hasHost && !repo.contains("/")) {
      repo = "library/" + repo;
    }
    if (!repo.matches("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*")) {
      throw new IllegalArgumentException("spec.image '" + s + "': '" + repo + "' is not a valid repository path "
          + "(lower-case letters, digits and separators)");
    }
    return new ImageReference(s, host.toLowerCase(Locale.ROOT).equals("docker.io")
        || host.toLowerCase(Locale.ROOT).equals("index.docker.io") ? DOCKER_HUB : host, repo);
  }

  /** {@code image:tag}. */
  public String withTag(String tag) {
    return image + ":" + tag;
  }

  /** Whether the registry is Docker Hub (its credentials are stored under other names). */
  boolean dockerHub() {
    return DOCKER_HUB.equals(host);
  }
}
