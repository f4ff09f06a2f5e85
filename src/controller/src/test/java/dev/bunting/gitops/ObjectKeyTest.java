package dev.bunting.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.GitSyncInventoryEntry;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ObjectKeyTest {
  private static GenericKubernetesResource obj(String apiVersion, String kind, String ns, String name) {
    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setApiVersion(apiVersion);
    r.setKind(kind);
    r.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
    return r;
  }

  @Test
  void inventoryIdsUseFluxFormat() {
    assertThat(ObjectKey.of(obj("v1", "Service", "default", "podinfo")).inventoryEntry())
        .isEqualTo(new GitSyncInventoryEntry("default_podinfo__Service", "v1"));
    assertThat(ObjectKey.of(obj("apps/v1", "Deployment", "default", "podinfo")).inventoryEntry())
        .isEqualTo(new GitSyncInventoryEntry("default_podinfo_apps_Deployment", "v1"));
    assertThat(ObjectKey.of(obj("autoscaling/v2", "HorizontalPodAutoscaler", "default", "podinfo")).inventoryEntry())
        .isEqualTo(new GitSyncInventoryEntry("default_podinfo_autoscaling_HorizontalPodAutoscaler", "v2"));
    assertThat(ObjectKey.of(obj("v1", "Namespace", null, "podinfo")).inventoryEntry())
        .isEqualTo(new GitSyncInventoryEntry("_podinfo__Namespace", "v1"));
  }

  @Test
  void inventoryEntriesReadBack() {
    ObjectKey k = ObjectKey.fromInventory(new GitSyncInventoryEntry("default_podinfo_apps_Deployment", "v1"))
        .orElseThrow();
    assertThat(k).isEqualTo(new ObjectKey("apps", "v1", "Deployment", "default", "podinfo"));
    assertThat(k.apiVersion()).isEqualTo("apps/v1");
    assertThat(k).hasToString("Deployment/default/podinfo");
    ObjectKey ns = ObjectKey.fromInventory(new GitSyncInventoryEntry("_podinfo__Namespace", "v1")).orElseThrow();
    assertThat(ns.namespaced()).isFalse();
    assertThat(ns.apiVersion()).isEqualTo("v1");
    assertThat(ns).hasToString("Namespace/podinfo");
    assertThat(ObjectKey.fromInventory(new GitSyncInventoryEntry("garbage", "v1"))).isEmpty();
  }

  @Test
  void applyOrderStagesCrdsAndNamespacesFirstThenClusterScopedThenTheRest() {
    List<ObjectKey> keys = new ArrayList<>(List.of(
        new ObjectKey("apps", "v1", "Deployment", "a", "web"),
        new ObjectKey("", "v1", "ConfigMap", "b", "cfg"),
        new ObjectKey("", "v1", "ConfigMap", "a", "cfg"),
        new ObjectKey("example.com", "v1", "Widget", "a", "w"),
        new ObjectKey("rbac.authorization.k8s.io", "v1", "ClusterRole", "", "r"),
        new ObjectKey("", "v1", "Namespace", "", "a"),
        new ObjectKey("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "", "v"),
        new ObjectKey("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "", "widgets.example.com"),
        new ObjectKey("", "v1", "Service", "a", "web")));
    keys.sort(ApplyOrder.COMPARATOR);
    assertThat(keys).extracting(ObjectKey::toString).containsExactly(
        "CustomResourceDefinition/widgets.example.com", "Namespace/a",
        "ClusterRole/r", "ValidatingWebhookConfiguration/v",
        "ConfigMap/a/cfg", "ConfigMap/b/cfg", "Service/a/web", "Deployment/a/web", "Widget/a/w");
  }
}
