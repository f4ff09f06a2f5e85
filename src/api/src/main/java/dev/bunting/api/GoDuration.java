package dev.bunting.api;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and formats durations the way Go's {@code time.ParseDuration} and Flagger manifests spell them ({@code 1m}, {@code 30s}, {@code 1m30s}, {@code 500ms}). */
public final class GoDuration {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  private GoDuration() {}

  /** The duration, or empty when the text is not a Go duration. */
  public static Optional<Duration> parse(String text) {
    if (text == null || text.isEmpty()) {
      return Optional.empty();
    }
    if (text.equals("0")) {
      return Optional.of(Duration.ZERO);
    }
    Matcher m = PART.matcher(text);
    int pos = 0;
    double nanos = 0;
    while (pos < text.length()) {
      if (!m.find(pos) || m.start() != pos) {
        return Optional.empty();
      }
      double v = Double.parseDouble(m.group(1));
      nanos += v * switch (m.group(2)) {
        case "ns" -> 1d;
        case "us", "µs" -> 1e3;
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        default -> 3600e9;
      };
      pos = m.end();
    }
    return Optional.of(Duration.ofNanos((long) nanos));
  }

  /** Go's {@code Duration.String()} for whole seconds and milliseconds: {@code 1m0s}, {@code 30s}, {@code 1h0m0s}, {@code 500ms}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000 && ms > 0) {
      return ms + "ms";
    }
    long s = d.getSeconds();
    long h = s / 3600;
    long m = (s % 3600) / 60;
    long sec = s % 60;
    if (h > 0) {
      return h + "h" + m + "m" + sec + "s";
    }
    if (m > 0) {
      return m + "m" + sec + "s";
    }
    return sec + "s";
  }
}
