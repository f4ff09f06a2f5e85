package dev.bunting.kube;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Future;

/**
 * Writes the status subresource of Bunting's own resources (Canary, GitSync), the same way for every engine: the whole
 * status in one PUT that carries the resourceVersion the status was computed from, on the engine's worker pool. A
 * stale copy fails with 409 Conflict (the work queue retries at once, on fresh caches); a resource deleted meanwhile
 * is not an error. Callers write only when {@link #changed} says so, so an idle resource costs no writes.
 */
public final class StatusWriter {
  private final KubernetesClient client;
  private final BlockingPool pool;

  public StatusWriter(KubernetesClient client, BlockingPool pool) {
    this.client = client;
    this.pool = pool;
  }

  /**
   * Writes {@code status} onto {@code latest} (the copy the status was computed from, not changed here). The written
   * resource, or null when it no longer exists.
   */
  public <S, T extends CustomResource<?, S>> Future<T> write(T latest, S status) {
    T copy = Serialization.clone(latest);
    copy.setStatus(status);
    return pool.run(() -> {
      try {
        return client.resource(copy).updateStatus();
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return null;
        }
        throw e;
      }
    });
  }

  /** Whether two statuses differ in anything but the {@code ignored} top-level fields (e.g. timestamps). */
  public static boolean changed(Object before, Object after, String... ignored) {
    if (before == null || after == null) {
      return before != after;
    }
    ObjectNode a = Serialization.jsonMapper().valueToTree(before);
    ObjectNode b = Serialization.jsonMapper().valueToTree(after);
    for (String field : ignored) {
      a.remove(field);
      b.remove(field);
    }
    return !a.equals(b);
  }
}
