package dev.bunting.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FieldTakeoverTest {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

  private static ManagedFieldsEntry entry(String manager, String operation, String fieldsJson) {
    return JSON.unmarshal("{\"apiVersion\":\"apps/v1\",\"fieldsType\":\"FieldsV1\",\"manager\":\"" + manager
        + "\",\"operation\":\"" + operation + "\",\"fieldsV1\":" + fieldsJson + "}", ManagedFieldsEntry.class);
  }

  private static GenericKubernetesResource deployment(ManagedFieldsEntry... entries) {
    GenericKubernetesResource d = JSON.unmarshal("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
        + "\"metadata\":{\"name\":\"web\",\"namespace\":\"shop\"}}", GenericKubernetesResource.class);
    d.getMetadata().setManagedFields(List.of(entries));
    return d;
  }

  private static Map<String, Object> fields(ManagedFieldsEntry e) {
    return e.getFieldsV1().getAdditionalProperties();
  }

  @Test
  void kubectlEditFieldsMoveIntoGitSyncsApplyEntry() {
    GenericKubernetesResource live = deployment(
        entry("bunting-gitops", "Apply", "{\"f:spec\":{\"f:template\":{\"f:spec\":{\"f:containers\":{}}}}}"),
        entry("kubectl-edit", "Update", "{\"f:metadata\":{\"f:labels\":{\"f:hand\":{}}}}"),
        entry("kube-controller-manager", "Update", "{\"f:metadata\":{\"f:annotations\":{\"f:rev\":{}}}}"));
    List<ManagedFieldsEntry> out = FieldTakeover.plan(live, "bunting-gitops", false, NOW).orElseThrow();
    assertThat(out).extracting(ManagedFieldsEntry::getManager)
        .containsExactlyInAnyOrder("kube-controller-manager", "bunting-gitops");
    ManagedFieldsEntry ours = out.stream().filter(e -> e.getManager().equals("bunting-gitops")).findFirst()
        .orElseThrow();
    assertThat(ours.getOperation()).isEqualTo("Apply");
    assertThat(fields(ours)).containsKeys("f:spec", "f:metadata");
    assertThat(JSON.asJson(fields(ours))).contains("f:hand", "f:containers");
    assertThat(live.getMetadata().getManagedFields()).as("the cached object is not changed").hasSize(3);
  }

  @Test
  void nothingToTakeWithoutKubectlEntriesOrWithSsaMerge() {
    assertThat(FieldTakeover.plan(deployment(entry("bunting-gitops", "Apply", "{}"),
        entry("some-operator", "Update", "{\"f:metadata\":{}}")), "bunting-gitops", false, NOW)).isEmpty();
    GenericKubernetesResource merge = deployment(entry("kubectl-client-side-apply", "Update", "{\"f:data\":{}}"));
    merge.getMetadata().setAnnotations(Map.of("kustomize.toolkit.fluxcd.io/ssa", "Merge"));
    assertThat(FieldTakeover.plan(merge, "bunting-gitops", false, NOW)).isEmpty();
  }

  @Test
  void whichManagersCountAsByHand() {
    assertThat(FieldTakeover.byHand(entry("kubectl", "Apply", "{}"))).isTrue();
    assertThat(FieldTakeover.byHand(entry("kubectl-client-side-apply", "Update", "{}"))).isTrue();
    assertThat(FieldTakeover.byHand(entry("kubectl-patch", "Update", "{}"))).isTrue();
    assertThat(FieldTakeover.byHand(entry("before-first-apply", "Update", "{}"))).isTrue();
    assertThat(FieldTakeover.byHand(entry("kubectlish-operator", "Update", "{}"))).isFalse();
    assertThat(FieldTakeover.byHand(entry("kube-controller-manager", "Update", "{}"))).isFalse();
    ManagedFieldsEntry status = entry("kubectl-edit", "Update", "{}");
    status.setSubresource("status");
    assertThat(FieldTakeover.byHand(status)).isFalse();
  }

  @Test
  void replicasScaledElsewhereStayWithTheirOwner() {
    GenericKubernetesResource live = deployment(
        entry("kubectl-scale", "Update", "{\"f:spec\":{\"f:replicas\":{},\"f:paused\":{}}}"));
    Optional<List<ManagedFieldsEntry>> out = FieldTakeover.plan(live, "bunting-gitops", true, NOW);
    assertThat(out).isPresent();
    ManagedFieldsEntry ours = out.get().stream().filter(e -> e.getManager().equals("bunting-gitops")).findFirst()
        .orElseThrow();
    assertThat(JSON.asJson(fields(ours))).contains("f:paused").doesNotContain("f:replicas");
    ManagedFieldsEntry scaler = out.get().stream().filter(e -> e.getManager().equals("kubectl-scale")).findFirst()
        .orElseThrow();
    assertThat(JSON.asJson(fields(scaler))).contains("f:replicas").doesNotContain("f:paused");
  }
}
