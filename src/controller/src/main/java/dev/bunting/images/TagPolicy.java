package dev.bunting.images;

import dev.bunting.api.ImagePolicyChoice;
import dev.bunting.api.ImagePolicyFilterTags;
import dev.bunting.gitops.Semver;
import dev.bunting.gitops.SemverRange;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Chooses the newest allowed tag, as Flux's ImagePolicy does: {@code filterTags.pattern} keeps the tags it matches
 * and {@code extract} (a replacement over the pattern's groups) is what gets ordered; then {@code semver.range} picks
 * the highest version in the range, {@code alphabetical} the last in ascending (or first in descending) order,
 * {@code numerical} the largest (or smallest) number. Tags the policy cannot read (not a version, not a number) are
 * skipped.
 */
public final class TagPolicy {
  private static final Pattern GO_NAMED_GROUP = Pattern.compile("\\(\\?P<");
  private static final Pattern REFERENCE = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)");

  private enum Kind { SEMVER, ALPHABETICAL, NUMERICAL }

  private final Kind kind;
  private final boolean descending;
  private final SemverRange range;
  private final Pattern filter;
  private final String extract;

  private TagPolicy(Kind kind, boolean descending, SemverRange range, Pattern filter, String extract) {
    this.kind = kind;
    this.descending = descending;
    this.range = range;
    this.filter = filter;
    this.extract = extract;
  }

  /** The policy of a spec; {@link IllegalArgumentException} with a message for the user when it is not valid. */
  public static TagPolicy of(ImagePolicyChoice policy, ImagePolicyFilterTags filterTags) {
    if (policy == null || policy.kindCount() != 1) {
      throw new IllegalArgumentException("spec.policy must set exactly one of semver, alphabetical or numerical");
    }
    Pattern filter = null;
    String extract = null;
    if (filterTags != null && filterTags.pattern != null && !filterTags.pattern.isEmpty()) {
      try {
        filter = Pattern.compile(GO_NAMED_GROUP.matcher(filterTags.pattern).replaceAll("(?<"));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("spec.filterTags.pattern is not a regular expression: "
            + e.getDescription());
      }
      extract = filterTags.extract == null || filterTags.extract.isEmpty() ? null : filterTags.extract;
    }
    if (policy.semver != null) {
      try {
        return new TagPolicy(Kind.SEMVER, false, SemverRange.parse(policy.semver.range), filter, extract);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("spec.policy.semver.range: " + e.getMessage());
      }
    }
    ImagePolicyChoice.OrderPolicy order = policy.alphabetical != null ? policy.alphabetical : policy.numerical;
    String o = order.order == null ? "asc" : order.order;
    if (!o.equals("asc") && !o.equals("desc")) {
      throw new IllegalArgumentException("spec.policy order must be asc or desc (got '" + o + "')");
    }
    return new TagPolicy(policy.alphabetical != null ? Kind.ALPHABETICAL : Kind.NUMERICAL, o.equals("desc"), null,
        filter, extract);
  }

  /** The newest allowed tag among {@code tags}, if any. */
  public Optional<String> newest(Collection<String> tags) {
    record Candidate(String tag, String value) {}
    Comparator<Candidate> order = switch (kind) {
      case SEMVER -> Comparator.comparing(c -> Semver.parse(c.value()).orElseThrow());
      case ALPHABETICAL -> Comparator.comparing(Candidate::value);
      case NUMERICAL -> Comparator.comparing(c -> new BigDecimal(c.value()));
    };
    if (descending) {
      order = order.reversed();
    }
    // ties (two spellings of one version): the greater tag text wins, so the choice does not depend on list order
    order = order.thenComparing(Candidate::tag);
    return tags.stream().map(t -> {
      String value = value(t);
      return value == null || !allowed(value) ? null : new Candidate(t, value);
    }).filter(c -> c != null).max(order).map(Candidate::tag);
  }

  private String value(String tag) {
    if (filter == null) {
      return tag;
    }
    Matcher m = filter.matcher(tag);
    if (!m.find()) {
      return null;
    }
    return extract == null ? tag : expand(m, extract);
  }

  private static String expand(Matcher m, String template) {
    Matcher ref = REFERENCE.matcher(template);
    StringBuilder out = new StringBuilder();
    while (ref.find()) {
      String name = ref.group(1) != null ? ref.group(1) : ref.group(2);
      String value;
      try {
        value = name.chars().allMatch(Character::isDigit) ? m.group(Integer.parseInt(name)) : m.group(name);
      } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
        value = "";
      }
      ref.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : value));
    }
    ref.appendTail(out);
    return out.toString();
  }

  private boolean allowed(String value) {
    return switch (kind) {
      case SEMVER -> Semver.parse(value).map(range::matches).orElse(false);
      case ALPHABETICAL -> true;
      case NUMERICAL -> {
        try {
          new BigDecimal(value);
          yield true;
        } catch (NumberFormatException e) {
          yield false;
        }
      }
    };
  }
}
