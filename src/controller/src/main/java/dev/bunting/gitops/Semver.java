package dev.bunting.gitops;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A semantic version read from a tag name: an optional {@code v}, {@code MAJOR[.MINOR[.PATCH]]}, an optional
 * {@code -prerelease} and an optional {@code +build} (ignored for ordering). Missing minor or patch count as 0, as in
 * the Masterminds library Flux uses. Ordering follows semver 2.0 precedence.
 */
public record Semver(long major, long minor, long patch, List<String> prerelease, String original)
    implements Comparable<Semver> {
  private static final Pattern VERSION = Pattern.compile(
      "^[vV]?(0|[1-9]\\d*)(?:\\.(0|[1-9]\\d*))?(?:\\.(0|[1-9]\\d*))?"
          + "(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?$");

  public static Optional<Semver> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher m = VERSION.matcher(text.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      List<String> pre = m.group(4) == null ? List.of() : List.of(m.group(4).split("\\."));
      return Optional.of(new Semver(Long.parseLong(m.group(1)), m.group(2) == null ? 0 : Long.parseLong(m.group(2)),
          m.group(3) == null ? 0 : Long.parseLong(m.group(3)), pre, text));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  static Semver of(long major, long minor, long patch) {
    return new Semver(major, minor, patch, List.of(), major + "." + minor + "." + patch);
  }

  public boolean isPrerelease() {
    return !prerelease.isEmpty();
  }

  /** The same version without pre-release identifiers. */
  Semver release() {
    return new Semver(major, minor, patch, List.of(), original);
  }

  @Override
  public int compareTo(Semver o) {
    int c = Long.compare(major, o.major);
    if (c == 0) {
      c = Long.compare(minor, o.minor);
    }
    if (c == 0) {
      c = Long.compare(patch, o.patch);
    }
    if (c != 0) {
      return c;
    }
    if (prerelease.isEmpty() || o.prerelease.isEmpty()) {
      return Boolean.compare(prerelease.isEmpty(), o.prerelease.isEmpty());
    }
    for (int i = 0; i < Math.min(prerelease.size(), o.prerelease.size()); i++) {
      String a = prerelease.get(i);
      String b = o.prerelease.get(i);
      boolean an = a.chars().allMatch(Character::isDigit);
      boolean bn = b.chars().allMatch(Character::isDigit);
      int d;
      if (an && bn) {
        d = new java.math.BigInteger(a).compareTo(new java.math.BigInteger(b));
      } else if (an != bn) {
        d = an ? -1 : 1;
      } else {
        d = a.compareTo(b);
      }
      if (d != 0) {
        return d;
      }
    }
    return Integer.compare(prerelease.size(), o.prerelease.size());
  }

  /** Same precedence (build metadata and spelling ignored). */
  public boolean sameVersionAs(Semver o) {
    return compareTo(o) == 0;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder().append(major).append('.').append(minor).append('.').append(patch);
    if (!prerelease.isEmpty()) {
      sb.append('-').append(String.join(".", prerelease));
    }
    return sb.toString();
  }

  static List<String> split(String text) {
    return new ArrayList<>(List.of(text.split("\\.")));
  }
}
