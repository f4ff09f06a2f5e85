package dev.bunting.gitops;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

/**
 * One object rendered (with a digest of the object as rendered, computed once per render) from the repository: where it came from ({@code file}, 1-based {@code document} number inside a
 * multi-document file) and the desired object, ready to apply.
 */
public record Manifest(String file, int document, GenericKubernetesResource object, String digest) {

  public Manifest(String file, int document, GenericKubernetesResource object) {
    this(file, document, object, DriftCheck.desiredDigest(object));
  }

  public ObjectKey key() {
    return ObjectKey.of(object);
  }

  /** {@code apps/deploy.yaml (document 2)}: where to look when this object is wrong. */
  public String origin() {
    return file + " (document " + document + ")";
  }
}
