package dev.bunting.analysis;

import io.vertx.core.Future;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes calls the Keptn provider needs, on {@code metrics.keptn.sh/v1beta1} resources ({@code keptnmetrics},
 * {@code analyses}) as plain maps. Implementations must not block the calling event loop.
 */
public interface KeptnResources {
  String GROUP_VERSION = "metrics.keptn.sh/v1beta1";

  /** The object, or empty when it does not exist. */
  Future<Optional<Map<String, Object>>> get(String plural, String namespace, String name);

  /** Creates an object; completes with what the API server stored. */
  Future<Map<String, Object>> create(String plural, String namespace, Map<String, Object> object);

  Future<Void> delete(String plural, String namespace, String name);
}
