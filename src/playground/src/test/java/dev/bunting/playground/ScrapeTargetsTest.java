package dev.bunting.playground;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ScrapeTargetsTest {

  @Test
  void eachPodIsATargetWithTheLabelsKubernetesDiscoveryGives() {
    Map<String, Integer> ports = new TreeMap<>(Map.of("podinfo-primary-7d9c-abcde", 40001,
        "podinfo-5f6b-xyz12", 40002));
    JsonArray groups = new JsonArray(ScrapeTargets.render("demo", ports));
    assertThat(groups).hasSize(2);
    assertThat(groups.getJsonObject(0).getJsonArray("targets").getString(0)).isEqualTo("127.0.0.1:40002");
    assertThat(groups.getJsonObject(0).getJsonObject("labels").getMap())
        .containsExactlyInAnyOrderEntriesOf(Map.of("kubernetes_namespace", "demo",
            "kubernetes_pod_name", "podinfo-5f6b-xyz12"));
    assertThat(groups.getJsonObject(1).getJsonObject("labels").getString("kubernetes_pod_name"))
        .isEqualTo("podinfo-primary-7d9c-abcde");
  }

  @Test
  void noPodsIsAnEmptyList() {
    assertThat(new JsonArray(ScrapeTargets.render("demo", Map.of()))).isEmpty();
  }
}
