package dev.bunting.chart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.Condition;
import dev.bunting.api.GitSync;
import dev.bunting.canary.CanaryScenarios;
import dev.bunting.cli.BuntingApp;
import dev.bunting.cli.ControllerOptions;
import dev.bunting.gitops.TestRepo;
import dev.bunting.testing.GatewayStatusController;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.TestNamespace;
import dev.bunting.testing.ThirdPartyCrds;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The controller itself, running with nothing but the chart's RBAC: a namespaced install is rendered and its
 * ServiceAccount, Roles and bindings created; Bunting starts in the test JVM authenticated with that ServiceAccount's
 * token (as in its pod) and runs real releases and a Git sync. Starting proves every informer may list and watch; the
 * releases prove the canary engine's writes (server-side applied primaries, Services and HTTPRoutes, scaling, status,
 * finalizers, Events); the GitSync proves impersonation of its ServiceAccount and the status writes. Anything
 * the chart forgot shows up here as a forbidden request, even if {@link ChartRbacClusterTest}'s list forgot it too.
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.GATEWAY_API)
class ChartControllerClusterTest {
  private static final Duration RELEASE = Duration.ofMinutes(3);

  static TestCluster cluster;
  @TestNamespace static String namespace;
  static String release;
  static GatewayStatusController gateway;
  static BuntingApp bunting;

  @BeforeAll
  static void startUnderTheChartsRbac() throws Exception {
    release = namespace;
    Rendered rendered = HelmChart.template(release, namespace, ChartValues.namespaced(namespace));
    Path rbac = HelmChart.writeTemp("rbac-", ".yaml",
        rendered.yamlWithout("Deployment", "Service", "Secret", "ServiceMonitor", "PodMonitor"));
    cluster.kubectl("apply", "--server-side", "--field-manager=bunting-chart-test", "-f", rbac.toString())
        .assertSuccess();
    String serviceAccount = release + "-bunting";
    String token = cluster.kubectl("create", "token", serviceAccount, "--namespace=" + namespace, "--duration=1h")
        .assertSuccess().stdout().trim();

    Config admin = cluster.client().getConfiguration();
    Config asServiceAccount = Config.fromKubeconfig("""
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
        users: [{name: u, user: {token: "%s"}}]
        contexts: [{name: c, context: {cluster: c, user: u}}]
        current-context: c
        """.formatted(admin.getMasterUrl().replaceAll("/$", ""), token));

    gateway = new GatewayStatusController(cluster.client(), cluster.vertx(), namespace);
    gateway.start();

    // the arguments the chart's Deployment passes (namespaced install, default router, leader election with the
    // Lease named after the Deployment in the release namespace)
    ControllerOptions options = ControllerOptions.defaults();
    options.namespace = namespace;
    options.meshProvider = "kubernetes";
    options.port = 0;
    options.listenAddress = "127.0.0.1";
    options.leaderElect = true;
    options.leaderElectionNamespace = namespace;
    options.leaderElectionId = serviceAccount;
    bunting = new BuntingApp(cluster.vertx(), options, asServiceAccount, Clock.systemUTC()).start()
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    org.awaitility.Awaitility.await("it takes the Lease under the chart's RBAC").atMost(Duration.ofSeconds(30))
        .until(bunting::acting);
  }

  @AfterAll
  static void stop() throws Exception {
    if (bunting != null) {
      bunting.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    if (gateway != null) {
      gateway.close();
    }
    if (release != null) {
      cluster.kubectl("delete", "clusterrole,clusterrolebinding,validatingadmissionpolicy,"
          + "validatingadmissionpolicybinding", "-l", "app.kubernetes.io/instance=" + release,
          "--ignore-not-found");
    }
  }

  private static String deployment(String name, String tag) {
    return CanaryScenarios.deployment(name, tag);
  }

  private static void setImage(String name, String tag) {
    CanaryScenarios.setImage(cluster, name, tag);
  }

  private static Canary canary(String name) {
    return cluster.client().resources(Canary.class).inNamespace(namespace).withName(name).get();
  }

  private static CanaryPhase phase(String name) {
    Canary c = canary(name);
    return c == null || c.getStatus() == null ? null : c.getStatus().phase;
  }

  private static Deployment get(String name) {
    return cluster.client().apps().deployments().inNamespace(namespace).withName(name).get();
  }

  private static String image(String name) {
    return get(name).getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private static List<Event> events(String canary) {
    return cluster.client().v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> "Canary".equals(e.getInvolvedObject().getKind()) && canary.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  @Test
  void aBlueGreenReleaseWithRevertOnDeletionRunsToTheEnd() {
    String name = "bluegreen";
    cluster.apply(deployment(name, "6.0.0"));
    cluster.apply("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: %1$s
        spec:
          provider: kubernetes
          revertOnDeletion: true
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: %1$s}
          service:
            port: 9898
          analysis:
            interval: 5s
            threshold: 1
            iterations: 1
        """.formatted(name));

    cluster.await(RELEASE).untilAsserted(() -> assertThat(phase(name)).isEqualTo(CanaryPhase.INITIALIZED));
    assertThat(canary(name).getMetadata().getFinalizers()).as("finalizer written (update canaries)")
        .contains(Canary.FINALIZER);
    assertThat(get(name + "-primary").getMetadata().getOwnerReferences()).singleElement()
        .satisfies(ref -> assertThat(ref.getKind()).isEqualTo("Canary"));
    assertThat(cluster.client().services().inNamespace(namespace).withName(name + "-canary").get()).isNotNull();

    setImage(name, "6.0.1");

    cluster.await(RELEASE).untilAsserted(() -> assertThat(phase(name)).isEqualTo(CanaryPhase.SUCCEEDED));
    assertThat(image(name + "-primary")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");
    assertThat(get(name).getSpec().getReplicas()).as("target scaled to zero (patch deployments)").isZero();
    assertThat(events(name)).as("Events recorded (create events)").isNotEmpty()
        .allSatisfy(e -> assertThat(e.getReportingComponent()).isEqualTo("bunting"));

    cluster.client().resources(Canary.class).inNamespace(namespace).withName(name).delete();

    cluster.await(RELEASE).untilAsserted(() -> assertThat(canary(name))
        .as("finalized and its finalizer removed by the controller").isNull());
    assertThat(get(name).getSpec().getReplicas()).as("revertOnDeletion scaled the target back up").isPositive();
  }

  @Test
  void aGatewayApiReleaseShiftsTheHttpRoutesWeights() {
    String name = "gateway";
    cluster.apply(deployment(name, "6.0.0"));
    cluster.apply("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: %1$s
        spec:
          provider: gatewayapi:v1
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: %1$s}
          service:
            port: 9898
            gatewayRefs: [{name: public-gateway}]
          analysis:
            interval: 5s
            threshold: 1
            stepWeight: 50
            maxWeight: 50
        """.formatted(name));

    cluster.await(RELEASE).untilAsserted(() -> assertThat(phase(name)).isEqualTo(CanaryPhase.INITIALIZED));
    GenericKubernetesResource route = cluster.client().genericKubernetesResources(GatewayStatusController.HTTP_ROUTES)
        .inNamespace(namespace).withName(name).get();
    assertThat(route).as("HTTPRoute created (create httproutes)").isNotNull();
    long generation = route.getMetadata().getGeneration();

    setImage(name, "6.0.1");

    cluster.await(RELEASE).untilAsserted(() -> assertThat(phase(name)).isEqualTo(CanaryPhase.SUCCEEDED));
    assertThat(image(name + "-primary")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");
    GenericKubernetesResource after = cluster.client().genericKubernetesResources(GatewayStatusController.HTTP_ROUTES)
        .inNamespace(namespace).withName(name).get();
    assertThat(after.getMetadata().getGeneration()).as("weights moved and back (patch httproutes)")
        .isGreaterThan(generation);
    assertThat(after.getMetadata().getManagedFields()).extracting(f -> f.getManager()).contains("bunting");
    Map<String, Object> backToPrimary = after.get("spec", "rules", 0, "backendRefs", 0);
    assertThat(backToPrimary).containsEntry("name", name + "-primary").containsEntry("weight", 100);
  }

  private static Condition gitSyncReady(String name) {
    GitSync gs = cluster.client().resources(GitSync.class).inNamespace(namespace).withName(name).get();
    if (gs == null || gs.getStatus() == null || gs.getStatus().conditions == null) {
      return null;
    }
    return gs.getStatus().conditions.stream().filter(c -> Condition.READY.equals(c.type)).findFirst().orElse(null);
  }

  /**
   * The chart lets the controller list and watch only the kinds GitSyncs usually apply (no wildcard, no Secrets across
   * the cluster). A GitSync that applies another kind (here PodTemplates) is not applied at all and says which grant
   * is missing and which value adds it; once the chart is rendered with that value, the next sync applies it.
   */
  @Test
  void aGitSyncApplyingAKindBuntingMayNotWatchSaysWhichValueToSetAndWorksOnceItIsSet() throws Exception {
    cluster.apply("""
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: templater}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: podtemplates-only}
        rules: [{apiGroups: [""], resources: [podtemplates], verbs: [get, list, watch, create, update, patch, delete]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: templater}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: podtemplates-only}
        subjects: [{kind: ServiceAccount, name: templater, namespace: %s}]
        """.formatted(namespace));
    Path dir = Files.createTempDirectory("chart-gitsync-");
    try (TestRepo repo = TestRepo.create(dir)) {
      repo.write("app/template.yaml", """
          apiVersion: v1
          kind: PodTemplate
          metadata: {name: from-git}
          template:
            metadata: {labels: {app: from-git}}
            spec:
              containers: [{name: app, image: ghcr.io/stefanprodan/podinfo:6.0.0}]
          """);
      repo.commit("a PodTemplate");
      cluster.apply("""
          apiVersion: bunting.dev/v1alpha1
          kind: GitSync
          metadata: {name: templates}
          spec:
            url: %s
            path: app
            interval: 1h
            serviceAccountName: templater
          """.formatted(repo.url()));

      cluster.await(RELEASE).untilAsserted(() -> {
        Condition ready = gitSyncReady("templates");
        assertThat(ready).isNotNull();
        assertThat(ready.status).isEqualTo("False");
        assertThat(ready.message).contains("Bunting may not list and watch podtemplates in namespace " + namespace,
            "gitsync.watchResources", "resources: [\"podtemplates\"]");
      });
      assertThat(cluster.client().genericKubernetesResources("v1", "PodTemplate").inNamespace(namespace)
          .withName("from-git").get()).as("nothing applied").isNull();

      Rendered widened = HelmChart.template(release, namespace, ChartValues.namespaced(namespace)
          + "gitsync:\n  watchResources: [{apiGroups: [\"\"], resources: [podtemplates]}]\n");
      Path rbac = HelmChart.writeTemp("rbac-", ".yaml", widened.yamlWithout("Deployment", "Service", "Secret",
          "ServiceMonitor", "PodMonitor"));
      cluster.kubectl("apply", "--server-side", "--field-manager=bunting-chart-test", "-f", rbac.toString())
          .assertSuccess();
      cluster.client().resources(GitSync.class).inNamespace(namespace).withName("templates").edit(gs -> {
        gs.getMetadata().setAnnotations(Map.of(GitSync.REQUESTED_AT, String.valueOf(System.nanoTime())));
        return gs;
      });

      cluster.await(RELEASE).untilAsserted(() -> {
        Condition ready = gitSyncReady("templates");
        assertThat(ready.status).as(ready.message).isEqualTo("True");
      });
      assertThat(cluster.client().genericKubernetesResources("v1", "PodTemplate").inNamespace(namespace)
          .withName("from-git").get()).isNotNull();
    }
  }

  /**
   * A GitSync with {@code serviceAccountName} applies as that account (the controller impersonates only the user; the
   * API server adds the account's groups), under the chart's RBAC, which has no right to impersonate groups.
   */
  @Test
  void aGitSyncAppliesAsItsServiceAccountAndNoMore() throws Exception {
    cluster.apply("""
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: deployer}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: configmaps-only}
        rules: [{apiGroups: [""], resources: [configmaps], verbs: [get, list, watch, create, update, patch, delete]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: deployer}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: configmaps-only}
        subjects: [{kind: ServiceAccount, name: deployer, namespace: %s}]
        """.formatted(namespace));
    Path dir = Files.createTempDirectory("chart-gitsync-");
    try (TestRepo repo = TestRepo.create(dir)) {
      repo.write("app/settings.yaml", """
          apiVersion: v1
          kind: ConfigMap
          metadata: {name: from-git}
          data: {color: blue}
          """);
      String commit = repo.commit("settings");
      cluster.apply("""
          apiVersion: bunting.dev/v1alpha1
          kind: GitSync
          metadata: {name: settings}
          spec:
            url: %s
            path: app
            interval: 1h
            prune: true
            serviceAccountName: deployer
          """.formatted(repo.url()));

      cluster.await(RELEASE).untilAsserted(() -> {
        Condition ready = gitSyncReady("settings");
        assertThat(ready).as("GitSync status written (patch gitsyncs/status)").isNotNull();
        assertThat(ready.status).as(ready.message).isEqualTo("True");
      });
      ConfigMap applied = cluster.client().configMaps().inNamespace(namespace).withName("from-git").get();
      assertThat(applied.getData()).containsEntry("color", "blue");
      assertThat(applied.getMetadata().getManagedFields()).extracting(f -> f.getManager()).contains("bunting-gitops");
      assertThat(cluster.client().resources(GitSync.class).inNamespace(namespace).withName("settings").get()
          .getStatus().lastAppliedRevision).contains(commit);

      repo.write("app/role.yaml", """
          apiVersion: rbac.authorization.k8s.io/v1
          kind: Role
          metadata: {name: not-for-deployer}
          rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
          """);
      repo.commit("a Role the deployer may not create");
      cluster.client().resources(GitSync.class).inNamespace(namespace).withName("settings").edit(gs -> {
        gs.getMetadata().setAnnotations(Map.of(GitSync.REQUESTED_AT, String.valueOf(System.nanoTime())));
        return gs;
      });

      cluster.await(RELEASE).untilAsserted(() -> {
        Condition ready = gitSyncReady("settings");
        assertThat(ready.status).isEqualTo("False");
        assertThat(ready.message).contains("system:serviceaccount:" + namespace + ":deployer");
      });
      assertThat(cluster.client().rbac().roles().inNamespace(namespace).withName("not-for-deployer").get()).isNull();
    }
  }
}
