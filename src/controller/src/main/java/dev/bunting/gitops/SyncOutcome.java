package dev.bunting.gitops;

import java.util.List;
import java.util.Set;

/**
 * What one sync did. {@code changes} lists the objects written ({@code Deployment/ns/web configured}); the counts add
 * up the actions; {@code inventory} is what the GitSync manages afterwards. {@code waiting} is not empty when the
 * apply stopped before the end because something must be in place first (a CRD established, a Namespace active, an
 * object gone before it is created again); the next sync goes on from there.
 */
public record SyncOutcome(List<ObjectKey> inventory, List<String> changes, int created, int configured,
    int unchanged, int skipped, int pruned, List<String> warnings, Set<ObjectKey> skippedKeys, List<String> waiting) {

  /** Only an inventory (what a failed sync leaves behind). */
  public static SyncOutcome inventoryOnly(List<ObjectKey> inventory) {
    return new SyncOutcome(inventory, List.of(), 0, 0, 0, 0, 0, List.of(), Set.of(), List.of());
  }

  /** The same objects as they stand now, with nothing written (a health re-check of the last sync). */
  public SyncOutcome unchangedSince() {
    return new SyncOutcome(inventory, List.of(), 0, 0, created + configured + unchanged, skipped, 0, List.of(),
        skippedKeys, List.of());
  }

  public boolean wroteSomething() {
    return created + configured + pruned > 0;
  }

  /** Whether the whole revision was applied (nothing to wait for before the rest can be). */
  public boolean complete() {
    return waiting.isEmpty();
  }

  /** {@code 2 created, 1 configured, 40 unchanged, 1 pruned} (zero counts left out). */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    append(sb, created, "created");
    append(sb, configured, "configured");
    append(sb, unchanged, "unchanged");
    append(sb, skipped, "skipped");
    append(sb, pruned, "pruned");
    return sb.length() == 0 ? "no objects" : sb.toString();
  }

  private static void append(StringBuilder sb, int n, String what) {
    if (n > 0) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(n).append(' ').append(what);
    }
  }
}
