package dev.bunting.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;

/**
 * Server-side apply with one field manager, on the worker pool. {@link #applyIfChanged} skips the request when the
 * cached live object already has every desired field ({@link Subset}) and the manager owns no field the desired object
 * dropped ({@link AppliedFields}), so steady state costs no writes and a dropped field is still removed.
 */
public final class Applier {
  private final KubernetesClient client;
  private final BlockingPool pool;
  private final String fieldManager;

  public Applier(KubernetesClient client, BlockingPool pool, String fieldManager) {
    this.client = client;
    this.pool = pool;
    this.fieldManager = fieldManager;
  }

  public String fieldManager() {
    return fieldManager;
  }

  /** Applies {@code desired} (forcing conflicts: Bunting owns these fields). */
  public <T extends HasMetadata> Future<T> apply(T desired) {
    return apply(desired, fieldManager);
  }

  /**
   * Applies {@code desired} as another field manager, e.g. one per owner of a shared object, so each owner keeps its
   * own entries (owner references) in lists the others apply too.
   */
  public <T extends HasMetadata> Future<T> apply(T desired, String manager) {
    return pool.run(() -> client.resource(desired).fieldManager(manager).forceConflicts().serverSideApply());
  }

  /**
   * Applies {@code desired} unless {@code live} already contains it and holds no field this manager applied before
   * that {@code desired} leaves out; the written object, or null when nothing was sent.
   */
  public <T extends HasMetadata> Future<T> applyIfChanged(T desired, HasMetadata live) {
    if (live != null && Subset.contains(live, desired) && !AppliedFields.hasFieldsBeyond(live, fieldManager, desired)) {
      return Future.succeededFuture(null);
    }
    return apply(desired);
  }
}
