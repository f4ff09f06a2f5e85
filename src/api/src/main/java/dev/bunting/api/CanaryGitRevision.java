package dev.bunting.api;

import java.util.Objects;

/**
 * {@code Canary.status.gitRevision} (Bunting addition): the Git commit behind the revision under analysis, when a
 * GitSync applied the change that started it.
 */
public class CanaryGitRevision extends ApiObject {
  /** The GitSync's revision, {@code main@sha1:<hex>}. */
  public String revision;
  /** The first line of the commit message. */
  public String subject;
  /** The GitSync that applied it, {@code namespace/name}. */
  public String gitSync;

  public CanaryGitRevision() {}

  public CanaryGitRevision(String revision, String subject, String gitSync) {
    this.revision = revision;
    this.subject = subject;
    this.gitSync = gitSync;
  }

  /** {@code main@sha1:0123456789ab}: the revision with its commit id cut to 12 hex digits. */
  public String shortRevision() {
    if (revision == null) {
      return "";
    }
    int at = revision.indexOf("sha1:");
    return at < 0 || revision.length() < at + 17 ? revision : revision.substring(0, at + 17);
  }

  /** The 7-hex short commit id (empty when unknown): bounded, for metric labels. */
  public String shortSha() {
    int at = revision == null ? -1 : revision.indexOf("sha1:");
    return at < 0 || revision.length() < at + 12 ? "" : revision.substring(at + 5, at + 12);
  }

  /** {@code main@sha1:0123456789ab "podinfo 1.2.0"}, for Events, alerts and log lines. */
  public String describe() {
    return subject == null || subject.isEmpty() ? shortRevision() : shortRevision() + " \"" + subject + "\"";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CanaryGitRevision g && Objects.equals(revision, g.revision)
        && Objects.equals(subject, g.subject) && Objects.equals(gitSync, g.gitSync);
  }

  @Override
  public int hashCode() {
    return Objects.hash(revision, subject, gitSync);
  }
}
