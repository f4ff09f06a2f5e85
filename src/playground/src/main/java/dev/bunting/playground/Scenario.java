package dev.bunting.playground;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A story the playground tells: the releases it commits to Git, in order, each with the outcome a working Bunting
 * produces. Every scenario starts from podinfo {@value #INITIAL_TAG}.
 */
public enum Scenario {
  /** A healthy release is promoted, then a release answering 20 % errors is rolled back. */
  GOOD_THEN_BAD("good-then-bad", List.of(Release.promoted("1.1.0"), Release.rolledBack("1.2.0-bad"))),
  /** A healthy release is promoted. */
  GOOD("good", List.of(Release.promoted("1.1.0"))),
  /** A release answering 20 % errors is rolled back (its success rate is below 99 %). */
  BAD("bad", List.of(Release.rolledBack("1.1.0-bad"))),
  /** A release 500 ms slower is rolled back (its p99 latency is above 500 ms). */
  SLOW("slow", List.of(Release.rolledBack("1.1.0-slow"))),
  /**
   * The Git-aware loop: each release is an image pushed to a local registry; an ImagePolicy commits it, the canary
   * promotes 1.1.0 and rolls back 1.2.0-bad, and the GitSync ({@code rollback: revert}) pushes the revert commit.
   */
  IMAGE_POLICY("image-policy", List.of(Release.promoted("1.1.0"), Release.rolledBack("1.2.0-bad")));

  public static final String INITIAL_TAG = "1.0.0";

  private final String id;
  private final List<Release> releases;

  Scenario(String id, List<Release> releases) {
    this.id = id;
    this.releases = releases;
  }

  /**
   * One commit of the story.
   *
   * @param tag the image tag committed
   * @param expectPromoted whether a working Bunting promotes it (else it rolls it back)
   */
  public record Release(String tag, boolean expectPromoted) {
    static Release promoted(String tag) {
      return new Release(tag, true);
    }

    static Release rolledBack(String tag) {
      return new Release(tag, false);
    }

    /** What should happen, in words. */
    public String expectation() {
      return expectPromoted ? "promoted" : "rolled back";
    }
  }

  public String id() {
    return id;
  }

  public List<Release> releases() {
    return releases;
  }

  /** Whether releases are images pushed to a registry that an ImagePolicy writes into Git (else: commits). */
  public boolean imagePolicy() {
    return this == IMAGE_POLICY;
  }

  /** The scenario called {@code id} (as on the command line). */
  public static Scenario of(String id) {
    String wanted = id.toLowerCase(Locale.ROOT).trim();
    return Arrays.stream(values()).filter(s -> s.id.equals(wanted)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown scenario '" + id + "'; one of " + ids()));
  }

  /** The scenario names, comma-separated. */
  public static String ids() {
    return Arrays.stream(values()).map(Scenario::id).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return id;
  }
}
