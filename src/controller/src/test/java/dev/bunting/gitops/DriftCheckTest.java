package dev.bunting.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

class DriftCheckTest {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private static GenericKubernetesResource obj(String json) {
    return JSON.unmarshal(json, GenericKubernetesResource.class);
  }

  @Test
  void serverMaintainedMetadataAndStatusAreNoise() {
    GenericKubernetesResource live = obj("""
        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"n","resourceVersion":"7",
         "uid":"u1","generation":1,"creationTimestamp":"2026-01-01T00:00:00Z",
         "managedFields":[{"manager":"kubectl","operation":"Update"}],"labels":{"x":"1"}},
         "data":{"k":"v"}}""");
    GenericKubernetesResource dryRun = obj("""
        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"n","resourceVersion":"7",
         "uid":"u1","generation":2,"creationTimestamp":"2026-01-01T00:00:00Z",
         "managedFields":[{"manager":"bunting-gitops","operation":"Apply"}],"labels":{"x":"1"}},
         "data":{"k":"v"},"status":{"whatever":true}}""");
    assertThat(DriftCheck.drifted(dryRun, live)).isFalse();
    assertThat(DriftCheck.fingerprint(dryRun)).isEqualTo(DriftCheck.fingerprint(live));
  }

  @Test
  void aChangedValueLabelOrAnnotationIsDrift() {
    GenericKubernetesResource live = obj("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\","
        + "\"labels\":{\"x\":\"1\"}},\"data\":{\"k\":\"v\"}}");
    assertThat(DriftCheck.drifted(obj("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\","
        + "\"labels\":{\"x\":\"1\"}},\"data\":{\"k\":\"edited\"}}"), live)).isTrue();
    assertThat(DriftCheck.differences(obj("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\","
        + "\"labels\":{\"x\":\"2\"}},\"data\":{\"k\":\"v\"}}"), live, 5)).containsExactly("metadata.labels.x");
    assertThat(DriftCheck.drifted(live, null)).isTrue();
  }

  @Test
  void numbersCompareByValueWhateverTheirJavaType() {
    GenericKubernetesResource a = obj("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},"
        + "\"spec\":{\"terminationGracePeriodSeconds\":30}}");
    GenericKubernetesResource b = obj("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},"
        + "\"spec\":{\"terminationGracePeriodSeconds\":30}}");
    ((java.util.Map<String, Object>) b.getAdditionalProperties().get("spec")).put("terminationGracePeriodSeconds", 30L);
    assertThat(DriftCheck.drifted(a, b)).isFalse();
  }
}
