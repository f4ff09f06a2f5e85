package dev.bunting.api;

/** One entry of {@code GitSync.spec.dependsOn}: another GitSync that must be ready first. */
public class GitSyncDependency extends ApiObject {
  /** The GitSync's name. */
  public String name;
  /** Its namespace; default: the namespace of the GitSync that depends on it. */
  public String namespace;

  public GitSyncDependency() {}

  public GitSyncDependency(String name, String namespace) {
    this.name = name;
    this.namespace = namespace;
  }
}
