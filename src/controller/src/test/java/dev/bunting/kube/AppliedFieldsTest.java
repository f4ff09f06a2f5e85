package dev.bunting.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

class AppliedFieldsTest {
  /** An Ingress whose annotations a and b and whose spec.rules (a list) the manager bunting applied. */
  private static final GenericKubernetesResource LIVE = Serialization.unmarshal("""
      apiVersion: networking.k8s.io/v1
      kind: Ingress
      metadata:
        name: podinfo-canary
        annotations: {a: "1", b: "2", c: "3"}
        managedFields:
        - manager: bunting
          operation: Apply
          fieldsType: FieldsV1
          fieldsV1: {"f:metadata": {"f:annotations": {"f:a": {}, "f:b": {}}}, "f:spec": {"f:rules": {}}}
        - manager: kubectl
          operation: Update
          fieldsType: FieldsV1
          fieldsV1: {"f:metadata": {"f:annotations": {"f:c": {}}}}
      spec:
        rules: [{host: a.example.com}]
      """, GenericKubernetesResource.class);

  private static GenericKubernetesResource desired(String annotations) {
    return Serialization.unmarshal("""
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: podinfo-canary, annotations: %s}
        spec: {rules: [{host: a.example.com}]}
        """.formatted(annotations), GenericKubernetesResource.class);
  }

  @Test
  void aFieldTheManagerAppliedAndNoLongerWantsNeedsAnApply() {
    assertThat(Subset.contains(LIVE, desired("{a: '1'}"))).as("the live object has everything desired").isTrue();
    assertThat(AppliedFields.hasFieldsBeyond(LIVE, "bunting", desired("{a: '1'}"))).isTrue();
  }

  @Test
  void fieldsOfOtherManagersAndListsDoNotCount() {
    assertThat(AppliedFields.hasFieldsBeyond(LIVE, "bunting", desired("{a: '1', b: '2'}"))).isFalse();
    assertThat(AppliedFields.hasFieldsBeyond(LIVE, "someone-else", desired("{}"))).isFalse();
    GenericKubernetesResource noManagedFields = desired("{a: '1', b: '2'}");
    assertThat(AppliedFields.hasFieldsBeyond(noManagedFields, "bunting", desired("{}"))).isFalse();
  }
}
