package dev.bunting.gitops;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A synced revision as Flux prints it ({@code fluxcd/pkg git.Commit.String()}): {@code <ref>@sha1:<hex>} where
 * {@code <ref>} is the branch or tag name ({@code main@sha1:…}, {@code v1.2.0@sha1:…}), or {@code sha1:<hex>} for a
 * bare commit. {@link #parse} also reads the pre-v1 form {@code main/<hex>}.
 *
 * @param ref the short branch or tag name, or null for a bare commit
 * @param sha the 40-hex commit id, lower case
 */
public record GitRevision(String ref, String sha) {
  private static final Pattern CURRENT = Pattern.compile("^(?:(.+)@)?sha1:([0-9a-fA-F]{40})$");
  private static final Pattern LEGACY = Pattern.compile("^(.+)/([0-9a-fA-F]{40})$");

  public GitRevision {
    if (sha == null || !sha.matches("[0-9a-fA-F]{40}")) {
      throw new IllegalArgumentException("not a sha1 commit id: " + sha);
    }
    sha = sha.toLowerCase(Locale.ROOT);
    if (ref != null && ref.isEmpty()) {
      ref = null;
    }
  }

  public static GitRevision of(String ref, String sha) {
    return new GitRevision(ref, sha);
  }

  public static Optional<GitRevision> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher m = CURRENT.matcher(text);
    if (m.matches()) {
      return Optional.of(new GitRevision(m.group(1), m.group(2)));
    }
    m = LEGACY.matcher(text);
    if (m.matches()) {
      return Optional.of(new GitRevision(m.group(1), m.group(2)));
    }
    return Optional.empty();
  }

  /** The short form for messages: {@code main@sha1:0123abcd}. */
  public String shortString() {
    String s = "sha1:" + sha.substring(0, 12);
    return ref == null ? s : ref + "@" + s;
  }

  @Override
  public String toString() {
    return ref == null ? "sha1:" + sha : ref + "@sha1:" + sha;
  }
}
