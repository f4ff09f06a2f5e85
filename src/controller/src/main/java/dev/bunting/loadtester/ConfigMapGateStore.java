package dev.bunting.loadtester;

import dev.bunting.kube.BlockingPool;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Gates kept in one ConfigMap ({@code --gate-configmap}), one key per gate ({@code podinfo.test: "true"},
 * {@code rollback.podinfo.test: "false"}), so they survive a restart of the load tester and every replica sees the
 * same gates. Each check reads the ConfigMap from the API server; each change is a JSON merge patch of its one key
 * (so concurrent changes of different gates never overwrite each other). The ConfigMap is created on the first change
 * if it does not exist. A person can open a gate with {@code kubectl patch} as well. Blocking client calls run on the
 * worker pool.
 */
public final class ConfigMapGateStore implements GateStore {
  /** The value of an open gate; anything else is closed. */
  static final String OPEN = "true";

  private final BlockingPool pool;
  private final Resource<ConfigMap> configMap;
  private final String namespace;
  private final String name;

  public ConfigMapGateStore(KubernetesClient client, BlockingPool pool, String namespace, String name) {
    this.pool = pool;
    this.namespace = namespace;
    this.name = name;
    // a resource of a named stub: its patch is one request (withName(..).patch(context, String) GETs first); a get
    // still reads the ConfigMap from the server
    this.configMap = client.configMaps().inNamespace(namespace)
        .resource(new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata().build());
  }

  @Override
  public Future<Boolean> isOpen(String key) {
    return pool.run(() -> {
      ConfigMap cm = configMap.get();
      return cm != null && cm.getData() != null && OPEN.equals(cm.getData().get(key));
    });
  }

  @Override
  public Future<Void> open(String key) {
    return set(key, OPEN);
  }

  @Override
  public Future<Void> close(String key) {
    return set(key, "false");
  }

  private Future<Void> set(String key, String value) {
    String patch = new JsonObject().put("data", new JsonObject().put(key, value)).encode();
    return pool.run(() -> {
      try {
        configMap.patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw e;
        }
        create(key, value, patch);
      }
      return null;
    });
  }

  private void create(String key, String value, String patch) {
    try {
      configMap.create(new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(namespace)
          .addToLabels("app.kubernetes.io/managed-by", "bunting-loadtester").endMetadata()
          .withData(Map.of(key, value)).build());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      configMap.patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    }
  }

  @Override
  public String toString() {
    return "ConfigMap " + namespace + "/" + name;
  }
}
