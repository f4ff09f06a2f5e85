package dev.bunting.analysis;

import java.util.regex.Pattern;

/**
 * Whitespace handling of rendered queries. Flagger's Prometheus provider replaces every run of Go regexp
 * {@code \s} characters (space, tab, newline, form feed, carriage return) with one space before it sends a
 * query; Bunting does the same and also trims both ends.
 */
public final class QueryText {

  private static final Pattern GO_SPACE_RUN = Pattern.compile("[\\t\\n\\f\\r ]+");

  private QueryText() {}

  /** Exactly Flagger's {@code trimQuery}: each whitespace run becomes one space; the ends are kept. */
  public static String collapse(String query) {
    return GO_SPACE_RUN.matcher(query).replaceAll(" ");
  }

  /** What Bunting sends: {@link #collapse} and then no space at either end. */
  public static String normalize(String query) {
    return collapse(query).strip();
  }
}
