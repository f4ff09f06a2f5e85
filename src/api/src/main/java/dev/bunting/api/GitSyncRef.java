package dev.bunting.api;

/** {@code GitSync.spec.ref}: exactly one of the four fields. */
public class GitSyncRef extends ApiObject {
  public String branch;
  public String tag;
  /** A semver range over the repository's tags ({@code >=1.2.0 <2.0.0}, {@code 1.x}, {@code ~1.2}, {@code ^1}). */
  public String semver;
  /** A full 40-hex commit id. */
  public String commit;

  public static GitSyncRef branch(String name) {
    GitSyncRef r = new GitSyncRef();
    r.branch = name;
    return r;
  }

  public static GitSyncRef tag(String name) {
    GitSyncRef r = new GitSyncRef();
    r.tag = name;
    return r;
  }

  public static GitSyncRef semver(String range) {
    GitSyncRef r = new GitSyncRef();
    r.semver = range;
    return r;
  }

  public static GitSyncRef commit(String sha) {
    GitSyncRef r = new GitSyncRef();
    r.commit = sha;
    return r;
  }

  /** How many of the ref kinds are set (valid: exactly one). */
  public int kindCount() {
    int n = 0;
    for (String s : new String[] {branch, tag, semver, commit}) {
      if (s != null && !s.isEmpty()) {
        n++;
      }
    }
    return n;
  }

  @Override
  public String toString() {
    if (branch != null) {
      return "branch " + branch;
    }
    if (tag != null) {
      return "tag " + tag;
    }
    if (semver != null) {
      return "semver " + semver;
    }
    return "commit " + commit;
  }
}
