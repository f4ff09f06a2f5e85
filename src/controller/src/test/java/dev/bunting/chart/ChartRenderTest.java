package dev.bunting.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.bunting.testing.ProjectFiles;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What {@code helm template} renders, read back as Kubernetes objects: the Deployment carries the values as the
 * controller's flags, runs one replica with Recreate, non-root on a read-only root filesystem with every writable path
 * on an emptyDir; RBAC takes the shape each mode asks for; webhook URLs never appear in the pod spec. (The cluster
 * tests then show the API server accepts all of it and that the RBAC grants what the controller uses.)
 */
class ChartRenderTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final String RELEASE = "bunting";
  private static final String NS = "bunting-system";

  private static Rendered render(String values) {
    return HelmChart.template(RELEASE, NS, values);
  }

  private static Deployment deployment(Rendered r) {
    return r.only("Deployment", Deployment.class);
  }

  private static Container container(Rendered r) {
    List<Container> containers = deployment(r).getSpec().getTemplate().getSpec().getContainers();
    assertThat(containers).hasSize(1);
    return containers.get(0);
  }

  private static Optional<EnvVar> env(Container c, String name) {
    return c.getEnv().stream().filter(e -> name.equals(e.getName())).findFirst();
  }

  private static String chartAppVersion() throws IOException {
    JsonNode chart = new YAMLMapper().readTree(HelmChart.dir().resolve("Chart.yaml").toFile());
    return chart.get("appVersion").asText();
  }

  @Test
  void appVersionIsTheProjectVersionWithoutSnapshot() throws IOException {
    String pom = Files.readString(ProjectFiles.resolve("pom.xml"));
    Matcher m = Pattern.compile("<artifactId>bunting-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
    assertThat(m.find()).as("project version in pom.xml").isTrue();
    assertThat(chartAppVersion()).isEqualTo(m.group(1).replace("-SNAPSHOT", ""));
  }

  @Test
  void defaultsRunTwoReplicasThatElectALeaderWithFlaggersFlagsAndProbes() throws IOException {
    Rendered r = render(ChartValues.DEFAULTS);
    assertThat(r.kinds()).containsExactlyInAnyOrder("ServiceAccount", "ClusterRole", "ClusterRole", "ClusterRole",
        "ClusterRoleBinding", "ClusterRoleBinding", "ClusterRoleBinding", "Role", "RoleBinding", "Service",
        "Deployment", "PodDisruptionBudget", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");

    Deployment d = deployment(r);
    assertThat(d.getMetadata().getNamespace()).isEqualTo(NS);
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    assertThat(d.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
        .as("a new replica is Ready (a standby) before an old one stops").isZero();
    PodDisruptionBudget pdb = r.only("PodDisruptionBudget", PodDisruptionBudget.class);
    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).as("drains evict one replica at a time").isEqualTo(1);
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .isEqualTo(d.getSpec().getSelector().getMatchLabels());
    List<PolicyRule> lease = rules(r, "Role", "bunting-leader-election");
    assertThat(lease).singleElement().satisfies(rule -> {
      assertThat(rule.getApiGroups()).containsExactly("coordination.k8s.io");
      assertThat(rule.getResources()).containsExactly("leases");
      assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "create", "patch");
    });
    assertThat(r.find("Role", "bunting-leader-election").orElseThrow().getMetadata().getNamespace()).isEqualTo(NS);

    Container c = container(r);
    assertThat(c.getImage()).isEqualTo("ghcr.io/bunting-dev/bunting:" + chartAppVersion());
    assertThat(c.getArgs()).first().isEqualTo("controller");
    assertThat(c.getArgs()).contains("--port=8080", "--log-format=json", "--metrics-server=http://prometheus:9090",
        "--max-concurrent-reconciles=32", "--max-concurrent-syncs=8", "--git-cache-dir=/var/cache/bunting/git", "--leader-elect",
        "--leader-election-id=bunting", "--leader-election-lease-duration=15s");
    assertThat(c.getArgs()).noneMatch(a -> a.startsWith("--watch-label-selector"));
    assertThat(env(c, "POD_NAMESPACE")).as("the Lease's namespace").isPresent();
    assertThat(c.getArgs()).noneMatch(a -> a.startsWith("--namespace") || a.startsWith("--mesh-provider")
        || a.startsWith("--max-progressing-canaries"));
    assertThat(c.getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("http");
      assertThat(p.getContainerPort()).isEqualTo(8080);
    });
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(c.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(env(c, "POD_NAME")).get()
        .satisfies(e -> assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name"));
    assertThat(env(c, "JDK_JAVA_OPTIONS")).as("nothing to add by default").isEmpty();
    assertThat(c.getResources().getLimits()).containsKey("memory");

    Map<String, String> annotations = d.getSpec().getTemplate().getMetadata().getAnnotations();
    assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", String.valueOf(c.getPorts().get(0).getContainerPort()))
        .containsEntry("prometheus.io/path", "/metrics");
  }

  @Test
  void runsAsNonRootOnAReadOnlyRootFilesystemWithEveryWritablePathOnAnEmptyDir() {
    Rendered r = render(ChartValues.DEFAULTS);
    PodSpec pod = deployment(r).getSpec().getTemplate().getSpec();
    Container c = container(r);

    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(c.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(c.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");

    String gitCache = c.getArgs().stream().filter(a -> a.startsWith("--git-cache-dir=")).findFirst().orElseThrow()
        .substring("--git-cache-dir=".length());
    for (String writable : List.of("/tmp", gitCache)) {
      VolumeMount mount = c.getVolumeMounts().stream()
          .filter(m -> writable.equals(m.getMountPath()) || writable.startsWith(m.getMountPath() + "/"))
          .findFirst().orElseThrow(() -> new AssertionError(writable + " is on no volume mount"));
      assertThat(mount.getReadOnly()).as(writable).isNotEqualTo(Boolean.TRUE);
      Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst()
          .orElseThrow();
      assertThat(volume.getEmptyDir()).as("%s is an emptyDir", writable).isNotNull();
      assertThat(volume.getEmptyDir().getSizeLimit()).as("%s has a size limit", writable).isNotNull();
    }
  }

  @Test
  void serviceAndBindingsPointAtTheDeploymentsPodsAndServiceAccount() {
    Rendered r = render(ChartValues.DEFAULTS);
    Deployment d = deployment(r);
    Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
    String sa = d.getSpec().getTemplate().getSpec().getServiceAccountName();

    assertThat(r.only("ServiceAccount", ServiceAccount.class).getMetadata().getName()).isEqualTo(sa);
    Service svc = r.only("Service", Service.class);
    assertThat(podLabels).containsAllEntriesOf(svc.getSpec().getSelector());
    assertThat(podLabels).containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
    assertThat(svc.getSpec().getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("http");
      assertThat(p.getPort()).isEqualTo(8080);
      assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
    });
    for (GenericKubernetesResource b : r.ofKind("ClusterRoleBinding")) {
      ClusterRoleBinding binding = r.typed("ClusterRoleBinding", b.getMetadata().getName(), ClusterRoleBinding.class);
      assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
        assertThat(s.getKind()).isEqualTo("ServiceAccount");
        assertThat(s.getName()).isEqualTo(sa);
        assertThat(s.getNamespace()).isEqualTo(NS);
      });
      assertThat(r.find("ClusterRole", binding.getRoleRef().getName())).as("bound role is rendered").isPresent();
    }
  }

  @Test
  void withoutLeaderElectionOneReplicaRunsWithRecreateAndNeedsNoLease() {
    Rendered r = render("leaderElection: {enabled: false, replicaCount: 1}\n");
    Deployment d = deployment(r);
    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
    assertThat(d.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    assertThat(container(r).getArgs()).noneMatch(a -> a.startsWith("--leader-elect"));
    assertThat(r.kinds()).as("no Lease rights; no budget for a single replica").doesNotContain("Role", "RoleBinding",
        "PodDisruptionBudget");
  }

  @Test
  void aNamespacedInstallUsesRolesInThatNamespaceAndWatchesOnlyIt() {
    Rendered r = render(ChartValues.namespaced("apps"));
    assertThat(container(r).getArgs()).contains("--namespace=apps");
    assertThat(r.ofKind("Role")).extracting(o -> o.getMetadata().getName())
        .containsExactlyInAnyOrder("bunting-canary", "bunting-gitsync", "bunting-leader-election");
    assertThat(r.ofKind("Role")).filteredOn(o -> !o.getMetadata().getName().endsWith("-leader-election"))
        .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isEqualTo("apps"));
    assertThat(r.ofKind("RoleBinding")).filteredOn(o -> !o.getMetadata().getName().endsWith("-leader-election"))
        .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isEqualTo("apps"));
    assertThat(r.find("Role", "bunting-leader-election").orElseThrow().getMetadata().getNamespace())
        .as("the Lease lives with the controller").isEqualTo(NS);
    assertThat(r.ofKind("ClusterRole")).extracting(o -> o.getMetadata().getName())
        .as("only the CRD reader and the UI's reviews are cluster-scoped")
        .containsExactlyInAnyOrder("bunting-crds", "bunting-ui");
    assertThat(rules(r, "ClusterRole", "bunting-ui")).extracting(PolicyRule::getResources)
        .containsExactlyInAnyOrder(List.of("tokenreviews"), List.of("subjectaccessreviews"));
    assertThat(r.find("ClusterRoleBinding", "bunting-ui")).isPresent();

    assertThat(r.find("ValidatingAdmissionPolicyBinding", "bunting-gitsync-service-account").orElseThrow()
        .<String>get("spec", "matchResources", "namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"))
        .as("the GitSync admission policy applies to the watched namespace only").isEqualTo("apps");

    Rendered noClusterScope = render(ChartValues.namespaced("apps")
        + "rbac:\n  crdRead: false\ngitsync:\n  requireServiceAccount: false\nui:\n  enabled: false\n");
    assertThat(noClusterScope.objects()).as("a namespace administrator can install this")
        .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isIn("apps", NS));
  }

  @Test
  void webhookUrlsReachTheControllerFromSecretsNeverFromThePodSpec() {
    Rendered r = render(ChartValues.NOTIFIERS);
    Container c = container(r);
    String deploymentYaml = r.yamlWithout("Secret");
    assertThat(deploymentYaml).doesNotContain("webhook.office.com", "s3cret");

    assertThat(env(c, "SLACK_URL")).get().satisfies(e -> {
      assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("slack-webhook");
      assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("address");
    });
    assertThat(env(c, "MSTEAMS_URL")).get().satisfies(e -> {
      assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("bunting-notifiers");
      assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("msteams-url");
    });
    assertThat(env(c, "EVENT_WEBHOOK_URL")).get().satisfies(e ->
        assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("event-webhook-url"));
    assertThat(c.getArgs()).contains("--cluster-name=prod-eu-1", "--slack-channel=#releases", "--slack-user=bunting");

    GenericKubernetesResource secret = r.find("Secret", "bunting-notifiers").orElseThrow();
    @SuppressWarnings("unchecked")
    Map<String, String> data = (Map<String, String>) secret.getAdditionalProperties().get("stringData");
    assertThat(data).containsOnlyKeys("msteams-url", "event-webhook-url")
        .containsEntry("msteams-url", "https://example.webhook.office.com/webhookb2/abc");

    String checksum = deployment(r).getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/secret");
    String changed = deployment(render(ChartValues.NOTIFIERS.replace("abc", "xyz"))).getSpec().getTemplate()
        .getMetadata().getAnnotations().get("checksum/secret");
    assertThat(checksum).as("a changed URL restarts the pod").isNotBlank().isNotEqualTo(changed);
  }

  @Test
  void routerJvmAndPodOptionsReachTheDeployment() {
    Rendered r = render(ChartValues.GATEWAY_AND_POD_OPTIONS);
    Deployment d = deployment(r);
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    Container c = container(r);
    assertThat(c.getArgs()).contains("--mesh-provider=gatewayapi:v1",
        "--metrics-server=https://prometheus.monitoring.svc:9091", "--selector-labels=app.kubernetes.io/name,app",
        "--max-concurrent-reconciles=16", "--max-concurrent-syncs=3", "--max-progressing-canaries=3", "--log-format=text",
        "--log-level=debug", "--listen-address=0.0.0.0");
    assertThat(c.getArgs()).doesNotContain("--enable-config-tracking=false");
    assertThat(c.getArgs()).last().isEqualTo("--listen-address=0.0.0.0");
    assertThat(env(c, "JDK_JAVA_OPTIONS")).get().extracting(EnvVar::getValue)
        .isEqualTo("-XX:MaxRAMPercentage=60");
    assertThat(env(c, "EXTRA")).get().extracting(EnvVar::getValue).isEqualTo("1");
    assertThat(c.getImage()).isEqualTo("ghcr.io/bunting-dev/bunting:0.1.0-rc.1@sha256:"
        + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    assertThat(pod.getImagePullSecrets()).singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo("ghcr-pull"));
    assertThat(pod.getPriorityClassName()).isEqualTo("system-cluster-critical");
    assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/os", "linux");
    assertThat(pod.getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("dedicated"));
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("team", "platform");
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("example.com/owner", "platform");
    assertThat(c.getResources().getRequests().get("memory").toString()).isEqualTo("512Mi");
    Service svc = r.only("Service", Service.class);
    assertThat(svc.getSpec().getPorts().get(0).getPort()).isEqualTo(9090);
    assertThat(svc.getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo("http");
    assertThat(r.only("ServiceAccount", ServiceAccount.class).getMetadata().getAnnotations())
        .containsKey("eks.amazonaws.com/role-arn");
  }

  @Test
  void configTrackingOffDropsTheFlagAndTheRightToWriteConfigs() {
    Rendered on = render(ChartValues.DEFAULTS);
    Rendered off = render("configTracking: {enabled: false}\n");
    assertThat(container(off).getArgs()).contains("--enable-config-tracking=false");
    assertThat(configRule(on).getVerbs()).contains("create", "patch");
    assertThat(configRule(off).getVerbs()).containsExactly("get", "list", "watch");
  }

  @Test
  void theUiIsOnByDefaultWithTheRightsItsActionsNeedAndOffWithoutThem() {
    Rendered on = render(ChartValues.DEFAULTS);
    Rendered off = render("ui: {enabled: false}\n");
    assertThat(container(on).getArgs()).contains("--ui=true");
    assertThat(container(off).getArgs()).contains("--ui=false");
    List<PolicyRule> canary = rules(on, "ClusterRole", RELEASE + "-canary");
    assertThat(canary).anySatisfy(rule -> {
      assertThat(rule.getApiGroups()).containsExactly("authentication.k8s.io");
      assertThat(rule.getResources()).containsExactly("tokenreviews");
      assertThat(rule.getVerbs()).containsExactly("create");
    });
    assertThat(canary).anySatisfy(rule -> {
      assertThat(rule.getApiGroups()).containsExactly("authorization.k8s.io");
      assertThat(rule.getResources()).containsExactly("subjectaccessreviews");
      assertThat(rule.getVerbs()).containsExactly("create");
    });
    assertThat(canary).anySatisfy(rule -> {
      assertThat(rule.getResources()).containsExactly("canaries");
      assertThat(rule.getVerbs()).containsExactly("patch");
    });
    assertThat(canary).filteredOn(rule -> rule.getResources().contains("events")).singleElement()
        .satisfies(rule -> assertThat(rule.getVerbs()).containsExactly("create", "get", "patch", "list"));
    List<PolicyRule> without = rules(off, "ClusterRole", RELEASE + "-canary");
    assertThat(without).noneMatch(rule -> rule.getResources().contains("tokenreviews")
        || rule.getResources().contains("subjectaccessreviews")
        || rule.getResources().contains("canaries") && rule.getVerbs().contains("patch"));
    assertThat(without).filteredOn(rule -> rule.getResources().contains("events")).singleElement()
        .satisfies(rule -> assertThat(rule.getVerbs()).containsExactly("create", "get", "patch"));
  }

  private static PolicyRule configRule(Rendered r) {
    return rules(r, "ClusterRole", RELEASE + "-canary").stream()
        .filter(rule -> rule.getResources().contains("configmaps")).findFirst().orElseThrow();
  }

  private static List<PolicyRule> rules(Rendered r, String kind, String name) {
    return kind.equals("Role") ? r.typed(kind, name, Role.class).getRules()
        : r.typed(kind, name, ClusterRole.class).getRules();
  }

  private static boolean impersonates(List<PolicyRule> rules) {
    return rules.stream().anyMatch(rule -> rule.getVerbs().contains("impersonate"));
  }

  private static boolean watchesEverything(List<PolicyRule> rules) {
    return rules.stream().anyMatch(rule -> rule.getResources().contains("*"));
  }

  @Test
  void gitSyncRightsFollowTheChosenModel() {
    Rendered impersonation = render(ChartValues.DEFAULTS);
    List<PolicyRule> gitsync = rules(impersonation, "ClusterRole", "bunting-gitsync");
    assertThat(impersonates(gitsync)).as("default: no ServiceAccount of any namespace").isFalse();
    assertThat(impersonation.ofKind("Role")).extracting(o -> o.getMetadata().getName())
        .as("no namespace listed, no impersonation Role").containsExactly("bunting-leader-election");
    assertThat(watchesEverything(gitsync)).as("default: named kinds, no wildcard").isFalse();
    assertThat(gitsync).noneMatch(rule -> rule.getApiGroups().contains("*"));
    assertThat(gitsync).filteredOn(rule -> rule.getResources().contains("secrets"))
        .allSatisfy(rule -> assertThat(rule.getVerbs()).as("Git credentials: get only").containsExactly("get"));
    assertThat(gitsync).filteredOn(rule -> rule.getApiGroups().contains("apps"))
        .anySatisfy(rule -> assertThat(rule.getResources()).contains("deployments", "statefulsets", "daemonsets"));
    assertThat(impersonation.ofKind("ClusterRoleBinding")).extracting(o -> o.getMetadata().getName())
        .doesNotContain("bunting-cluster-admin");

    List<PolicyRule> watchAll = rules(render(ChartValues.GITSYNC_WATCH_ALL), "ClusterRole", "bunting-gitsync");
    assertThat(watchAll).filteredOn(rule -> rule.getResources().contains("*")).singleElement()
        .satisfies(rule -> assertThat(rule.getVerbs()).containsExactlyInAnyOrder("list", "watch"));
    List<PolicyRule> extra = rules(render("gitsync:\n  watchResources: [{apiGroups: [cert-manager.io], resources:"
        + " [certificates, issuers]}]\n"), "ClusterRole", "bunting-gitsync");
    assertThat(extra).filteredOn(rule -> rule.getApiGroups().equals(List.of("cert-manager.io"))).singleElement()
        .satisfies(rule -> {
          assertThat(rule.getResources()).containsExactly("certificates", "issuers");
          assertThat(rule.getVerbs()).containsExactly("list", "watch");
        });
    assertThat(impersonates(rules(render(ChartValues.IMPERSONATE_ALL_NAMESPACES), "ClusterRole", "bunting-gitsync")))
        .as("opt-in: every namespace").isTrue();

    GenericKubernetesResource policy = impersonation.find("ValidatingAdmissionPolicy",
        "bunting-gitsync-service-account").orElseThrow();
    assertThat(policy.<String>get("spec", "validations", 0, "expression")).contains("object.spec.serviceAccountName");
    assertThat(impersonation.find("ValidatingAdmissionPolicyBinding", "bunting-gitsync-service-account")
        .orElseThrow().<Object>get("spec", "matchResources")).as("cluster-wide").isNull();

    Rendered admin = render(ChartValues.GITSYNC_CLUSTER_ADMIN);
    assertThat(admin.kinds()).as("cluster-admin GitSyncs may omit the ServiceAccount")
        .doesNotContain("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");
    ClusterRoleBinding toAdmin = admin.typed("ClusterRoleBinding", "bunting-cluster-admin", ClusterRoleBinding.class);
    assertThat(toAdmin.getRoleRef().getName()).isEqualTo("cluster-admin");
    assertThat(impersonates(rules(admin, "ClusterRole", "bunting-gitsync"))).isFalse();
    assertThat(watchesEverything(rules(admin, "ClusterRole", "bunting-gitsync"))).isFalse();

    Rendered namespacedAdmin = render(ChartValues.GITSYNC_CLUSTER_ADMIN + ChartValues.namespaced("apps"));
    RoleBinding inApps = namespacedAdmin.typed("RoleBinding", "bunting-cluster-admin", RoleBinding.class);
    assertThat(inApps.getMetadata().getNamespace()).isEqualTo("apps");
    assertThat(inApps.getRoleRef().getKind()).isEqualTo("ClusterRole");
    assertThat(inApps.getRoleRef().getName()).isEqualTo("cluster-admin");
    assertThat(namespacedAdmin.ofKind("ClusterRoleBinding")).extracting(o -> o.getMetadata().getName())
        .as("no cluster-wide binding to cluster-admin").containsExactlyInAnyOrder("bunting-crds", "bunting-ui");

    Rendered someNamespaces = render(ChartValues.impersonateOnly(List.of("team-a", "team-b"))
        + "  impersonateServiceAccountNames: [gitsync]\n");
    assertThat(impersonates(rules(someNamespaces, "ClusterRole", "bunting-gitsync"))).isFalse();
    List<GenericKubernetesResource> impersonating = someNamespaces.ofKind("Role").stream()
        .filter(o -> !o.getMetadata().getName().endsWith("-leader-election")).toList();
    assertThat(impersonating).extracting(o -> o.getMetadata().getNamespace())
        .containsExactlyInAnyOrder("team-a", "team-b");
    for (GenericKubernetesResource role : impersonating) {
      Role typed = SERIALIZATION.convertValue(role, Role.class);
      assertThat(typed.getRules()).singleElement().satisfies(rule -> {
        assertThat(rule.getVerbs()).containsExactly("impersonate");
        assertThat(rule.getResourceNames()).containsExactly("gitsync");
      });
    }
  }

  @Test
  void monitorsSelectTheControllersServiceAndPods() {
    Rendered r = render(ChartValues.MONITORING);
    Service svc = r.only("Service", Service.class);
    Map<String, String> podLabels = deployment(r).getSpec().getTemplate().getMetadata().getLabels();

    GenericKubernetesResource sm = r.ofKind("ServiceMonitor").get(0);
    assertThat(sm.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
    assertThat(svc.getMetadata().getLabels()).containsAllEntriesOf(sm.<Map<String, String>>get("spec", "selector",
        "matchLabels"));
    assertThat(sm.<String>get("spec", "endpoints", 0, "port")).isEqualTo("http");
    assertThat(sm.<String>get("spec", "endpoints", 0, "interval")).isEqualTo("30s");
    assertThat(sm.<String>get("spec", "endpoints", 0, "path")).isEqualTo("/metrics");
    assertThat(sm.<List<String>>get("spec", "namespaceSelector", "matchNames")).containsExactly(NS);

    GenericKubernetesResource pm = r.ofKind("PodMonitor").get(0);
    assertThat(podLabels).containsAllEntriesOf(pm.<Map<String, String>>get("spec", "selector", "matchLabels"));
    assertThat(pm.<String>get("spec", "podMetricsEndpoints", 0, "port")).isEqualTo("http");
  }

  @Test
  void withoutRbacTheControllerUsesTheGivenServiceAccountAndTheChartCreatesNoRbacObjects() {
    Rendered r = render(ChartValues.NO_RBAC);
    assertThat(r.kinds()).containsExactlyInAnyOrder("Service", "Deployment", "PodDisruptionBudget",
        "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");
    assertThat(deployment(r).getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("bunting-existing");
  }
}
