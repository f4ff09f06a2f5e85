package dev.bunting.canary.router;

/**
 * Traffic weights between the primary and the canary, as integers that add up to 100. {@code mirrored} is set while
 * requests are mirrored to the canary (blue/green mirroring).
 */
public record Weights(int primary, int canary, boolean mirrored) {
  public static final Weights ALL_PRIMARY = new Weights(100, 0, false);
  public static final Weights ALL_CANARY = new Weights(0, 100, false);

  public Weights {
    if (primary < 0 || canary < 0 || primary + canary != 100) {
      throw new IllegalArgumentException("weights must be non-negative and add up to 100, got " + primary + "/" + canary);
    }
  }

  public static Weights canary(int canaryWeight) {
    return new Weights(100 - canaryWeight, canaryWeight, false);
  }

  @Override
  public String toString() {
    return primary + "/" + canary + (mirrored ? " (mirrored)" : "");
  }
}
