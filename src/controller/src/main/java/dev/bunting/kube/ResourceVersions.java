package dev.bunting.kube;

/** Comparing resourceVersions, for read-your-writes: does a cache show what this controller wrote? */
public final class ResourceVersions {
  private ResourceVersions() {}

  /**
   * resourceVersions are opaque, but etcd-backed servers hand out increasing integers; when both parse, a cached
   * version at or above the written one means the cache has our write (others may have written since).
   */
  public static boolean atLeast(String cached, String written) {
    if (cached == null || written == null) {
      return false;
    }
    if (cached.equals(written)) {
      return true;
    }
    try {
      return Long.parseLong(cached) >= Long.parseLong(written);
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
