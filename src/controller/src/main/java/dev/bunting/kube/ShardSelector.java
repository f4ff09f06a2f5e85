package dev.bunting.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --watch-label-selector}: which Canaries and GitSyncs this controller acts on, as a Kubernetes label selector
 * string ({@code key=value}, {@code key==value}, {@code key!=value}, {@code key in (a,b)}, {@code key notin (a,b)},
 * {@code key}, {@code !key}, comma-separated, all must hold), with the API server's meaning: {@code !=} and
 * {@code notin} also match objects without the label. The empty selector matches everything.
 *
 * <p>Several Bunting deployments split a fleet with it, as Flux's controllers do with {@code sharding.fluxcd.io/key}:
 * e.g. {@code sharding.bunting.dev/key=shard1} for a shard and {@code sharding.bunting.dev/key notin (shard1,shard2)}
 * for the main deployment, which then takes everything not labelled for a shard.
 */
public final class ShardSelector {
  public static final ShardSelector ALL = new ShardSelector("", List.of());

  private static final String KEY = "(?:[A-Za-z0-9.-]+/)?[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?";
  private static final String VALUE = "(?:[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)?";
  private static final Pattern SET = Pattern.compile("^(" + KEY + ")\\s+(in|notin)\\s*\\((.*)\\)$");
  private static final Pattern EQUALITY = Pattern.compile("^(" + KEY + ")\\s*(==|=|!=)\\s*(" + VALUE + ")$");
  private static final Pattern EXISTS = Pattern.compile("^(!)?\\s*(" + KEY + ")$");

  private enum Op { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, NOT_EXISTS }

  private record Requirement(String key, Op op, Set<String> values) {
    boolean matches(Map<String, String> labels) {
      String v = labels == null ? null : labels.get(key);
      return switch (op) {
        case EQUALS, IN -> v != null && values.contains(v);
        case NOT_EQUALS, NOT_IN -> v == null || !values.contains(v);
        case EXISTS -> v != null;
        case NOT_EXISTS -> v == null;
      };
    }
  }

  private final String text;
  private final List<Requirement> requirements;

  private ShardSelector(String text, List<Requirement> requirements) {
    this.text = text;
    this.requirements = requirements;
  }

  /**
   * Parses a selector; blank or null is {@link #ALL}.
   *
   * @throws IllegalArgumentException naming the part that is not a requirement
   */
  public static ShardSelector parse(String text) {
    if (text == null || text.isBlank()) {
      return ALL;
    }
    List<Requirement> reqs = new ArrayList<>();
    for (String part : split(text.trim())) {
      String p = part.trim();
      Matcher m;
      if ((m = SET.matcher(p)).matches()) {
        List<String> values = new ArrayList<>();
        for (String v : m.group(3).split(",", -1)) {
          String value = v.trim();
          if (!value.matches(VALUE) || value.isEmpty()) {
            throw invalid(text, p, "'" + value + "' is not a label value");
          }
          values.add(value);
        }
        reqs.add(new Requirement(m.group(1), m.group(2).equals("in") ? Op.IN : Op.NOT_IN, Set.copyOf(values)));
      } else if ((m = EQUALITY.matcher(p)).matches()) {
        reqs.add(new Requirement(m.group(1), m.group(2).equals("!=") ? Op.NOT_EQUALS : Op.EQUALS, Set.of(m.group(3))));
      } else if ((m = EXISTS.matcher(p)).matches()) {
        reqs.add(new Requirement(m.group(2), m.group(1) == null ? Op.EXISTS : Op.NOT_EXISTS, Set.of()));
      } else {
        throw invalid(text, p, "expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key");
      }
    }
    return new ShardSelector(text.trim(), List.copyOf(reqs));
  }

  private static IllegalArgumentException invalid(String text, String part, String why) {
    return new IllegalArgumentException("invalid label selector '" + text + "' at '" + part + "': " + why);
  }

  /** Splits at commas outside parentheses. */
  private static List<String> split(String text) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        parts.add(text.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(text.substring(start));
    return parts;
  }

  public boolean matches(Map<String, String> labels) {
    for (Requirement r : requirements) {
      if (!r.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  public boolean matches(HasMetadata obj) {
    return matches(obj.getMetadata() == null ? null : obj.getMetadata().getLabels());
  }

  /** True for the empty selector. */
  public boolean all() {
    return requirements.isEmpty();
  }

  /** The selector as given (trimmed); empty for {@link #ALL}. */
  @Override
  public String toString() {
    return text;
  }
}
