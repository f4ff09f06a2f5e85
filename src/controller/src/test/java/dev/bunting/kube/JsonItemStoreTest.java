package dev.bunting.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Fast tier: a cache read by name holds JSON and gives back, on every read, an object equal to the one it got. */
class JsonItemStoreTest {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  /** A Deployment as the API server sends it, with what a round trip could lose: managed fields, quantities, ports. */
  private static final String DEPLOYMENT = """
      {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"podinfo","namespace":"shop",
        "labels":{"app":"podinfo"},"annotations":{"note":"caf\\u00e9 \\u2603"},"resourceVersion":"42","generation":3,
        "managedFields":[{"manager":"bunting","operation":"Apply","apiVersion":"apps/v1","fieldsType":"FieldsV1",
          "time":"2026-12-06T06:16:12Z","fieldsV1":{"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":
          {"k:{\\"name\\":\\"podinfo\\"}":{".":{},"f:image":{}}}}}}}}]},
       "spec":{"replicas":2,"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":0}},
         "template":{"metadata":{"labels":{"app":"podinfo"}},
         "spec":{"containers":[{"name":"podinfo","image":"podinfo:6.0.0","ports":[{"containerPort":9898}],
           "resources":{"requests":{"cpu":"100m","memory":"64Mi"}}}]}}},
       "status":{"replicas":2,"availableReplicas":2,"observedGeneration":3}}
      """;

  private final JsonItemStore<Deployment> store = new JsonItemStore<>(Deployment.class, JSON);

  @Test
  void everyReadIsANewObjectEqualToTheOneStored() {
    Deployment written = JSON.unmarshal(DEPLOYMENT, Deployment.class);
    String key = store.getKey(written);
    assertThat(key).isEqualTo("shop/podinfo");
    assertThat(store.put(key, written)).as("nothing stored before").isNull();

    Deployment read = store.get(key);
    assertThat(read).isEqualTo(JSON.unmarshal(DEPLOYMENT, Deployment.class)).isNotSameAs(written);
    assertThat(read.getMetadata().getAnnotations()).containsEntry("note", "café ☃");
    assertThat(read.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable()).isEqualTo(new IntOrString(0));
    assertThat(read.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getRequests())
        .containsEntry("cpu", new Quantity("100m"));

    read.getSpec().setReplicas(9);
    assertThat(store.get(key).getSpec().getReplicas()).as("a change to what was read is not in the cache").isEqualTo(2);
    assertThat(store.get(key)).isNotSameAs(store.get(key));
  }

  @Test
  void putAndRemoveGiveThePreviousObject() {
    Deployment first = JSON.unmarshal(DEPLOYMENT, Deployment.class);
    Deployment second = JSON.unmarshal(DEPLOYMENT, Deployment.class);
    second.getMetadata().setResourceVersion("43");
    store.put("shop/podinfo", first);

    Deployment replaced = store.put("shop/podinfo", second);
    assertThat(replaced.getMetadata().getResourceVersion()).as("what a relist compares").isEqualTo("42");
    assertThat(replaced.getMetadata().getNamespace()).as("what the namespace index reads").isEqualTo("shop");
    assertThat(replaced.getMetadata().getName()).isEqualTo("podinfo");
    assertThat(store.put("shop/podinfo", second).getMetadata().getResourceVersion()).isEqualTo("43");
    assertThat(store.size()).isEqualTo(1);
    assertThat(store.keySet()).containsExactly("shop/podinfo");
    assertThat(store.values()).singleElement().satisfies(d -> assertThat(d.getMetadata().getResourceVersion())
        .isEqualTo("43"));
    assertThat(store.remove("shop/podinfo").getMetadata().getResourceVersion()).isEqualTo("43");
    assertThat(store.get("shop/podinfo")).isNull();
    assertThat(store.remove("shop/podinfo")).isNull();
    assertThat(store.size()).isZero();
  }

  @Test
  void theResourceVersionIsReadOffTheMetadataOnly() {
    assertThat(JsonItemStore.resourceVersion(DEPLOYMENT)).isEqualTo("42");
    // a resourceVersion elsewhere (a nested object, an annotation's text) is not the object's
    assertThat(JsonItemStore.resourceVersion("""
        {"kind":"Deployment","spec":{"metadata":{"resourceVersion":"1"}},"metadata":{"name":"a","annotations":
          {"last":"{\\"metadata\\":{\\"resourceVersion\\":\\"2\\"}}"},"labels":{},"resourceVersion":"3"}}
        """)).isEqualTo("3");
    assertThat(JsonItemStore.resourceVersion("{\"metadata\":{\"name\":\"a\"},\"status\":{}}")).isNull();
  }

  @Test
  void theResourceVersionOfAStoredObjectWithoutBuildingIt() {
    assertThat(store.resourceVersionOf("shop/podinfo")).as("nothing stored").isNull();
    Deployment d = JSON.unmarshal(DEPLOYMENT, Deployment.class);
    store.put("shop/podinfo", d);
    assertThat(store.resourceVersionOf("shop/podinfo")).isEqualTo("42");
    d.getMetadata().setResourceVersion("43");
    store.put("shop/podinfo", d);
    assertThat(store.resourceVersionOf("shop/podinfo")).isEqualTo("43");
  }

  @Test
  void managedFieldsSurviveForTheOwnershipChecks() {
    store.put("shop/podinfo", JSON.unmarshal(DEPLOYMENT, Deployment.class));
    Map<String, Object> fields = store.get("shop/podinfo").getMetadata().getManagedFields().get(0).getFieldsV1()
        .getAdditionalProperties();
    assertThat(fields).containsKey("f:spec");
  }
}
