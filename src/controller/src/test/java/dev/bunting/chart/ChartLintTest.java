package dev.bunting.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code helm lint --strict --kube-version 1.35.0} accepts the chart with its defaults and every values combination
 * the other tests install, and values.schema.json turns typos and impossible settings into lint errors that name the
 * key (a chart without a schema would accept them silently); Flagger's keys pass the schema and get the chart's own
 * explanation instead.
 */
class ChartLintTest {

  static Stream<Arguments> accepted() {
    return Stream.of(
        Arguments.of("defaults", ChartValues.DEFAULTS),
        Arguments.of("namespaced", ChartValues.namespaced("apps")),
        Arguments.of("monitoring", ChartValues.MONITORING),
        Arguments.of("notifiers", ChartValues.NOTIFIERS),
        Arguments.of("gateway and pod options", ChartValues.GATEWAY_AND_POD_OPTIONS),
        Arguments.of("gitsync cluster-admin", ChartValues.GITSYNC_CLUSTER_ADMIN),
        Arguments.of("impersonate some namespaces", ChartValues.impersonateOnly(List.of("team-a", "team-b"))),
        Arguments.of("gitsync watches everything", ChartValues.GITSYNC_WATCH_ALL),
        Arguments.of("impersonate every namespace", ChartValues.IMPERSONATE_ALL_NAMESPACES),
        Arguments.of("flagger keys that map", ChartValues.FLAGGER_MAPPED),
        Arguments.of("load tester", ChartValues.LOADTESTER),
        Arguments.of("no rbac", ChartValues.NO_RBAC));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("accepted")
  void lintPassesStrictly(String scenario, String values) {
    CommandResult lint = HelmChart.lint(values).assertSuccess();
    assertThat(lint.stdout()).contains("1 chart(s) linted, 0 chart(s) failed");
    assertThat(lint.output()).doesNotContain("[WARNING]", "[ERROR]");
  }

  static Stream<Arguments> rejected() {
    return Stream.of(
        Arguments.of("metricServer: http://prometheus:9090\n", "additional properties 'metricServer' not allowed"),
        Arguments.of("slack:\n  urll: https://hooks.slack.com/x\n", "additional properties 'urll' not allowed"),
        Arguments.of("gitsync:\n  clusteradmin: true\n", "additional properties 'clusteradmin' not allowed"),
        Arguments.of("leaderElection:\n  replicaCount: two\n", "/leaderElection/replicaCount"),
        Arguments.of("kubeconfigQPS: -5\n", "/kubeconfigQPS"),
        Arguments.of("podDisruptionBudget:\n  enabeld: true\n", "additional properties 'enabeld' not allowed"),
        Arguments.of("gitsync:\n  watchResources: [{resources: [certificates]}]\n", "/gitsync/watchResources/0"),
        Arguments.of("maxConcurrentReconciles: eight\n", "/maxConcurrentReconciles"),
        Arguments.of("logFormat: logfmt\n", "/logFormat"),
        Arguments.of("namespace: Apps\n", "/namespace"),
        Arguments.of("metricsServer: prometheus:9090\n", "/metricsServer"),
        Arguments.of("extraArgs: [\"-metrics-server=x\"]\n", "/extraArgs/0"),
        Arguments.of("image:\n  digest: latest\n", "/image/digest"),
        Arguments.of("sharding:\n  shards: [Shard_1]\n", "/sharding/shards/0"),
        Arguments.of("leaderElection:\n  leaseDuration: 15\n", "/leaderElection/leaseDuration"),
        Arguments.of("dashboards:\n  enable: true\n", "additional properties 'enable' not allowed"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejected")
  void schemaRejectsMistakesNamingTheKey(String values, String message) {
    CommandResult lint = HelmChart.lint(values).assertFailure();
    assertThat(lint.output()).contains("values don't meet the specifications of the schema").contains(message);
  }

  static Stream<Arguments> refusedWithAReason() {
    return Stream.of(
        Arguments.of("leaderElection:\n  enabled: false\n  replicaCount: 2\n",
            "leaderElection.replicaCount 2: without leader election it must be 1"),
        Arguments.of("fullnameOverride: " + "b".repeat(55) + "\nsharding:\n  shards: [shard-one]\n",
            "sharding.shards shard-one: the Deployment name"),
        Arguments.of("meshProvider: istioo\n", "meshProvider istioo: not a provider Bunting has"),
        Arguments.of("threadiness: 4\n", "threadiness 4: use maxConcurrentReconciles"));
  }

  /**
   * Values the schema lets through so that the chart can say why it refuses them (templates/validate.yaml). Helm's
   * lint runs templates in lint mode, where a chart's {@code fail} is reported as {@code [INFO] Fail:} and does not
   * fail the lint; {@code helm template}, {@code install} and {@code upgrade} refuse (ChartFlaggerValuesTest,
   * ChartInstallClusterTest).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedWithAReason")
  void lintShowsTheChartsReason(String values, String message) {
    CommandResult lint = HelmChart.lint(values);
    assertThat(lint.output()).doesNotContain("values don't meet the specifications of the schema")
        .contains("Fail:", "Bunting's chart cannot take these values", message);
    CommandResult template = HelmChart.run(List.of("template", "bunting", HelmChart.dir().toString(),
        "--kube-version", HelmChart.KUBE_VERSION, "--values", HelmChart.writeTemp("values-", ".yaml", values)
            .toString())).assertFailure();
    assertThat(template.stderr()).contains("Bunting's chart cannot take these values", message);
  }
}
