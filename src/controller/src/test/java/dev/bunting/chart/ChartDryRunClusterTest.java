package dev.bunting.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bunting.testing.KubectlResult;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.TestNamespace;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Everything the chart renders, with the defaults and with each interesting combination of values, is accepted by a
 * real API server: {@code kubectl apply --server-side --dry-run=server --validate=strict}, so a misspelt field, a
 * wrong type or an invalid value fails here rather than at {@code helm install}. The prometheus-operator monitors are
 * checked only where their CRDs are installed (skipped otherwise).
 */
@LocalCluster
class ChartDryRunClusterTest {
  private static final String RELEASE = "bunting";

  static TestCluster cluster;
  @TestNamespace static String namespace;
  static List<String> tenants;

  @BeforeAll
  static void tenants() {
    tenants = List.of(cluster.createNamespace("team-a"), cluster.createNamespace("team-b"));
  }

  static Stream<Arguments> scenarios() {
    return Stream.of(
        Arguments.of("defaults", (ValuesFor) ns -> ChartValues.DEFAULTS),
        Arguments.of("namespaced", (ValuesFor) ChartValues::namespaced),
        Arguments.of("namespaced without the CRD reader",
            (ValuesFor) ns -> ChartValues.namespaced(ns) + "rbac:\n  crdRead: false\n"),
        Arguments.of("notifiers", (ValuesFor) ns -> ChartValues.NOTIFIERS),
        Arguments.of("gateway and pod options", (ValuesFor) ns -> ChartValues.GATEWAY_AND_POD_OPTIONS),
        Arguments.of("gitsync cluster-admin", (ValuesFor) ns -> ChartValues.GITSYNC_CLUSTER_ADMIN),
        Arguments.of("gitsync cluster-admin, namespaced",
            (ValuesFor) ns -> ChartValues.GITSYNC_CLUSTER_ADMIN + ChartValues.namespaced(ns)),
        Arguments.of("impersonate some namespaces", (ValuesFor) ns -> ChartValues.impersonateOnly(tenants)
            + "  impersonateServiceAccountNames: [gitsync]\n  watchResources: [{apiGroups: [cert-manager.io],"
            + " resources: [certificates]}]\n"),
        Arguments.of("gitsync watches everything, impersonates everywhere",
            (ValuesFor) ns -> "gitsync: {watchAll: true, impersonateAllNamespaces: true}\n"),
        Arguments.of("flagger keys that map (PodDisruptionBudget, volumes, labels)",
            (ValuesFor) ns -> ChartValues.FLAGGER_MAPPED),
        Arguments.of("flagger's own values with Bunting's image",
            (ValuesFor) ns -> ChartValues.flaggerDefaults().replace("repository: ghcr.io/fluxcd/flagger",
                "repository: ghcr.io/bunting-dev/bunting").replace("tag: 1.44.0", "tag: \"\"")),
        Arguments.of("monitoring (without the monitors)", (ValuesFor) ns -> ChartValues.MONITORING),
        Arguments.of("load tester", (ValuesFor) ns -> ChartValues.LOADTESTER),
        Arguments.of("no rbac", (ValuesFor) ns -> ChartValues.NO_RBAC),
        Arguments.of("shards, the dashboard and the alert rules (without the PrometheusRule)",
            (ValuesFor) ns -> "sharding: {shards: [shard1, shard2]}\ndashboards: {enabled: true}\n"
                + "prometheusRule: {enabled: true}\n"),
        Arguments.of("without leader election", (ValuesFor) ns -> "leaderElection: {enabled: false, replicaCount: 1}\n"));
  }

  /** Values that may name the test namespace. */
  interface ValuesFor {
    String values(String namespace);
  }

  private static KubectlResult dryRun(String yaml) {
    Path file = HelmChart.writeTemp("rendered-", ".yaml", yaml);
    return cluster.kubectl("apply", "--server-side", "--dry-run=server", "--validate=strict",
        "--field-manager=bunting-chart-test", "-f", file.toString());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void everyRenderedObjectIsAcceptedByTheApiServer(String scenario, ValuesFor values) {
    Rendered rendered = HelmChart.template(RELEASE, namespace, values.values(namespace));
    String yaml = rendered.yamlWithout("ServiceMonitor", "PodMonitor", "PrometheusRule");
    int objects = rendered.objects().size() - rendered.ofKind("ServiceMonitor").size()
        - rendered.ofKind("PodMonitor").size() - rendered.ofKind("PrometheusRule").size();

    KubectlResult result = dryRun(yaml).assertSuccess();

    assertThat(result.lines()).as(result.stdout()).hasSize(objects)
        .allSatisfy(line -> assertThat(line).endsWith("serverside-applied (server dry run)"));
    assertThat(result.stdout()).contains("deployment.apps/bunting serverside-applied");
  }

  @Test
  void theDryRunRefusesAnUnknownField() {
    String yaml = HelmChart.template(RELEASE, namespace, ChartValues.DEFAULTS).yaml()
        .replace("  revisionHistoryLimit: 5", "  revisionHistoryLimit: 5\n  replica: 2");
    assertThat(yaml).contains("replica: 2");

    KubectlResult result = dryRun(yaml);

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr()).contains(".spec.replica: field not declared in schema");
  }

  @Test
  void serviceMonitorAndPodMonitorAreAcceptedWhereThePrometheusOperatorCrdsAreInstalled() {
    boolean installed = Stream.of("servicemonitors.monitoring.coreos.com", "podmonitors.monitoring.coreos.com")
        .allMatch(crd -> cluster.client().apiextensions().v1().customResourceDefinitions().withName(crd).get() != null);
    assumeTrue(installed, "the prometheus-operator CRDs (ServiceMonitor, PodMonitor) are not installed in this cluster");

    Rendered rendered = HelmChart.template(RELEASE, namespace, ChartValues.MONITORING);
    KubectlResult result = dryRun(rendered.yaml()).assertSuccess();

    assertThat(result.stdout()).contains("servicemonitor.monitoring.coreos.com/bunting serverside-applied",
        "podmonitor.monitoring.coreos.com/bunting serverside-applied");
  }
}
