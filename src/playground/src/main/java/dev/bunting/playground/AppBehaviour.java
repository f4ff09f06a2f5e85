package dev.bunting.playground;

import java.time.Duration;
import java.util.Locale;

/**
 * How a simulated podinfo pod behaves, read from its image tag the way a person would guess it: a tag containing
 * {@code bad} answers one request in five with HTTP 500, a tag containing {@code slow} takes about 500 ms longer, any
 * other tag ({@code 1.0.0}, {@code 1.1.0}) is healthy. Every request also takes a few milliseconds of "work"
 * ({@link #BASE_LATENCY_MIN}–{@link #BASE_LATENCY_MAX}), so latency histograms look like a real app's.
 *
 * @param version the image tag ({@code latest} when the image has none)
 * @param failEvery every n-th request answers 500; 0 means never
 * @param extraLatency added to every request
 */
public record AppBehaviour(String version, int failEvery, Duration extraLatency) {
  /** Shortest simulated work per request. */
  public static final Duration BASE_LATENCY_MIN = Duration.ofMillis(2);
  /** Longest simulated work per request (before {@link #extraLatency()}). */
  public static final Duration BASE_LATENCY_MAX = Duration.ofMillis(20);
  /** The delay a {@code slow} tag adds. */
  public static final Duration SLOW_LATENCY = Duration.ofMillis(500);

  /** The behaviour of a container running {@code image} (e.g. {@code ghcr.io/stefanprodan/podinfo:1.2.0-bad}). */
  public static AppBehaviour of(String image) {
    String version = tag(image);
    String lower = version.toLowerCase(Locale.ROOT);
    return new AppBehaviour(version, lower.contains("bad") ? 5 : 0,
        lower.contains("slow") ? SLOW_LATENCY : Duration.ZERO);
  }

  /** The tag of an image reference; {@code latest} when there is none. A digest is not a tag. */
  static String tag(String image) {
    String ref = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
    int slash = ref.lastIndexOf('/');
    int colon = ref.lastIndexOf(':');
    return colon > slash ? ref.substring(colon + 1) : "latest";
  }

  /** Whether the request with this sequence number (1, 2, 3, ...) fails: exactly one in {@link #failEvery()}. */
  public boolean fails(long sequence) {
    return failEvery > 0 && sequence % failEvery == 0;
  }

  /** The error rate this behaviour produces, in percent. */
  public double errorPercent() {
    return failEvery == 0 ? 0 : 100.0 / failEvery;
  }
}
