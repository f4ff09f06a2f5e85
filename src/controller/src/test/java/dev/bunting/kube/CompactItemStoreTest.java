package dev.bunting.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Fast tier: the informer store keeps managedFields whole, in a compact read-only form. */
class CompactItemStoreTest {
  /** A Deployment as the API server sends it: Bunting's apply, a client's update, the controller-manager's status. */
  private static final String DEPLOYMENT = """
      {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"podinfo-primary","namespace":"shop","labels":{"app":"podinfo"},
        "resourceVersion":"42","managedFields":[
        {"manager":"bunting","operation":"Apply","apiVersion":"apps/v1","fieldsType":"FieldsV1",
         "time":"2026-12-06T06:16:12Z","fieldsV1":{"f:metadata":{"f:labels":{"f:app":{}}},
           "f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"podinfo\\"}":{".":{},
           "f:image":{},"f:name":{}}}}}}}},
        {"manager":"kube-controller-manager","operation":"Update","subresource":"status","apiVersion":"apps/v1",
         "fieldsType":"FieldsV1","fieldsV1":{"f:status":{"f:replicas":{},"f:conditions":{".":{},
           "k:{\\"type\\":\\"Available\\"}":{".":{},"f:status":{}}}}}}]},
       "spec":{"replicas":2,"template":{"metadata":{"labels":{"app":"podinfo"}},
         "spec":{"containers":[{"name":"podinfo","image":"podinfo:6.0.0"}]}}}}
      """;

  @Test
  void compactFieldSetsSerializeExactlyAsParsedAndCannotBeChanged() {
    Deployment parsed = Serialization.unmarshal(DEPLOYMENT, Deployment.class);
    JsonNode before = Serialization.jsonMapper().valueToTree(parsed);
    Deployment stored = CompactItemStore.compact(Serialization.unmarshal(DEPLOYMENT, Deployment.class));

    assertThat((Object) Serialization.jsonMapper().valueToTree(stored)).isEqualTo(before);
    Map<String, Object> ours = stored.getMetadata().getManagedFields().get(0).getFieldsV1().getAdditionalProperties();
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) ours.get("f:spec");
    assertThat(spec.get("f:replicas")).as("a leaf is the one shared empty map").isSameAs(Map.of());
    assertThatThrownBy(() -> spec.put("f:paused", Map.of())).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void whatWasAppliedIsStillReadFromTheCompactForm() {
    Deployment stored = CompactItemStore.compact(Serialization.unmarshal(DEPLOYMENT, Deployment.class));
    Deployment same = Serialization.unmarshal(DEPLOYMENT, Deployment.class);
    same.getMetadata().setManagedFields(null);
    Deployment withoutReplicas = Serialization.clone(same);
    withoutReplicas.getSpec().setReplicas(null);

    assertThat(AppliedFields.hasFieldsBeyond(stored, "bunting", same)).isFalse();
    assertThat(AppliedFields.hasFieldsBeyond(stored, "bunting", withoutReplicas))
        .as("spec.replicas is Bunting's and the desired object drops it").isTrue();
    assertThat(SpecOwnership.plan(stored, "bunting", "apps/v1", java.time.Instant.EPOCH))
        .as("only a status entry besides Bunting's: nothing to take over").isEmpty();
  }

  @Test
  void objectsWithoutManagedFieldsAreStoredAsTheyCame() {
    Deployment bare = Serialization.unmarshal(DEPLOYMENT, Deployment.class);
    bare.getMetadata().setManagedFields(null);
    assertThat(CompactItemStore.compact(bare)).isSameAs(bare);
    assertThat(bare.getMetadata().getManagedFields()).isNull();
  }
}
