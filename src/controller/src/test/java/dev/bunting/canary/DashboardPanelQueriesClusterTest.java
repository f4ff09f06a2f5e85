package dev.bunting.canary;

import static dev.bunting.canary.CanaryScenarios.BUILTIN_METRICS;
import static dev.bunting.canary.CanaryScenarios.deployment;
import static dev.bunting.canary.CanaryScenarios.gatewayCanary;
import static dev.bunting.canary.Timeline.phase;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.GitSync;
import dev.bunting.gitops.TestRepo;
import dev.bunting.testing.BuntingUnderTest;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.PrometheusServer;
import dev.bunting.testing.DashboardQueries;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.ThirdPartyCrds;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every query of every panel of the chart's Grafana dashboard returns data from a real Prometheus that scraped Bunting
 * while it worked: a release promoted (with a rollout webhook on every step), a release rolled back because its
 * MetricTemplate's query is broken (and its post-rollout webhook unreachable), a GitSync that syncs and one that
 * cannot. The dashboard's variables are substituted as Grafana would ($namespace the test's, $canary and $gitsync
 * All); each query is run the way the panel runs it at "now". The values a user would look at are checked too.
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.GATEWAY_API)
class DashboardPanelQueriesClusterTest {
  @TempDir
  static Path tmp;
  static TestCluster cluster;
  static BuntingUnderTest bunting;
  static HttpServer hooks;

  @BeforeAll
  static void start(TestCluster testCluster) throws Exception {
    cluster = testCluster;
    bunting = BuntingUnderTest.start(cluster, "gatewayapi:v1");
    bunting.scrapeBunting();
    hooks = cluster.vertx().createHttpServer().requestHandler(r -> r.response().end("ok")).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (hooks != null) {
      hooks.close();
    }
    if (bunting != null) {
      bunting.close();
    }
  }

  @Test
  void everyPanelQueryReturnsDataAfterReleasesAndSyncs() throws Exception {
    String ns = cluster.namespace();
    cluster.apply(deployment("good", "6.0.0"));
    cluster.apply(gatewayCanary("good", """
        interval: 5s
        threshold: 2
        stepWeight: 50
        maxWeight: 50
        webhooks:
        - name: load
          type: rollout
          url: http://127.0.0.1:%d/
        """.formatted(hooks.actualPort()) + BUILTIN_METRICS));
    cluster.apply("""
        apiVersion: flagger.app/v1beta1
        kind: MetricTemplate
        metadata: {name: broken-query}
        spec:
          provider: {type: prometheus, address: %s}
          query: sum(rate(http_requests_total{namespace="{{ namespace }}"}[{{ interval }}]
        """.formatted(bunting.prometheus().url()));
    cluster.apply(deployment("broken", "6.0.0"));
    cluster.apply(gatewayCanary("broken", """
        interval: 5s
        threshold: 2
        stepWeight: 50
        maxWeight: 50
        webhooks:
        - name: notify
          type: post-rollout
          url: http://127.0.0.1:1/
        metrics:
        - name: broken-query
          templateRef: {name: broken-query}
          thresholdRange: {max: 1}
          interval: 1m
        """));
    try (TestRepo good = TestRepo.create(tmp.resolve("good")); TestRepo bad = TestRepo.create(tmp.resolve("bad"))) {
      String sha = good.write("app/settings.yaml", """
          apiVersion: v1
          kind: ConfigMap
          metadata: {name: settings}
          data: {greeting: hello}
          """).commit("settings");
      bad.write("app/settings.yaml", """
          apiVersion: v1
          kind: ConfigMap
          metadata: {name: Not_A_Valid_Name}
          """).commit("an invalid object");
      cluster.apply(gitSync("apps", good.url()));
      cluster.apply(gitSync("invalid", bad.url()));

      Timeline.record(bunting, "good", "good", phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
      Timeline.record(bunting, "broken", "broken", phase(CanaryPhase.INITIALIZED), Duration.ofMinutes(2));
      CanaryScenarios.setImage(cluster, "good", "6.0.1");
      CanaryScenarios.setImage(cluster, "broken", "6.0.1");
      Timeline promoted = Timeline.record(bunting, "good", "good", phase(CanaryPhase.SUCCEEDED), Duration.ofMinutes(2));
      assertThat(promoted.routeWeights).containsSubsequence(0, 50, 0);
      Timeline.record(bunting, "broken", "broken", phase(CanaryPhase.FAILED), Duration.ofMinutes(2));
      cluster.await().until(() -> {
        GitSync gs = cluster.client().resources(GitSync.class).inNamespace(ns).withName("apps").get();
        return gs.getStatus() != null && ("main@sha1:" + sha).equals(gs.getStatus().lastAppliedRevision);
      });

      JsonNode dashboard = DashboardQueries.dashboard();
      Map<String, String> vars = Map.of("$namespace", ns, "$canary", ".*", "$gitsync", ".*",
          "$__rate_interval", "5m", "$__range", "10m");

      // the variables' own queries (label_values(<selector>, label)): their selectors have series
      List<String> missing = new ArrayList<>();
      for (JsonNode v : dashboard.path("templating").path("list")) {
        String definition = v.path("definition").asText();
        if (definition.startsWith("label_values(")) {
          String selector = definition.substring("label_values(".length(), definition.lastIndexOf(','));
          if (series(substitute(selector, vars)).isEmpty()) {
            missing.add("variable " + v.path("name").asText() + ": " + selector);
          }
        }
      }
      // every query of every panel; the last answers by panel, for the value checks below
      Map<String, List<JsonNode>> answers = new LinkedHashMap<>();
      for (Map.Entry<String, List<String>> panel : DashboardQueries.panelQueries(dashboard)
          .entrySet()) {
        for (String expr : panel.getValue()) {
          String promql = substitute(expr, vars);
          try {
            cluster.await(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .until(() -> !finite(series(promql)).isEmpty());
            answers.computeIfAbsent(panel.getKey(), k -> new ArrayList<>()).addAll(finite(series(promql)));
          } catch (ConditionTimeoutException e) {
            missing.add(panel.getKey() + ": " + promql + " -> " + bunting.prometheus().query(promql));
          }
        }
      }
      assertThat(missing).as("panels and variables without data").isEmpty();

      assertThat(labelled(answers.get("Promotions and rollbacks"), "result"))
          .as("the good release was promoted, the broken one rolled back").contains("good=succeeded", "broken=failed");
      // each release's duration is counted once its last step is scraped: wait for both, not only the first one
      String durations = substitute(DashboardQueries.panelQueries(dashboard).get("Rollout duration").get(0), vars);
      cluster.await(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
          assertThat(finite(series(durations))).extracting(s -> s.path("metric").path("name").asText())
              .contains("good", "broken"));
      assertThat(labelled(answers.get("Webhook errors"), "type")).containsExactly("broken=post-rollout");
      assertThat(labelled(answers.get("Metric query errors"), "metric")).containsExactly("broken=broken-query");
      assertThat(answers.get("GitSync revision")).anySatisfy(s ->
          assertThat(s.path("metric").path("revision").asText()).isEqualTo("main@sha1:" + sha));
      assertThat(labelled(answers.get("Sync failures"), "reason")).anyMatch(l -> l.startsWith("invalid="));
      assertThat(answers.get("Analysis metrics vs threshold range")).anySatisfy(s -> {
        assertThat(s.path("metric").path("__name__").asText()).isEqualTo("bunting_canary_metric_threshold");
        assertThat(s.path("metric").path("metric").asText()).isEqualTo("request-duration");
        assertThat(s.path("value").get(1).asDouble()).as("500 ms, in seconds as flagger_canary_metric_analysis")
            .isEqualTo(0.5);
      });
    }
  }

  private static String gitSync(String name, String url) {
    return """
        apiVersion: bunting.dev/v1alpha1
        kind: GitSync
        metadata: {name: %s}
        spec:
          url: %s
          ref: {branch: main}
          path: app
          interval: 10s
          prune: true
        """.formatted(name, url);
  }

  private static String substitute(String expr, Map<String, String> vars) {
    String out = expr;
    // longest names first: $__rate_interval before $__range
    for (String v : vars.keySet().stream().sorted((a, b) -> b.length() - a.length()).toList()) {
      out = out.replace(v, vars.get(v));
    }
    return out;
  }

  /** The series of an instant query's answer (vector results), each with "metric" and "value". */
  private static List<JsonNode> series(String promql) throws Exception {
    PrometheusServer prometheus = bunting.prometheus();
    JsonNode answer = new ObjectMapper().readTree(prometheus.query(promql));
    assertThat(answer.path("status").asText()).as(promql + ": " + answer).isEqualTo("success");
    List<JsonNode> out = new ArrayList<>();
    answer.path("data").path("result").forEach(out::add);
    return out;
  }

  private static List<JsonNode> finite(List<JsonNode> series) {
    return series.stream().filter(s -> {
      double v = s.path("value").get(1).asDouble(Double.NaN);
      return !Double.isNaN(v) && !Double.isInfinite(v);
    }).toList();
  }

  /** {@code <name>=<label>} of each series, e.g. {@code good=succeeded}. */
  private static List<String> labelled(List<JsonNode> series, String label) {
    assertThat(series).as("answers").isNotNull();
    return series.stream().map(s -> s.path("metric").path("name").asText() + "=" + s.path("metric").path(label)
        .asText()).distinct().toList();
  }
}
