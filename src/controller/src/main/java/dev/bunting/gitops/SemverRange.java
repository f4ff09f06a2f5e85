package dev.bunting.gitops;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A semver range as written in {@code spec.ref.semver}, with the syntax of the Masterminds library Flux uses (and npm):
 * comparisons {@code = != > >= < <=}, wildcards {@code 1.x}, {@code 1.2.*}, {@code *}, partial versions ({@code 1.2}
 * means {@code 1.2.x}), tilde {@code ~1.2.3} (patch updates), caret {@code ^1.2.3} (no new major; minor for
 * {@code ^0.x}), hyphen ranges {@code 1.2 - 1.4.5}; space or comma means AND, {@code ||} means OR. A pre-release
 * version only matches a group that itself names a pre-release, so {@code >=1.0.0} never selects {@code 2.0.0-rc.1}.
 */
public final class SemverRange {
  private static final Pattern TERM = Pattern.compile(
      "(!=|>=|=>|<=|=<|~>|[=<>~^])?\\s*([vV]?(?:\\d+|[xX*])(?:\\.(?:\\d+|[xX*])){0,2}"
          + "(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?)");
  private static final Pattern HYPHEN = Pattern.compile("^\\s*(\\S+)\\s+-\\s+(\\S+)\\s*$");
  private static final Pattern PARTIAL = Pattern.compile(
      "^[vV]?(\\d+|[xX*])(?:\\.(\\d+|[xX*]))?(?:\\.(\\d+|[xX*]))?(?:-([0-9A-Za-z.-]+))?(?:\\+[0-9A-Za-z.-]+)?$");

  private enum Op { EQ, NE, GT, GE, LT, LE }

  private record Comparator(Op op, Semver v) {
    boolean test(Semver x) {
      int c = x.compareTo(v);
      return switch (op) {
        case EQ -> c == 0;
        case NE -> c != 0;
        case GT -> c > 0;
        case GE -> c >= 0;
        case LT -> c < 0;
        case LE -> c <= 0;
      };
    }
  }

  /** Comparators that must all hold; {@code exclusions} are ranges that must not hold ({@code !=1.2}). */
  private record Group(List<Comparator> all, List<List<Comparator>> exclusions, boolean allowsPrerelease) {
    boolean test(Semver x) {
      if (x.isPrerelease() && !allowsPrerelease) {
        return false;
      }
      for (Comparator c : all) {
        if (!c.test(x)) {
          return false;
        }
      }
      for (List<Comparator> ex : exclusions) {
        if (ex.stream().allMatch(c -> c.test(x))) {
          return false;
        }
      }
      return true;
    }
  }

  /** A partial version: null parts are wildcards. */
  private record Partial(Long major, Long minor, Long patch, String pre) {
    Semver floor() {
      return new Semver(nz(major), nz(minor), nz(patch), pre == null ? List.of() : Semver.split(pre), null);
    }

    /** The exclusive upper bound of the wildcard range, or null when fully specified or {@code *}. */
    Semver ceiling() {
      if (major == null) {
        return null;
      }
      if (minor == null) {
        return Semver.of(major + 1, 0, 0);
      }
      if (patch == null) {
        return Semver.of(major, minor + 1, 0);
      }
      return null;
    }

    boolean complete() {
      return major != null && minor != null && patch != null;
    }

    private static long nz(Long v) {
      return v == null ? 0 : v;
    }
  }

  private final String text;
  private final List<Group> groups;

  private SemverRange(String text, List<Group> groups) {
    this.text = text;
    this.groups = groups;
  }

  /** Parses a range; the exception message says what is wrong. */
  public static SemverRange parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty semver range");
    }
    List<Group> groups = new ArrayList<>();
    for (String g : text.split("\\|\\|", -1)) {
      groups.add(parseGroup(g.replace(',', ' '), text));
    }
    return new SemverRange(text, groups);
  }

  public boolean matches(Semver v) {
    return groups.stream().anyMatch(g -> g.test(v));
  }

  /** The highest of {@code candidates} in the range. */
  public Optional<Semver> highest(Collection<Semver> candidates) {
    return candidates.stream().filter(this::matches).max(Semver::compareTo);
  }

  @Override
  public String toString() {
    return text;
  }

  private static Group parseGroup(String g, String whole) {
    List<Comparator> all = new ArrayList<>();
    List<List<Comparator>> exclusions = new ArrayList<>();
    boolean pre = false;
    Matcher hy = HYPHEN.matcher(g);
    if (hy.matches()) {
      Partial lo = partial(hy.group(1), whole);
      Partial hi = partial(hy.group(2), whole);
      all.add(new Comparator(Op.GE, lo.floor()));
      Semver ceil = hi.ceiling();
      all.add(ceil != null ? new Comparator(Op.LT, ceil) : new Comparator(Op.LE, hi.floor()));
      return new Group(all, exclusions, lo.pre() != null || hi.pre() != null);
    }
    String rest = g.trim();
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("empty alternative in semver range '" + whole + "'");
    }
    Matcher m = TERM.matcher(rest);
    int pos = 0;
    while (pos < rest.length()) {
      while (pos < rest.length() && Character.isWhitespace(rest.charAt(pos))) {
        pos++;
      }
      if (pos >= rest.length()) {
        break;
      }
      if (!m.find(pos) || m.start() != pos) {
        throw new IllegalArgumentException("cannot read '" + rest.substring(pos) + "' in semver range '" + whole
            + "' (expected e.g. >=1.2.0 <2.0.0, 1.x, ~1.2 or ^1.0)");
      }
      String op = m.group(1) == null ? "" : m.group(1);
      Partial p = partial(m.group(2), whole);
      pre |= p.pre() != null;
      expand(op, p, all, exclusions);
      pos = m.end();
      if (pos < rest.length() && !Character.isWhitespace(rest.charAt(pos))) {
        throw new IllegalArgumentException("cannot read '" + rest.substring(m.start()) + "' in semver range '"
            + whole + "'");
      }
    }
    return new Group(all, exclusions, pre);
  }

  private static void expand(String op, Partial p, List<Comparator> all, List<List<Comparator>> exclusions) {
    Semver floor = p.floor();
    Semver ceil = p.ceiling();
    switch (op) {
      case "", "=" -> {
        if (p.major() == null) {
          all.add(new Comparator(Op.GE, Semver.of(0, 0, 0)));
        } else if (ceil == null) {
          all.add(new Comparator(Op.EQ, floor));
        } else {
          all.add(new Comparator(Op.GE, floor));
          all.add(new Comparator(Op.LT, ceil));
        }
      }
      case "!=" -> {
        if (ceil == null) {
          exclusions.add(List.of(new Comparator(Op.EQ, floor)));
        } else {
          exclusions.add(List.of(new Comparator(Op.GE, floor), new Comparator(Op.LT, ceil)));
        }
      }
      case ">" -> all.add(ceil == null ? new Comparator(Op.GT, floor) : new Comparator(Op.GE, ceil));
      case ">=", "=>" -> all.add(new Comparator(Op.GE, floor));
      case "<" -> all.add(new Comparator(Op.LT, floor));
      case "<=", "=<" -> all.add(ceil == null ? new Comparator(Op.LE, floor) : new Comparator(Op.LT, ceil));
      case "~", "~>" -> {
        all.add(new Comparator(Op.GE, floor));
        if (p.major() != null) {
          all.add(new Comparator(Op.LT, p.minor() == null ? Semver.of(p.major() + 1, 0, 0)
              : Semver.of(p.major(), p.minor() + 1, 0)));
        }
      }
      case "^" -> {
        all.add(new Comparator(Op.GE, floor));
        if (p.major() != null) {
          Semver upper;
          if (p.major() > 0 || p.minor() == null) {
            upper = Semver.of(p.major() + 1, 0, 0);
          } else if (p.minor() > 0 || p.patch() == null) {
            upper = Semver.of(0, p.minor() + 1, 0);
          } else {
            upper = Semver.of(0, 0, p.patch() + 1);
          }
          all.add(new Comparator(Op.LT, upper));
        }
      }
      default -> throw new IllegalArgumentException("unknown operator " + op);
    }
  }

  private static Partial partial(String text, String whole) {
    Matcher m = PARTIAL.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a version in semver range '" + whole + "'");
    }
    Long major = num(m.group(1));
    Long minor = major == null ? null : num(m.group(2));
    Long patch = minor == null ? null : num(m.group(3));
    return new Partial(major, minor, patch, m.group(4));
  }

  private static Long num(String s) {
    if (s == null || s.equals("x") || s.equals("X") || s.equals("*")) {
      return null;
    }
    return Long.parseLong(s);
  }
}
