package dev.bunting.images;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Flux's image policy markers in YAML files: a line whose value is followed by a comment
 * {@code # {"$imagepolicy": "<namespace>:<name>"}} gets the whole image ({@code repository:tag}),
 * {@code "<namespace>:<name>:tag"} the tag only, {@code "<namespace>:<name>:name"} the repository only. Only the value
 * of a marked line changes (quotes kept); every other byte of the file, line endings included, stays as it is.
 */
public final class ImageMarkers {
  private static final Pattern MARKED = Pattern.compile(
      "^(?<prefix>.*?)(?<value>\"[^\"]*\"|'[^']*'|[^\\s\"'#]+)(?<gap>\\s+)(?<comment>#\\s*\\{\\s*\"\\$imagepolicy\"\\s*:"
          + "\\s*\"(?<ref>[^\"]+)\"\\s*}.*)$");

  /**
   * The result of updating one file.
   *
   * @param text the file with the marked values set
   * @param changed how many lines changed
   * @param marked how many lines name the policy
   */
  public record Update(String text, int changed, int marked) {}

  private ImageMarkers() {}

  /** Sets the values of the lines marked for {@code policy} ({@code namespace:name}) to {@code image}:{@code tag}. */
  public static Update update(String text, String policy, ImageReference image, String tag) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    int changed = 0;
    int marked = 0;
    int i = 0;
    while (i < text.length()) {
      int nl = text.indexOf('\n', i);
      int end = nl < 0 ? text.length() : nl + 1;
      String eol = nl < 0 ? "" : nl > i && text.charAt(nl - 1) == '\r' ? "\r\n" : "\n";
      String line = text.substring(i, end - eol.length());
      String updated = line;
      Matcher m = MARKED.matcher(line);
      if (m.matches()) {
        String value = valueFor(m.group("ref"), policy, image, tag);
        if (value != null) {
          marked++;
          String old = m.group("value");
          String quote = old.startsWith("\"") || old.startsWith("'") ? old.substring(0, 1) : "";
          updated = m.group("prefix") + quote + value + quote + m.group("gap") + m.group("comment");
          if (!updated.equals(line)) {
            changed++;
          }
        }
      }
      out.append(updated).append(eol);
      i = end;
    }
    return new Update(out.toString(), changed, marked);
  }

  /** What a marker with {@code ref} gets, or null when it names another policy (or a field not supported). */
  private static String valueFor(String ref, String policy, ImageReference image, String tag) {
    String r = ref.trim();
    if (r.equals(policy)) {
      return image.withTag(tag);
    }
    if (r.equals(policy + ":tag")) {
      return tag;
    }
    if (r.equals(policy + ":name")) {
      return image.image();
    }
    return null;
  }
}
