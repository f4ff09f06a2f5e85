package dev.bunting.gitops;

import java.util.List;

/**
 * What one sync did. {@code changes} lists the objects written ({@code Deployment/ns/web configured}); the counts add
 * up the actions; {@code inventory} is what the GitSync manages afterwards.
 */
public record SyncOutcome(List<ObjectKey> inventory, List<String> changes, int created, int configured,
    int unchanged, int skipped, int pruned, List<String> warnings, java.util.Set<ObjectKey> skippedKeys) {

  public boolean wroteSomething() {
    return created + configured + pruned > 0;
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
