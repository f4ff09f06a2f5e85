package dev.bunting.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code loadtester.enabled}: the chart renders Bunting's load tester next to the controller, from the same image, with
 * flagger-loadtester's chart values as its flags, selectors that never catch the controller's pods, shell tasks off
 * unless asked, and RBAC only for what was asked (gates in a ConfigMap, rules for kubectl/helm tasks).
 */
class ChartLoadTesterRenderTest {
  private static final String RELEASE = "bunting";
  private static final String NS = "bunting-system";
  private static final String NAME = "bunting-loadtester";

  private static CommandResult template(String values) {
    return HelmChart.templateRun(RELEASE, NS, values);
  }

  private static Rendered render(String values) {
    return new Rendered(template(values).assertSuccess().stdout());
  }

  private static Container container(Deployment d) {
    assertThat(d.getSpec().getTemplate().getSpec().getContainers()).hasSize(1);
    return d.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    return labels.entrySet().containsAll(selector.entrySet());
  }

  @Test
  void offByDefault() {
    assertThat(render(ChartValues.DEFAULTS).names()).noneMatch(n -> n.contains("loadtester"));
  }

  @Test
  void enabledItRunsTheControllersImageWithFlaggersDefaultsAndNoShell() {
    Rendered r = render("loadtester: {enabled: true}\n");
    Deployment lt = r.typed("Deployment", NAME, Deployment.class);
    Deployment controller = r.typed("Deployment", RELEASE, Deployment.class);
    Container c = container(lt);

    assertThat(lt.getMetadata().getNamespace()).isEqualTo(NS);
    assertThat(lt.getSpec().getReplicas()).isEqualTo(1);
    assertThat(c.getImage()).isEqualTo(container(controller).getImage());
    assertThat(c.getArgs()).containsExactly("loadtester", "--port=8080", "--log-format=json", "--log-level=info",
        "--timeout=1h");
    assertThat(c.getPorts()).singleElement().satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(8080));
    for (var probe : List.of(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe())) {
      assertThat(probe.getHttpGet().getPath()).isEqualTo("/healthz");
      assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
    }
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    PodSpec pod = lt.getSpec().getTemplate().getSpec();
    String tmpVolume = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).findFirst()
        .orElseThrow().getName();
    assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals(tmpVolume))
        .singleElement().satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
    assertThat(lt.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true").containsEntry("prometheus.io/port", "8080");

    Service svc = r.typed("Service", NAME, Service.class);
    assertThat(svc.getSpec().getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getPort()).as("flagger-loadtester's service port").isEqualTo(80);
      assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
    });
    Map<String, String> ltPods = lt.getSpec().getTemplate().getMetadata().getLabels();
    Map<String, String> controllerPods = controller.getSpec().getTemplate().getMetadata().getLabels();
    assertThat(selects(svc.getSpec().getSelector(), ltPods)).isTrue();
    assertThat(selects(lt.getSpec().getSelector().getMatchLabels(), ltPods)).isTrue();
    assertThat(selects(svc.getSpec().getSelector(), controllerPods)).as("not the controller's pods").isFalse();
    assertThat(selects(lt.getSpec().getSelector().getMatchLabels(), controllerPods)).isFalse();
    Service controllerSvc = r.typed("Service", RELEASE, Service.class);
    assertThat(selects(controllerSvc.getSpec().getSelector(), ltPods)).as("the controller's Service").isFalse();
    assertThat(selects(controller.getSpec().getSelector().getMatchLabels(), ltPods)).isFalse();

    ServiceAccount sa = r.typed("ServiceAccount", NAME, ServiceAccount.class);
    assertThat(lt.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(NAME);
    assertThat(sa.getAutomountServiceAccountToken()).as("no API access needed").isFalse();
    assertThat(r.names()).filteredOn(n -> n.contains("loadtester")).as("no RBAC when nothing needs it")
        .containsExactlyInAnyOrder("ServiceAccount/" + NAME, "Deployment/" + NAME, "Service/" + NAME);
  }

  @Test
  void flaggerLoadtesterValuesAndBuntingsOwnBecomeFlagsAndRbac() {
    Rendered r = render(ChartValues.LOADTESTER);
    Deployment lt = r.typed("Deployment", NAME, Deployment.class);
    Container c = container(lt);

    assertThat(lt.getSpec().getReplicas()).isEqualTo(2);
    assertThat(c.getArgs()).containsExactly("loadtester", "--port=8080", "--log-format=json", "--log-level=warn",
        "--timeout=30m", "--namespace-regexp=^team-", "--enable-shell-tasks",
        "--gate-configmap=bunting-system/loadtester-gates");
    assertThat(c.getEnv()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("HTTPS_PROXY"));
    assertThat(lt.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("team", "qa");
    Service svc = r.typed("Service", NAME, Service.class);
    assertThat(svc.getSpec().getPorts().get(0).getPort()).isEqualTo(8080);
    assertThat(svc.getMetadata().getAnnotations()).containsEntry("example.com/owner", "qa");
    assertThat(r.typed("ServiceAccount", NAME, ServiceAccount.class).getAutomountServiceAccountToken()).isTrue();

    Role gates = r.typed("Role", NAME + "-gates", Role.class);
    assertThat(gates.getMetadata().getNamespace()).isEqualTo(NS);
    assertThat(gates.getRules()).anySatisfy(rule -> {
      assertThat(rule.getResourceNames()).containsExactly("loadtester-gates");
      assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "patch");
    });
    assertThat(gates.getRules()).anySatisfy(rule -> assertThat(rule.getVerbs()).containsExactly("create"));
    RoleBinding gatesBinding = r.typed("RoleBinding", NAME + "-gates", RoleBinding.class);
    assertThat(gatesBinding.getRoleRef().getName()).isEqualTo(NAME + "-gates");
    assertThat(gatesBinding.getSubjects()).singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo(NAME));

    ClusterRole tasks = r.typed("ClusterRole", NAME, ClusterRole.class);
    assertThat(tasks.getRules()).singleElement().satisfies(rule ->
        assertThat(rule.getResources()).containsExactly("pods"));
    ClusterRoleBinding tasksBinding = r.typed("ClusterRoleBinding", NAME, ClusterRoleBinding.class);
    assertThat(tasksBinding.getSubjects()).singleElement().satisfies(s -> {
      assertThat(s.getName()).isEqualTo(NAME);
      assertThat(s.getNamespace()).isEqualTo(NS);
    });
    assertThat(render(ChartValues.LOADTESTER.replace("scope: cluster", "scope: \"\"")).typed("Role", NAME, Role.class)
        .getMetadata().getNamespace()).as("without scope cluster: a Role").isEqualTo(NS);
  }

  @Test
  void severalReplicasWithGatesInMemoryAreRefused() {
    CommandResult result = template("loadtester: {enabled: true, replicaCount: 2}\n").assertFailure();
    assertThat(result.output()).contains("loadtester.replicaCount 2: with gates in memory each replica would have "
        + "its own gates; set loadtester.gates.configMap to share them, or run 1 replica");
    assertThat(template("loadtester: {enabled: true, replicaCount: 3, badKey: 1}\n").assertFailure().output())
        .as("the schema rejects unknown keys").contains("badKey");
  }
}
