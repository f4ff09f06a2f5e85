package dev.bunting.api;

/**
 * {@code ImagePolicy.spec.update}: the GitSync (same namespace) whose repository, branch, credentials and commit
 * author are used; the files under {@code path} (default: the GitSync's path) are searched for this policy's markers.
 */
public class ImagePolicyUpdate extends ApiObject {
  public LocalReference gitSyncRef;
  /** Directory of the repository to search for markers; default the GitSync's {@code spec.path}. */
  public String path;

  /** A {@code {name}} reference to an object in the same namespace. */
  public static class LocalReference extends ApiObject {
    public String name;
  }
}
