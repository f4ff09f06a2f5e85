package dev.bunting.canary;

import dev.bunting.analysis.KeptnResources;
import dev.bunting.kube.BlockingPool;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Future;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link KeptnResources} on the fabric8 client: each call runs on the canary engine's blocking pool, never on an event
 * loop. Needs RBAC on {@code metrics.keptn.sh}: get on {@code keptnmetrics}, get/create/delete on {@code analyses}.
 */
public final class KeptnClient implements KeptnResources {
  private final KubernetesClient client;
  private final BlockingPool pool;

  public KeptnClient(KubernetesClient client, BlockingPool pool) {
    this.client = Objects.requireNonNull(client, "client");
    this.pool = Objects.requireNonNull(pool, "pool");
  }

  private static ResourceDefinitionContext kind(String plural) {
    return new ResourceDefinitionContext.Builder().withGroup("metrics.keptn.sh").withVersion("v1beta1")
        .withPlural(plural).withKind(plural.equals("analyses") ? "Analysis" : "KeptnMetric").withNamespaced(true)
        .build();
  }

  @Override
  public Future<Optional<Map<String, Object>>> get(String plural, String namespace, String name) {
    return pool.run(() -> Optional.ofNullable(client.genericKubernetesResources(kind(plural)).inNamespace(namespace)
        .withName(name).get()).map(KeptnClient::asMap));
  }

  @Override
  public Future<Map<String, Object>> create(String plural, String namespace, Map<String, Object> object) {
    return pool.run(() -> {
      GenericKubernetesResource r = Serialization.jsonMapper().convertValue(object, GenericKubernetesResource.class);
      return asMap(client.genericKubernetesResources(kind(plural)).inNamespace(namespace).resource(r).create());
    });
  }

  @Override
  public Future<Void> delete(String plural, String namespace, String name) {
    return pool.run(() -> {
      client.genericKubernetesResources(kind(plural)).inNamespace(namespace).withName(name).delete();
      return null;
    });
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(GenericKubernetesResource r) {
    return Serialization.jsonMapper().convertValue(r, Map.class);
  }
}
