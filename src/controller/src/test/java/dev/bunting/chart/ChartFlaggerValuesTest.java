package dev.bunting.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code helm install bunting charts/bunting -f flagger-values.yaml}: Flagger 1.44's own values file, and files that
 * set its other keys. Every key either works with Flagger's meaning (read back from what {@code helm template}
 * renders) or is refused, before anything is installed, by one message that names each such key and says what to use
 * instead; never by the schema's bare "additional properties ... not allowed".
 */
class ChartFlaggerValuesTest {
  private static final String RELEASE = "bunting";
  private static final String NS = "bunting-system";

  private static CommandResult template(String... valuesFiles) {
    return HelmChart.templateRun(RELEASE, NS, valuesFiles);
  }

  private static Rendered render(String... valuesFiles) {
    return new Rendered(template(valuesFiles).assertSuccess().stdout());
  }

  private static Deployment deployment(Rendered r) {
    return r.only("Deployment", Deployment.class);
  }

  private static Container container(Rendered r) {
    return deployment(r).getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  /** The bullet lines of the chart's refusal. */
  private static List<String> refusals(CommandResult result) {
    return result.output().lines().filter(l -> l.startsWith("  - ")).map(l -> l.substring(4)).toList();
  }

  @Test
  void flaggersOwnValuesFileIsRefusedOnlyForFlaggersImage() {
    CommandResult result = template(ChartValues.flaggerDefaults()).assertFailure();

    assertThat(result.output()).doesNotContain("additional properties", "values don't meet the specifications")
        .contains("Bunting's chart cannot take these values");
    assertThat(refusals(result)).singleElement().satisfies(line -> assertThat(line)
        .startsWith("image.repository ghcr.io/fluxcd/flagger (tag 1.44.0) is Flagger's image")
        .contains("remove image.repository and image.tag", "ghcr.io/bunting-dev/bunting:"));
  }

  @Test
  void flaggersOwnValuesWithBuntingsImageRunBuntingWithFlaggersSettings() {
    Rendered r = render(ChartValues.flaggerDefaults(), ChartValues.BUNTING_IMAGE);
    Deployment d = deployment(r);
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    Container c = container(r);

    assertThat(c.getImage()).startsWith("ghcr.io/bunting-dev/bunting:");
    assertThat(c.getArgs()).contains("--log-level=info", "--metrics-server=http://prometheus:9090",
        "--slack-user=flagger");
    assertThat(c.getArgs()).noneMatch(a -> a.startsWith("--kube-api-") || a.startsWith("--mesh-provider"));
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("linkerd.io/inject", "enabled").containsEntry("prometheus.io/scrape", "true");
    assertThat(c.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getResources().getLimits().get("memory").toString()).isEqualTo("512Mi");
    assertThat(r.kinds()).doesNotContain("PodDisruptionBudget", "ServiceMonitor", "PodMonitor");

    // Flagger's default anti-affinity names '{{ template "flagger.name" . }}': rendered, it selects this very pod
    Map<String, String> selected = pod.getAffinity().getPodAntiAffinity()
        .getPreferredDuringSchedulingIgnoredDuringExecution().get(0).getPodAffinityTerm().getLabelSelector()
        .getMatchLabels();
    assertThat(selected).containsOnlyKeys("app.kubernetes.io/name", "app.kubernetes.io/instance");
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(selected);

    CommandResult lint = HelmChart.lint(ChartValues.flaggerDefaults(), ChartValues.BUNTING_IMAGE).assertSuccess();
    assertThat(lint.output()).doesNotContain("[WARNING]", "[ERROR]", "Fail:");
  }

  @Test
  void flaggersOtherKeysMeanWhatTheyMeanInFlaggersChart() {
    Rendered r = render(ChartValues.FLAGGER_MAPPED);
    Deployment d = deployment(r);
    Container c = container(r);
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();

    assertThat(c.getArgs()).as("warning is Bunting's warn; QPS, burst and the ingress settings as flags")
        .contains("--log-level=warn", "--kube-api-qps=100", "--kube-api-burst=250",
            "--ingress-annotations-prefix=custom.ingress.kubernetes.io", "--ingress-class=contour",
            "--mesh-provider=smi:v1alpha2:linkerd");
    GenericKubernetesResource auth = render(ChartValues.FLAGGER_MAPPED + ChartValues.LINKERD_AUTH_POLICY)
        .ofKind("AuthorizationPolicy").get(0);
    assertThat(auth.getMetadata().getNamespace()).as("Flagger's linkerdAuthPolicy, in linkerd-viz's namespace")
        .isEqualTo("viz");
    assertThat(auth.getApiVersion()).isEqualTo("policy.linkerd.io/v1alpha1");

    PodDisruptionBudget pdb = r.only("PodDisruptionBudget", PodDisruptionBudget.class);
    assertThat(pdb.getMetadata().getNamespace()).isEqualTo(NS);
    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getMaxUnavailable()).isNull();
    assertThat(pdb.getSpec().getUnhealthyPodEvictionPolicy()).isEqualTo("AlwaysAllow");
    assertThat(podLabels).as("the PodDisruptionBudget selects the controller's pod")
        .containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
    assertThat(pdb.getSpec().getSelector().getMatchExpressions()).extracting(LabelSelectorRequirement::getKey)
        .isEmpty();
    PodDisruptionBudget drainable = render("podDisruptionBudget: {enabled: true, maxUnavailable: 1}\n")
        .only("PodDisruptionBudget", PodDisruptionBudget.class);
    assertThat(drainable.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(drainable.getSpec().getMinAvailable()).isNull();

    assertThat(pod.getVolumes()).anySatisfy(v -> {
      assertThat(v.getName()).isEqualTo("ca");
      assertThat(v.getConfigMap().getName()).isEqualTo("prometheus-ca");
    });
    assertThat(pod.getVolumes()).extracting(v -> v.getName()).contains("tmp", "git-cache");
    assertThat(c.getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getName()).isEqualTo("ca");
      assertThat(m.getMountPath()).isEqualTo("/etc/prometheus-ca");
      assertThat(m.getReadOnly()).isTrue();
    });

    assertThat(d.getMetadata().getLabels()).containsEntry("team", "delivery").containsEntry("cost-center", "platform");
    assertThat(d.getMetadata().getAnnotations()).containsEntry("example.com/deployment", "flagger-style")
        .containsEntry("example.com/owner", "platform-team");
    assertThat(podLabels).containsEntry("tier", "control").containsEntry("cost-center", "platform")
        .doesNotContainKey("team");
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations()).doesNotContainKey("example.com/owner");
    assertThat(d.getSpec().getSelector().getMatchLabels()).as("selectors never change")
        .doesNotContainKeys("tier", "cost-center");

    assertThat(r.objects()).as("commonLabels and commonAnnotations on every object").hasSizeGreaterThan(10)
        .allSatisfy(o -> {
          assertThat(o.getMetadata().getLabels()).as(o.getKind()).containsEntry("cost-center", "platform");
          assertThat(o.getMetadata().getAnnotations()).as(o.getKind())
              .containsEntry("example.com/owner", "platform-team");
        });

    GenericKubernetesResource sm = r.ofKind("ServiceMonitor").get(0);
    assertThat(sm.getMetadata().getLabels()).as("Flagger's serviceMonitor.labels")
        .containsEntry("release", "kube-prometheus-stack");
    assertThat(r.ofKind("PodMonitor").get(0).getMetadata().getNamespace()).as("Flagger's null namespace")
        .isEqualTo(NS);

    assertThat(HelmChart.lint(ChartValues.FLAGGER_MAPPED).assertSuccess().output())
        .doesNotContain("[WARNING]", "[ERROR]", "Fail:");
  }

  @Test
  void flaggersLeaderElectionValuesRunReplicasThatElectALeader() {
    Rendered ha = render("leaderElection: {enabled: true, replicaCount: 3}\n");
    assertThat(deployment(ha).getSpec().getReplicas()).isEqualTo(3);
    assertThat(container(ha).getArgs()).contains("--leader-elect");
    Rendered single = render("leaderElection: {enabled: false, replicaCount: 1}\n");
    assertThat(deployment(single).getSpec().getReplicas()).isEqualTo(1);
    assertThat(deployment(single).getSpec().getStrategy().getType()).isEqualTo("Recreate");
    assertThat(container(single).getArgs()).noneMatch(a -> a.startsWith("--leader-elect"));
  }

  @Test
  void everyFlaggerKeyBuntingCannotHonourIsNamedWithWhatToUseInsteadInOneMessage() {
    CommandResult result = template(ChartValues.FLAGGER_UNSUPPORTED).assertFailure();

    assertThat(result.output()).doesNotContain("additional properties", "values don't meet the specifications");
    assertThat(refusals(result)).hasSize(12).satisfiesExactly(
        l -> assertThat(l).startsWith("image.repository ghcr.io/fluxcd/flagger (tag 1.44.0) is Flagger's image"),
        l -> assertThat(l).startsWith("meshProvider istioo:").contains("docs/routing.md"),
        l -> assertThat(l).startsWith("leaderElection.replicaCount 2: without leader election it must be 1"),
        l -> assertThat(l).startsWith("threadiness 4: use maxConcurrentReconciles (--max-concurrent-reconciles"),
        l -> assertThat(l).startsWith("includeLabelPrefix:"),
        l -> assertThat(l).startsWith("slack.proxy / slack.proxyUrl:").contains("AlertProvider with spec.proxy"),
        l -> assertThat(l).startsWith("msteams.proxyUrl:").contains("AlertProvider with spec.proxy"),
        l -> assertThat(l).startsWith("rbac.pspEnabled:").contains("removed in Kubernetes 1.25"),
        l -> assertThat(l).startsWith("crd.create: the CRDs are in the chart's crds/ directory"),
        l -> assertThat(l).startsWith("prometheus.install:").contains("bring your own", "metricsServer"),
        l -> assertThat(l).startsWith("controlplane.kubeconfig.secretName:"),
        l -> assertThat(l).startsWith("noCrossNamespaceRefs:"));
    assertThat(result.output()).contains("docs/install.md \"Migrating from Flagger\"");
  }

  @Test
  void eachRefusalAloneRefusesTheInstallAndTheirDefaultsAreAccepted() {
    assertThat(refusals(template("threadiness: 2\n").assertFailure())).singleElement()
        .satisfies(l -> assertThat(l).startsWith("threadiness 2:"));
    assertThat(refusals(template("crd: {create: true}\n").assertFailure())).singleElement()
        .satisfies(l -> assertThat(l).startsWith("crd.create:"));
    assertThat(refusals(template("leaderElection: {enabled: false, replicaCount: 2}\n").assertFailure()))
        .singleElement().satisfies(l -> assertThat(l).startsWith("leaderElection.replicaCount 2:"));
    assertThat(refusals(template("meshProvider: gatewayapi\n").assertFailure())).singleElement()
        .satisfies(l -> assertThat(l).startsWith("meshProvider gatewayapi:"));

    // Flagger's defaults of the same keys change nothing
    Rendered r = render("""
        threadiness: ""
        crd: {create: false}
        prometheus: {install: false, image: docker.io/prom/prometheus:v2.41.0, retention: 2h}
        rbac: {create: true, pspEnabled: false}
        linkerdAuthPolicy: {create: false, namespace: linkerd-viz}
        controlplane: {kubeconfig: {secretName: "", key: kubeconfig}}
        ingressAnnotationsPrefix: ""
        ingressClass: ""
        noCrossNamespaceRefs: false
        slack: {proxy: null}
        """);
    assertThat(r.ofKind("Deployment")).hasSize(1);
  }

  @Test
  void labelsTheChartSetsItselfCannotBeOverriddenAndSaySo() {
    CommandResult result = template("""
        podLabels: {app.kubernetes.io/name: mine}
        commonLabels: {app.kubernetes.io/managed-by: me}
        deploymentLabels: {app.kubernetes.io/component: web}
        """).assertFailure();
    assertThat(refusals(result)).containsExactly(
        "commonLabels.app.kubernetes.io/managed-by: the chart sets this label itself; use another key",
        "podLabels.app.kubernetes.io/name: the chart sets this label itself; use another key",
        "deploymentLabels.app.kubernetes.io/component: the chart sets this label itself; use another key");
  }
}
