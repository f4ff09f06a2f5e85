package dev.bunting.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.api.CanarySpec;
import dev.bunting.api.ObjectReference;
import dev.bunting.gitops.ManifestRenderer.SourceFile;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReplicasRuleTest {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private final ManifestRenderer renderer = new ManifestRenderer((a, k) -> Optional.of(true));

  private List<Manifest> render(String... yamls) throws Exception {
    List<SourceFile> files = new java.util.ArrayList<>();
    for (int i = 0; i < yamls.length; i++) {
      files.add(new SourceFile("f" + i + ".yaml", yamls[i].getBytes(StandardCharsets.UTF_8)));
    }
    return renderer.render(files, "ns", Map.of());
  }

  private static Canary canary(String target) {
    Canary c = new Canary();
    c.getMetadata().setName("c-" + target);
    c.getMetadata().setNamespace("ns");
    c.setSpec(new CanarySpec());
    c.getSpec().targetRef = new ObjectReference("apps/v1", "Deployment", target);
    return c;
  }

  private static HorizontalPodAutoscaler hpa(String kind, String target) {
    return new HorizontalPodAutoscalerBuilder().withNewMetadata().withName("h").withNamespace("ns").endMetadata()
        .withNewSpec().withNewScaleTargetRef().withApiVersion("apps/v1").withKind(kind).withName(target)
        .endScaleTargetRef().withMaxReplicas(5).endSpec().build();
  }

  private static String deploy(String name) {
    return Manifests.deployment(name, "img:1", 3);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource r) {
    return (Map<String, Object>) r.getAdditionalProperties().get("spec");
  }

  @Test
  void canaryTargetsAndHpaTargetsLoseSpecReplicasOthersKeepIt() throws Exception {
    List<Manifest> desired = render(deploy("canaried"), deploy("scaled"), deploy("plain"),
        Manifests.deployment("in-git-hpa", "img:1", 2), """
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: hpa2}
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: in-git-hpa}
              maxReplicas: 4
            """);
    ReplicasRule rule = new ReplicasRule(ns -> List.of(canary("canaried")), ns -> List.of(hpa("Deployment", "scaled")));
    Map<String, ReplicasRule.Decision> d = rule.decide(desired, k -> Optional.empty());
    assertThat(d).containsOnlyKeys("ns_canaried_apps_Deployment", "ns_scaled_apps_Deployment",
        "ns_in-git-hpa_apps_Deployment");
    assertThat(d.get("ns_canaried_apps_Deployment").reason()).isEqualTo("target of Canary c-canaried");
    assertThat(d.get("ns_in-git-hpa_apps_Deployment").reason()).isEqualTo("scaled by HorizontalPodAutoscaler hpa2");

    GenericKubernetesResource applied = ReplicasRule.applyTo(desired.get(0).object(),
        d.get("ns_canaried_apps_Deployment"));
    assertThat(spec(applied)).doesNotContainKey("replicas").containsKey("template");
    assertThat(spec(desired.get(0).object())).as("the rendered object is not changed").containsEntry("replicas", 3);
  }

  @Test
  void whileGitSyncIsTheOnlyOwnerTheLiveValueIsKept() throws Exception {
    List<Manifest> desired = render(deploy("web"));
    GenericKubernetesResource live = JSON.unmarshal("""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"ns","managedFields":[
          {"manager":"bunting-gitops","operation":"Apply","fieldsV1":{"f:spec":{"f:replicas":{},"f:template":{}}}}]},
         "spec":{"replicas":5}}""", GenericKubernetesResource.class);
    ReplicasRule rule = new ReplicasRule(ns -> List.of(canary("web")), ns -> List.of());
    ReplicasRule.Decision d = rule.decide(desired, k -> Optional.of(live)).get("ns_web_apps_Deployment");
    assertThat(d.keepLiveValue()).isEqualTo(5L);
    assertThat(spec(ReplicasRule.applyTo(desired.get(0).object(), d))).containsEntry("replicas", 5L);

    GenericKubernetesResource shared = JSON.unmarshal("""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"ns","managedFields":[
          {"manager":"bunting-gitops","operation":"Apply","fieldsV1":{"f:spec":{"f:template":{}}}},
          {"manager":"bunting","operation":"Update","fieldsV1":{"f:spec":{"f:replicas":{}}}}]},
         "spec":{"replicas":0}}""", GenericKubernetesResource.class);
    ReplicasRule.Decision d2 = rule.decide(desired, k -> Optional.of(shared)).get("ns_web_apps_Deployment");
    assertThat(d2.keepLiveValue()).isNull();
    assertThat(spec(ReplicasRule.applyTo(desired.get(0).object(), d2))).doesNotContainKey("replicas");
  }
}
