package dev.bunting.gitops;

import java.util.List;

/**
 * A sync that could not finish. {@code reason} becomes the {@code Ready=False} reason; {@code stalled} means retrying the
 * same revision cannot help (invalid manifests), so the GitSync waits for a new commit or spec instead of backing off.
 * {@code inventory}, when not null, is what the GitSync manages now (some objects may have been applied).
 */
public final class SyncFailure extends Exception {
  public static final String VALIDATION_FAILED = "ValidationFailed";
  public static final String BUILD_FAILED = "BuildFailed";
  public static final String APPLY_FAILED = "ApplyFailed";
  public static final String PRUNE_FAILED = "PruneFailed";
  public static final String EMPTY_RENDER = "EmptyRender";
  public static final String DEPENDENCY_NOT_READY = "DependencyNotReady";

  private final String reason;
  private final boolean stalled;
  private final transient List<ObjectKey> inventory;

  public SyncFailure(String reason, String message, boolean stalled, List<ObjectKey> inventory) {
    super(message);
    this.reason = reason;
    this.stalled = stalled;
    this.inventory = inventory;
  }

  public String reason() {
    return reason;
  }

  public boolean stalled() {
    return stalled;
  }

  public List<ObjectKey> inventory() {
    return inventory;
  }
}
