package dev.bunting.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart's operations features, rendered: shards (one Deployment, Service, PodDisruptionBudget and Lease each, and
 * selectors that split Canaries and GitSyncs without overlap), the Grafana dashboard ConfigMap, and the PrometheusRule,
 * whose rules Prometheus' own promtool checks and unit-tests (each alert fires on the series it is about, and not on
 * healthy ones).
 */
class ChartOperationsRenderTest {
  private static final String NS = "bunting-system";

  private static Rendered render(String values) {
    return HelmChart.template("bunting", NS, values);
  }

  private static Container container(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  private static String arg(Deployment d, String flag) {
    return container(d).getArgs().stream().filter(a -> a.startsWith(flag + "=")).map(a -> a.substring(flag.length() + 1))
        .findFirst().orElse(null);
  }

  @Test
  void eachShardHasItsOwnDeploymentSelectorLeaseServiceAndBudgetAndTheMainOneTakesTheRest() {
    Rendered r = render("sharding: {shards: [shard1, shard2]}\n");
    Deployment main = r.typed("Deployment", "bunting", Deployment.class);
    Deployment shard1 = r.typed("Deployment", "bunting-shard1", Deployment.class);
    Deployment shard2 = r.typed("Deployment", "bunting-shard2", Deployment.class);

    assertThat(arg(main, "--watch-label-selector")).isEqualTo("sharding.bunting.dev/key notin (shard1,shard2)");
    assertThat(arg(shard1, "--watch-label-selector")).isEqualTo("sharding.bunting.dev/key=shard1");
    assertThat(arg(shard2, "--watch-label-selector")).isEqualTo("sharding.bunting.dev/key=shard2");
    assertThat(List.of(main, shard1, shard2)).extracting(d -> arg(d, "--leader-election-id")).as("a Lease each")
        .containsExactly("bunting", "bunting-shard1", "bunting-shard2");
    assertThat(List.of(main, shard1, shard2)).allSatisfy(d -> {
      assertThat(d.getSpec().getReplicas()).isEqualTo(2);
      assertThat(container(d).getArgs()).contains("--leader-elect");
    });

    List<Map<String, String>> selectors = List.of(main, shard1, shard2).stream()
        .map(d -> d.getSpec().getSelector().getMatchLabels()).toList();
    List<Map<String, String>> podLabels = List.of(main, shard1, shard2).stream()
        .map(d -> d.getSpec().getTemplate().getMetadata().getLabels()).toList();
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        boolean selects = podLabels.get(j).entrySet().containsAll(selectors.get(i).entrySet());
        assertThat(selects).as("Deployment %d selects the pods of Deployment %d", i, j).isEqualTo(i == j);
      }
    }
    assertThat(r.typed("Service", "bunting", Service.class).getSpec().getSelector())
        .isEqualTo(main.getSpec().getSelector().getMatchLabels());
    assertThat(r.typed("Service", "bunting-shard1", Service.class).getSpec().getSelector())
        .isEqualTo(shard1.getSpec().getSelector().getMatchLabels());
    assertThat(r.typed("PodDisruptionBudget", "bunting-shard2", PodDisruptionBudget.class).getSpec().getSelector()
        .getMatchLabels()).isEqualTo(shard2.getSpec().getSelector().getMatchLabels());
    assertThat(r.ofKind("PodMonitor")).isEmpty();
    Rendered monitored = render("sharding: {shards: [shard1]}\npodMonitor: {enabled: true}\n");
    Map<String, Object> podMonitorSelector = monitored.find("PodMonitor", "bunting").orElseThrow()
        .get("spec", "selector", "matchLabels");
    assertThat(monitored.ofKind("Deployment")).as("the PodMonitor scrapes every shard's pods").allSatisfy(d ->
        assertThat(monitored.typed("Deployment", d.getMetadata().getName(), Deployment.class).getSpec().getTemplate()
            .getMetadata().getLabels()).containsAllEntriesOf(stringMap(podMonitorSelector)));
  }

  @Test
  void theDashboardIsAConfigMapForGrafanasSidecarWhenAskedFor() throws IOException {
    assertThat(render("").ofKind("ConfigMap")).as("off by default").isEmpty();
    Rendered r = render("""
        dashboards:
          enabled: true
          namespace: monitoring
          labels: {grafana_dashboard: "1", team: platform}
          annotations: {grafana_folder: Bunting}
        """);
    ConfigMap cm = r.only("ConfigMap", ConfigMap.class);
    assertThat(cm.getMetadata().getNamespace()).isEqualTo("monitoring");
    assertThat(cm.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1").containsEntry("team", "platform");
    assertThat(cm.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Bunting");
    assertThat(new ObjectMapper().readTree(cm.getData().get("bunting.json")))
        .isEqualTo(new ObjectMapper().readTree(ChartDashboardTest.DASHBOARD.toFile()));
  }

  @Test
  void theAlertRulesAreOffByDefaultAndPromtoolAcceptsThem() throws Exception {
    assertThat(render("").ofKind("PrometheusRule")).isEmpty();
    Path promtool = promtool();
    Path rules = rulesFile(render("prometheusRule: {enabled: true, additionalLabels: {release: kps}}\n"), false);
    CommandResult check = CommandResult.run(List.of(promtool.toString(), "check", "rules", rules.toString()), Map.of(),
        60);
    assertThat(check.exitCode()).as(check.stdout() + check.stderr()).isZero();
    assertThat(check.stdout()).contains("SUCCESS: 4 rules found");
  }

  /**
   * promtool's rule unit tests (minutes of synthetic series): each alert fires for the canary, GitSync or Deployment it
   * is about after its {@code for:} window, and stays quiet for healthy ones.
   */
  @Test
  void eachAlertFiresOnTheSeriesItIsAboutAndOnlyThere() throws Exception {
    Path promtool = promtool();
    Rendered r = render("prometheusRule: {enabled: true, rolloutStuckSeconds: 1800}\nsharding: {shards: [shard1]}\n");
    Path rules = rulesFile(r, true);
    String tests = """
        rule_files: [%s]
        evaluation_interval: 1m
        tests:
          - interval: 1m
            input_series:
              - {series: 'flagger_canary_status{namespace="apps",name="web"}', values: '0 0 2x10'}
              - {series: 'flagger_canary_status{namespace="apps",name="api"}', values: '0 0 1x10'}
            alert_rule_test:
              - eval_time: 2m
                alertname: BuntingCanaryFailed
                exp_alerts: []
              - eval_time: 4m
                alertname: BuntingCanaryFailed
                exp_alerts:
                  - exp_labels: {severity: warning, namespace: apps, name: web}
          - interval: 1m
            input_series:
              # in flight (Progressing), last status change at time 0: stuck after 30 minutes (+5m for)
              - {series: 'bunting_canary_phase{namespace="apps",name="stuck"}', values: '4x60'}
              - {series: 'bunting_canary_last_transition_timestamp_seconds{namespace="apps",name="stuck"}', values: '0x60'}
              # in flight, but its status changes every minute
              - {series: 'bunting_canary_phase{namespace="apps",name="moving"}', values: '4x60'}
              - {series: 'bunting_canary_last_transition_timestamp_seconds{namespace="apps",name="moving"}', values: '0+60x60'}
              # finished long ago: not in flight
              - {series: 'bunting_canary_phase{namespace="apps",name="done"}', values: '8x60'}
              - {series: 'bunting_canary_last_transition_timestamp_seconds{namespace="apps",name="done"}', values: '0x60'}
            alert_rule_test:
              - eval_time: 32m
                alertname: BuntingCanaryRolloutStuck
                exp_alerts: []
              - eval_time: 40m
                alertname: BuntingCanaryRolloutStuck
                exp_alerts:
                  - exp_labels: {severity: warning, namespace: apps, name: stuck}
          - interval: 1m
            input_series:
              - {series: 'bunting_gitsync_ready{namespace="apps",name="broken"}', values: '1 1 0x30'}
              - {series: 'bunting_gitsync_ready{namespace="apps",name="fine"}', values: '1x32'}
            alert_rule_test:
              - eval_time: 10m
                alertname: BuntingGitSyncStalled
                exp_alerts: []
              - eval_time: 20m
                alertname: BuntingGitSyncStalled
                exp_alerts:
                  - exp_labels: {severity: warning, namespace: apps, name: broken}
          - interval: 1m
            input_series:
              # the main Deployment: a leader and a standby throughout
              - {series: 'bunting_leader{namespace="bunting-system",instance="a",selector="sharding.bunting.dev/key notin (shard1)"}', values: '1x20'}
              - {series: 'bunting_leader{namespace="bunting-system",instance="b",selector="sharding.bunting.dev/key notin (shard1)"}', values: '0x20'}
              # the shard: its leader disappears after 3 minutes, its standby never takes over
              - {series: 'bunting_leader{namespace="bunting-system",instance="c",selector="sharding.bunting.dev/key=shard1"}', values: '1 1 1 stale'}
              - {series: 'bunting_leader{namespace="bunting-system",instance="d",selector="sharding.bunting.dev/key=shard1"}', values: '0x20'}
              # another release's controller in another namespace does not count
              - {series: 'bunting_leader{namespace="elsewhere",instance="e",selector="sharding.bunting.dev/key=shard1"}', values: '1x20'}
            alert_rule_test:
              - eval_time: 5m
                alertname: BuntingControllerDown
                exp_alerts: []
              - eval_time: 12m
                alertname: BuntingControllerDown
                exp_alerts:
                  - exp_labels: {severity: critical, deployment: bunting-shard1}
        """.formatted(rules.getFileName());
    Path testFile = rules.resolveSibling("rules-test.yaml");
    Files.writeString(testFile, tests);
    CommandResult run = CommandResult.run(List.of("sh", "-c", "cd '" + rules.getParent() + "' && '" + promtool
        + "' test rules rules-test.yaml"), Map.of(), 120);
    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
  }

  private static Path promtool() {
    Path promtool = Path.of("/usr/bin/promtool");
    assumeTrue(Files.isExecutable(promtool), "no promtool (Debian's prometheus package has it)");
    return promtool;
  }

  /** The PrometheusRule's groups as a Prometheus rules file; for unit tests without the (long) annotations. */
  @SuppressWarnings("unchecked")
  private static Path rulesFile(Rendered r, boolean withoutAnnotations) throws IOException {
    Map<String, Object> spec = r.find("PrometheusRule", "bunting").orElseThrow().get("spec");
    if (withoutAnnotations) {
      for (Map<String, Object> group : (List<Map<String, Object>>) spec.get("groups")) {
        ((List<Map<String, Object>>) group.get("rules")).forEach(rule -> rule.remove("annotations"));
      }
    }
    Path dir = Files.createTempDirectory("bunting-rules-");
    dir.toFile().deleteOnExit();
    Path file = dir.resolve("bunting-rules.yaml");
    Files.writeString(file, new YAMLMapper().writeValueAsString(spec));
    file.toFile().deleteOnExit();
    return file;
  }

  private static Map<String, String> stringMap(Map<String, Object> m) {
    Map<String, String> out = new java.util.HashMap<>();
    m.forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }
}
