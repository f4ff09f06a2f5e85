package dev.bunting.canary;

import static dev.bunting.canary.CanaryScenarios.BUILTIN_METRICS;
import static dev.bunting.canary.CanaryScenarios.deployment;
import static dev.bunting.canary.CanaryScenarios.kubernetesCanary;
import static dev.bunting.canary.Timeline.phase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bunting.api.CanaryPhase;
import dev.bunting.api.GitSync;
import dev.bunting.cli.BuntingApp;
import dev.bunting.gitops.TestRepo;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Bunting deployments split one namespace with {@code --watch-label-selector}, as the chart's shards do: the main
 * one takes everything not labelled for shard1, the shard takes what is. Each Canary and GitSync is run by exactly one
 * of them (seen in each controller's own /metrics, as Prometheus would scrape them); a Canary relabelled to the other
 * shard moves over; a push webhook that reaches the wrong controller is handed over to the right one.
 */
@LocalCluster
class ShardingClusterTest {
  private static final String KEY = "sharding.bunting.dev/key";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  static Path tmp;
  static TestCluster cluster;
  static BuntingUnderTest bunting;
  static BuntingApp shard1;

  @BeforeAll
  static void start(TestCluster testCluster) throws Exception {
    cluster = testCluster;
    bunting = BuntingUnderTest.start(cluster, "kubernetes", o -> o.watchLabelSelector = KEY + " notin (shard1)");
    shard1 = bunting.startAnother(o -> o.watchLabelSelector = KEY + "=shard1");
  }

  @AfterAll
  static void stop() throws Exception {
    if (bunting != null) {
      bunting.close();
    }
  }

  private static String metrics(BuntingApp app) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** Whether {@code app} reports a series of {@code metric} for object {@code name}. */
  private static boolean reports(BuntingApp app, String metric, String name) throws Exception {
    return metrics(app).lines().anyMatch(l -> l.startsWith(metric + "{") && l.contains("name=\"" + name + "\""));
  }

  private static String labelled(String manifest, String shard) {
    return manifest.replaceFirst("metadata:\n  name: (\\S+)\n", "metadata:\n  name: $1\n  labels: {" + KEY + ": "
        + shard + "}\n");
  }

  @Test
  void eachCanaryIsRunByItsShardOnlyAndMovesWithItsLabel() throws Exception {
    String analysis = "interval: 5s\nthreshold: 2\niterations: 1\n" + BUILTIN_METRICS;
    cluster.apply(deployment("main-app", "6.0.0"));
    cluster.apply(deployment("shard-app", "6.0.0"));
    cluster.apply(kubernetesCanary("main-app", analysis));
    cluster.apply(labelled(kubernetesCanary("shard-app", analysis), "shard1"));
    Timeline.record(bunting, "main-app", null, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
    Timeline.record(bunting, "shard-app", null, phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));

    assertThat(reports(bunting.app(), "flagger_canary_status", "main-app")).isTrue();
    assertThat(reports(bunting.app(), "flagger_canary_status", "shard-app")).as("not the main one's").isFalse();
    assertThat(reports(shard1, "flagger_canary_status", "shard-app")).isTrue();
    assertThat(reports(shard1, "flagger_canary_status", "main-app")).as("not the shard's").isFalse();
    assertThat(metrics(shard1)).contains("bunting_leader{selector=\"" + KEY + "=shard1\"} 1.0");

    cluster.client().resources(dev.bunting.api.Canary.class).inNamespace(cluster.namespace()).withName("main-app")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"" + KEY + "\":\"shard1\"}}}");
    await("relabelled to shard1, main-app moves there").atMost(Duration.ofSeconds(30)).until(() ->
        reports(shard1, "flagger_canary_status", "main-app") && !reports(bunting.app(), "flagger_canary_status",
            "main-app"));
    CanaryScenarios.setImage(cluster, "main-app", "6.0.1");
    Timeline t = Timeline.record(bunting, "main-app", null, phase(CanaryPhase.SUCCEEDED), Duration.ofMinutes(2));
    assertThat(t.phases).contains(CanaryPhase.PROGRESSING);
    assertThat(reports(bunting.app(), "bunting_canary_phase", "main-app")).as("the main one stays out of it")
        .isFalse();
  }

  @Test
  void aWebhookThatReachesTheWrongShardIsHandedToTheRightOne() throws Exception {
    String ns = cluster.namespace();
    cluster.apply("""
        apiVersion: v1
        kind: Secret
        metadata: {name: hook-token}
        stringData: {token: sh4rd-token}
        """);
    try (TestRepo repo = TestRepo.create(tmp.resolve("shard-repo"))) {
      repo.write("app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: sharded}\ndata: {value: v1}\n")
          .commit("v1");
      cluster.apply(labelled("""
          apiVersion: bunting.dev/v1alpha1
          kind: GitSync
          metadata:
            name: shard-sync
          spec:
            url: %s
            ref: {branch: main}
            path: app
            interval: 1h
            receiver: {secretRef: {name: hook-token}}
          """.formatted(repo.url()), "shard1"));
      await().atMost(Duration.ofSeconds(60)).until(() -> configMap() != null);
      // the ConfigMap is applied before the sync's health and status (and so its series) are recorded
      await("shard1 reports the sync").atMost(Duration.ofSeconds(30))
          .until(() -> reports(shard1, "bunting_gitsync_ready", "shard-sync"));
      assertThat(reports(bunting.app(), "bunting_gitsync_ready", "shard-sync")).isFalse();

      repo.write("app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: sharded}\ndata: {value: v2}\n")
          .commit("v2");
      HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
              + bunting.app().httpPort() + "/hooks/git/" + ns + "/shard-sync"))
          .header("X-Gitlab-Token", "sh4rd-token").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
      await("synced by shard1 long before its 1h interval").atMost(Duration.ofSeconds(30))
          .until(() -> "v2".equals(configMap().getData().get("value")));
      GitSync gs = cluster.client().resources(GitSync.class).inNamespace(ns).withName("shard-sync").get();
      assertThat(gs.requestedAt()).as("handed over through the reconcile-request annotation").isNotNull();
      assertThat(reports(bunting.app(), "bunting_gitsync_ready", "shard-sync")).isFalse();
    }
  }

  private static ConfigMap configMap() {
    return cluster.client().configMaps().inNamespace(cluster.namespace()).withName("sharded").get();
  }
}
