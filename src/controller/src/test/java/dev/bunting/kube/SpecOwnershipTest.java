package dev.bunting.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Owning a whole spec under server-side apply: when an apply is needed, and how others' spec fields are folded in. */
class SpecOwnershipTest {
  private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");

  private static GenericKubernetesResource object(String yaml) {
    return Serialization.unmarshal(yaml, GenericKubernetesResource.class);
  }

  private static final GenericKubernetesResource DESIRED = object("""
      apiVersion: networking.istio.io/v1beta1
      kind: VirtualService
      metadata: {name: podinfo, namespace: test, annotations: {a: "1"}}
      spec:
        hosts: [podinfo]
        http: [{mirrorPercentage: {value: 50.0}, route: [{destination: {host: podinfo-primary}, weight: 100}]}]
      """);

  @Test
  void equalSpecsAndPresentMetadataNeedNoApply() {
    GenericKubernetesResource live = object("""
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata: {name: podinfo, namespace: test, resourceVersion: "7", annotations: {a: "1", b: "2"}}
        spec:
          http: [{route: [{weight: 100, destination: {host: podinfo-primary}}], mirrorPercentage: {value: 50}}]
          hosts: [podinfo]
        status: {observedGeneration: 3}
        """);

    assertThat(SpecOwnership.upToDate(live, DESIRED)).isTrue();
    assertThat(SpecOwnership.upToDate(null, DESIRED)).isFalse();
  }

  @Test
  void aFieldBuntingDoesNotWriteOrMissingMetadataNeedsAnApply() {
    GenericKubernetesResource extra = Serialization.clone(DESIRED);
    ((Map<String, Object>) extra.getAdditionalProperties().get("spec")).put("exportTo", List.of("."));
    GenericKubernetesResource noAnnotation = Serialization.clone(DESIRED);
    noAnnotation.getMetadata().setAnnotations(Map.of());

    assertThat(SpecOwnership.upToDate(extra, DESIRED)).isFalse();
    assertThat(SpecOwnership.upToDate(noAnnotation, DESIRED)).isFalse();
  }

  @Test
  void othersSpecFieldsAreFoldedIntoOursAndTheRestIsLeftAlone() {
    GenericKubernetesResource live = object("""
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata:
          name: podinfo
          namespace: test
          managedFields:
          - manager: kubectl-client-side-apply
            operation: Update
            apiVersion: networking.istio.io/v1
            fieldsType: FieldsV1
            fieldsV1:
              f:metadata: {f:annotations: {f:kubectl.kubernetes.io/last-applied-configuration: {}}}
              f:spec: {f:exportTo: {}, f:hosts: {}}
          - manager: bunting
            operation: Apply
            apiVersion: networking.istio.io/v1beta1
            fieldsType: FieldsV1
            fieldsV1:
              f:spec: {f:http: {}}
          - manager: kustomize-controller
            operation: Apply
            apiVersion: networking.istio.io/v1beta1
            fieldsType: FieldsV1
            fieldsV1:
              f:spec: {f:gateways: {}}
          - manager: pilot-discovery
            operation: Update
            subresource: status
            apiVersion: networking.istio.io/v1beta1
            fieldsType: FieldsV1
            fieldsV1:
              f:status: {f:conditions: {}}
        """);

    List<ManagedFieldsEntry> folded = SpecOwnership.plan(live, "bunting", "networking.istio.io/v1beta1", NOW)
        .orElseThrow();

    assertThat(folded).extracting(ManagedFieldsEntry::getManager)
        .containsExactly("kubectl-client-side-apply", "bunting", "pilot-discovery");
    assertThat(folded.get(0).getFieldsV1().getAdditionalProperties()).containsOnlyKeys("f:metadata");
    assertThat(folded.get(1).getFieldsV1().getAdditionalProperties().get("f:spec"))
        .isEqualTo(Map.of("f:http", Map.of(), "f:exportTo", Map.of(), "f:hosts", Map.of(), "f:gateways", Map.of()));
    assertThat(folded.get(1).getTime()).isEqualTo("2026-11-26T10:00:00Z");
    assertThat(folded.get(2).getFieldsV1().getAdditionalProperties()).containsOnlyKeys("f:status");
    assertThat(SpecOwnership.foreignSpecOwners(live, "bunting"))
        .containsExactly("kubectl-client-side-apply", "kustomize-controller");
    assertThat(live.getMetadata().getManagedFields().get(0).getFieldsV1().getAdditionalProperties())
        .as("the cached object is not changed").containsKey("f:spec");
  }

  @Test
  void nothingToFoldWhenOnlyBuntingOwnsTheSpec() {
    GenericKubernetesResource live = object("""
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata:
          name: podinfo
          managedFields:
          - {manager: bunting, operation: Apply, apiVersion: networking.istio.io/v1beta1, fieldsType: FieldsV1,
             fieldsV1: {f:spec: {f:http: {}}}}
          - {manager: kubectl-label, operation: Update, apiVersion: networking.istio.io/v1beta1, fieldsType: FieldsV1,
             fieldsV1: {f:metadata: {f:labels: {f:team: {}}}}}
        """);

    assertThat(SpecOwnership.plan(live, "bunting", "networking.istio.io/v1beta1", NOW)).isEqualTo(Optional.empty());
  }

  @Test
  void aFirstOwnerEntryIsCreatedWhenBuntingHasNone() {
    GenericKubernetesResource live = object("""
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata:
          name: podinfo
          managedFields:
          - {manager: helm, operation: Update, apiVersion: networking.istio.io/v1beta1, fieldsType: FieldsV1,
             fieldsV1: {f:spec: {f:hosts: {}}}}
        """);

    List<ManagedFieldsEntry> folded = SpecOwnership.plan(live, "bunting", "networking.istio.io/v1beta1", NOW)
        .orElseThrow();

    assertThat(folded).singleElement().satisfies(e -> {
      assertThat(e.getManager()).isEqualTo("bunting");
      assertThat(e.getOperation()).isEqualTo("Apply");
      assertThat(e.getFieldsV1().getAdditionalProperties()).isEqualTo(Map.of("f:spec", Map.of("f:hosts", Map.of())));
    });
  }
}
