package dev.bunting.loadtester;

import dev.bunting.api.GoDuration;
import io.vertx.core.http.HttpMethod;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a {@code load} task sends: requests to {@code url} started at a fixed {@code rate} per second (an open model:
 * a slow answer does not slow the schedule), at most {@code concurrency} of them in flight, for {@code duration} (or,
 * when it is null, until the run is stopped; only Java callers such as the playground use that).
 *
 * @param headers request headers, in order; a name may repeat
 * @param body the request body; empty for none
 * @param requestTimeout how long one request may go without an answer before it counts as a {@code timeout}
 */
public record LoadSpec(URI url, double rate, Duration duration, int concurrency, HttpMethod method,
    List<Header> headers, String body, Duration requestTimeout) {

  /** Metadata keys of a {@code load} task. */
  public static final Set<String> KEYS = Set.of("type", "url", "rate", "duration", "concurrency", "method", "headers",
      "body", "timeout", "wait", "maxErrorPercentage", "logCmdOutput", "returnCmdOutput");
  public static final double DEFAULT_RATE = 10;
  public static final Duration DEFAULT_DURATION = Duration.ofMinutes(1);
  public static final int DEFAULT_CONCURRENCY = 50;
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(20);
  static final double MAX_RATE = 10_000;
  static final int MAX_CONCURRENCY = 10_000;

  /** One request header. */
  public record Header(String name, String value) {}

  public LoadSpec {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(method, "method");
    headers = headers == null ? List.of() : List.copyOf(headers);
    body = body == null ? "" : body;
    requestTimeout = requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout;
  }

  /**
   * Reads a {@code load} task's metadata: {@code url} (required), {@code rate} (requests per second, default 10),
   * {@code duration} (a Go duration, default {@code 1m}, at most {@code maxDuration}), {@code concurrency} (default 50),
   * {@code method} (default GET), {@code headers} ({@code Name: value} lines), {@code body}, {@code timeout} (per
   * request, default 20s).
   *
   * @throws IllegalArgumentException with a message for the user when a value is missing or wrong
   */
  public static LoadSpec fromMetadata(Map<String, String> metadata, Duration maxDuration) {
    List<String> unknown = metadata.keySet().stream().filter(k -> !KEYS.contains(k)).sorted().toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown load metadata " + unknown + " (known: url, rate, duration, "
          + "concurrency, method, headers, body, timeout, wait, maxErrorPercentage)");
    }
    String url = metadata.get("url");
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("url not found in metadata");
    }
    double rate = number(metadata, "rate", DEFAULT_RATE);
    if (!(rate > 0) || rate > MAX_RATE) {
      throw new IllegalArgumentException("rate must be more than 0 and at most " + (long) MAX_RATE
          + " requests per second, got " + metadata.get("rate"));
    }
    Duration duration = duration(metadata, "duration", DEFAULT_DURATION);
    if (duration.compareTo(maxDuration) > 0) {
      throw new IllegalArgumentException("duration " + metadata.get("duration") + " is longer than the load tester's "
          + "--timeout " + GoDuration.format(maxDuration));
    }
    double concurrency = number(metadata, "concurrency", DEFAULT_CONCURRENCY);
    if (concurrency < 1 || concurrency > MAX_CONCURRENCY || concurrency != Math.floor(concurrency)) {
      throw new IllegalArgumentException("concurrency must be a whole number from 1 to " + MAX_CONCURRENCY + ", got "
          + metadata.get("concurrency"));
    }
    String method = metadata.getOrDefault("method", "GET").trim().toUpperCase(Locale.ROOT);
    if (!method.matches("[A-Z]+")) {
      throw new IllegalArgumentException("method must be an HTTP method such as GET or POST, got " + method);
    }
    return new LoadSpec(httpUrl(url.trim()), rate, duration, (int) concurrency, HttpMethod.valueOf(method),
        headers(metadata.getOrDefault("headers", "")), metadata.getOrDefault("body", ""),
        duration(metadata, "timeout", DEFAULT_REQUEST_TIMEOUT));
  }

  /** This spec running until stopped rather than for a duration. */
  public LoadSpec untilStopped() {
    return new LoadSpec(url, rate, null, concurrency, method, headers, body, requestTimeout);
  }

  public Optional<Duration> durationIfBounded() {
    return Optional.ofNullable(duration);
  }

  /** Every field, in a fixed order: two tasks with the same canonical text are the same load. */
  String canonical() {
    return String.join("\n", url.toString(), Double.toString(rate), String.valueOf(duration),
        Integer.toString(concurrency), method.name(), headers.toString(), body, requestTimeout.toString());
  }

  private static URI httpUrl(String url) {
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    throw new IllegalArgumentException("url must be an absolute http or https URL, got " + url);
  }

  private static List<Header> headers(String text) {
    List<Header> out = new ArrayList<>();
    for (String line : text.split("\\r?\\n")) {
      if (line.isBlank()) {
        continue;
      }
      int colon = line.indexOf(':');
      String name = colon < 0 ? "" : line.substring(0, colon).trim();
      if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
        throw new IllegalArgumentException("headers must be 'Name: value' lines, got '" + line.trim() + "'");
      }
      out.add(new Header(name, line.substring(colon + 1).trim()));
    }
    return out;
  }

  private static double number(Map<String, String> metadata, String key, double fallback) {
    String value = metadata.get(key);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a number, got " + value);
    }
  }

  private static Duration duration(Map<String, String> metadata, String key, Duration fallback) {
    String value = metadata.get(key);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    Duration d = GoDuration.parse(value.trim()).orElseThrow(() ->
        new IllegalArgumentException(key + " must be a duration such as 30s or 2m, got " + value));
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(key + " must be more than 0, got " + value);
    }
    return d;
  }
}
