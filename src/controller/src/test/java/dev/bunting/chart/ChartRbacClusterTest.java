package dev.bunting.chart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.TestNamespace;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart's RBAC, created for real (ServiceAccount, ClusterRoles/Roles and bindings from {@code helm template}),
 * judged by the API server's own RBAC authorizer: for every request the controller makes, the question {@code kubectl
 * auth can-i <verb> <resource> --as=system:serviceaccount:<ns>:<sa>} asks (a SelfSubjectAccessReview under
 * impersonation) (and, as evidence of least privilege, for requests it must not be able to
 * make). Impersonation for GitSync is exercised end to end with the ServiceAccount's own token.
 *
 * <p>{@link #CANARY} and {@link #GITSYNC} list the controller's API requests. Keep them in step with the code: the
 * informers of {@code cli.BuntingApp} (all made by {@code kube.Informers}), the writes of {@code kube.Applier},
 * {@code canary.CanaryEffects}, {@code kube.StatusWriter} (Canary and GitSync status), {@code kube.EventRecorder}, and
 * GitSync's Secret reads and {@code ManagedObjects} watches. {@code ChartControllerClusterTest} runs the controller
 * itself under these rules, which catches what this list misses.
 */
@LocalCluster
class ChartRbacClusterTest {
  static TestCluster cluster;
  @TestNamespace static String namespace;
  static String other;
  static final List<String> RELEASES = new ArrayList<>();

  /** Where a request is made: across all namespaces (informers), in one namespace, or cluster-scoped. */
  enum Scope { ALL_NAMESPACES, NAMESPACE, CLUSTER }

  /** One API request: verb, resource (with group, as kubectl names it), optional subresource and name, scope. */
  record Request(String verb, String resource, String subresource, String name, Scope scope) {
    static Request watchAll(String verb, String resource) {
      return new Request(verb, resource, null, null, Scope.ALL_NAMESPACES);
    }

    static Request in(String verb, String resource) {
      return new Request(verb, resource, null, null, Scope.NAMESPACE);
    }

    static Request in(String verb, String resource, String subresource) {
      return new Request(verb, resource, subresource, null, Scope.NAMESPACE);
    }

    static Request named(String verb, String resource, String name) {
      return new Request(verb, resource, null, name, Scope.NAMESPACE);
    }

    static Request cluster(String verb, String resource) {
      return new Request(verb, resource, null, null, Scope.CLUSTER);
    }

    /** The same request confined to one namespace (what a namespaced install's informers do). */
    Request inNamespace() {
      return scope == Scope.ALL_NAMESPACES ? new Request(verb, resource, subresource, name, Scope.NAMESPACE) : this;
    }

    @Override
    public String toString() {
      return verb + " " + resource + (subresource == null ? "" : "/" + subresource) + (name == null ? "" : " " + name)
          + " (" + scope + ")";
    }
  }

  /** What the canary engine asks the API server. */
  static final List<Request> CANARY = List.of(
      Request.watchAll("list", "canaries.flagger.app"),
      Request.watchAll("watch", "canaries.flagger.app"),
      Request.watchAll("list", "metrictemplates.flagger.app"),
      Request.watchAll("watch", "metrictemplates.flagger.app"),
      Request.watchAll("list", "alertproviders.flagger.app"),
      Request.watchAll("watch", "alertproviders.flagger.app"),
      Request.in("update", "canaries.flagger.app"),
      Request.in("update", "canaries.flagger.app", "status"),
      Request.in("patch", "canaries.flagger.app", "status"),
      Request.in("update", "canaries.flagger.app", "finalizers"),
      Request.watchAll("list", "deployments.apps"),
      Request.watchAll("watch", "deployments.apps"),
      Request.in("create", "deployments.apps"),
      Request.in("patch", "deployments.apps"),
      Request.watchAll("list", "daemonsets.apps"),
      Request.watchAll("watch", "daemonsets.apps"),
      Request.in("create", "daemonsets.apps"),
      Request.in("patch", "daemonsets.apps"),
      Request.watchAll("list", "statefulsets.apps"),
      Request.watchAll("watch", "statefulsets.apps"),
      Request.in("create", "statefulsets.apps"),
      Request.in("patch", "statefulsets.apps"),
      Request.watchAll("list", "services.serving.knative.dev"),
      Request.watchAll("watch", "services.serving.knative.dev"),
      Request.in("patch", "services.serving.knative.dev"),
      Request.watchAll("list", "revisions.serving.knative.dev"),
      Request.watchAll("watch", "revisions.serving.knative.dev"),
      Request.watchAll("list", "scaledobjects.keda.sh"),
      Request.watchAll("watch", "scaledobjects.keda.sh"),
      Request.in("create", "scaledobjects.keda.sh"),
      Request.in("patch", "scaledobjects.keda.sh"),
      Request.in("list", "replicasets.apps"),
      Request.watchAll("list", "services"),
      Request.watchAll("watch", "services"),
      Request.in("create", "services"),
      Request.in("patch", "services"),
      Request.watchAll("list", "secrets"),
      Request.watchAll("watch", "secrets"),
      Request.in("create", "secrets"),
      Request.in("patch", "secrets"),
      Request.watchAll("list", "configmaps"),
      Request.watchAll("watch", "configmaps"),
      Request.in("create", "configmaps"),
      Request.in("patch", "configmaps"),
      Request.watchAll("list", "horizontalpodautoscalers.autoscaling"),
      Request.watchAll("watch", "horizontalpodautoscalers.autoscaling"),
      Request.in("create", "horizontalpodautoscalers.autoscaling"),
      Request.in("patch", "horizontalpodautoscalers.autoscaling"),
      Request.in("create", "events"),
      Request.in("get", "events"),
      Request.in("patch", "events"),
      // the UI (ui.enabled, the default): a canary's Events, the action annotation, who holds a token and may act
      Request.in("list", "events"),
      Request.in("patch", "canaries.flagger.app"),
      Request.cluster("create", "tokenreviews.authentication.k8s.io"),
      Request.cluster("create", "subjectaccessreviews.authorization.k8s.io"),
      Request.watchAll("list", "httproutes.gateway.networking.k8s.io"),
      Request.watchAll("watch", "httproutes.gateway.networking.k8s.io"),
      Request.in("create", "httproutes.gateway.networking.k8s.io"),
      Request.in("patch", "httproutes.gateway.networking.k8s.io"),
      Request.watchAll("list", "virtualservices.networking.istio.io"),
      Request.watchAll("watch", "virtualservices.networking.istio.io"),
      Request.in("create", "virtualservices.networking.istio.io"),
      Request.in("patch", "virtualservices.networking.istio.io"),
      Request.watchAll("list", "destinationrules.networking.istio.io"),
      Request.watchAll("watch", "destinationrules.networking.istio.io"),
      Request.in("create", "destinationrules.networking.istio.io"),
      Request.in("patch", "destinationrules.networking.istio.io"),
      Request.watchAll("list", "trafficsplits.split.smi-spec.io"),
      Request.watchAll("watch", "trafficsplits.split.smi-spec.io"),
      Request.in("create", "trafficsplits.split.smi-spec.io"),
      Request.in("patch", "trafficsplits.split.smi-spec.io"),
      Request.watchAll("list", "traefikservices.traefik.io"),
      Request.watchAll("watch", "traefikservices.traefik.io"),
      Request.in("create", "traefikservices.traefik.io"),
      Request.in("patch", "traefikservices.traefik.io"),
      Request.watchAll("list", "ingresses.networking.k8s.io"),
      Request.watchAll("watch", "ingresses.networking.k8s.io"),
      Request.in("create", "ingresses.networking.k8s.io"),
      Request.in("patch", "ingresses.networking.k8s.io"),
      Request.watchAll("list", "httpproxies.projectcontour.io"),
      Request.watchAll("watch", "httpproxies.projectcontour.io"),
      Request.in("create", "httpproxies.projectcontour.io"),
      Request.in("patch", "httpproxies.projectcontour.io"),
      Request.watchAll("list", "routetables.gateway.solo.io"),
      Request.watchAll("watch", "routetables.gateway.solo.io"),
      Request.in("create", "routetables.gateway.solo.io"),
      Request.in("patch", "routetables.gateway.solo.io"),
      Request.watchAll("list", "upstreams.gloo.solo.io"),
      Request.watchAll("watch", "upstreams.gloo.solo.io"),
      Request.in("create", "upstreams.gloo.solo.io"),
      Request.in("patch", "upstreams.gloo.solo.io"),
      Request.watchAll("list", "apisixroutes.apisix.apache.org"),
      Request.watchAll("watch", "apisixroutes.apisix.apache.org"),
      Request.in("create", "apisixroutes.apisix.apache.org"),
      Request.in("patch", "apisixroutes.apisix.apache.org"),
      Request.cluster("get", "customresourcedefinitions.apiextensions.k8s.io"));

  /** The routing kinds that are cluster-scoped (kuma's TrafficRoute): only a cluster-wide install can write them. */
  static final List<Request> CLUSTER_SCOPED_ROUTES = List.of(
      Request.cluster("list", "trafficroutes.kuma.io"),
      Request.cluster("watch", "trafficroutes.kuma.io"),
      Request.cluster("create", "trafficroutes.kuma.io"),
      Request.cluster("patch", "trafficroutes.kuma.io"));

  /** What the GitSync engine (and the ImagePolicy engine on it) asks with its own identity (applies: impersonation). */
  static final List<Request> GITSYNC = List.of(
      Request.watchAll("list", "gitsyncs.bunting.dev"),
      Request.watchAll("watch", "gitsyncs.bunting.dev"),
      Request.in("update", "gitsyncs.bunting.dev"),
      Request.in("patch", "gitsyncs.bunting.dev"),
      Request.in("update", "gitsyncs.bunting.dev", "status"),
      Request.watchAll("list", "imagepolicies.bunting.dev"),
      Request.watchAll("watch", "imagepolicies.bunting.dev"),
      Request.in("update", "imagepolicies.bunting.dev", "status"),
      Request.in("get", "secrets"),
      Request.watchAll("list", "horizontalpodautoscalers.autoscaling"),
      Request.watchAll("watch", "horizontalpodautoscalers.autoscaling"),
      Request.in("create", "events"),
      Request.in("get", "events"),
      Request.in("patch", "events"));

  /** Leader election (--leader-elect): the Lease, in the release namespace only; fabric8 renews it with a patch. */
  static final List<Request> LEADER_ELECTION = List.of(
      Request.in("get", "leases.coordination.k8s.io"),
      Request.in("create", "leases.coordination.k8s.io"),
      Request.in("patch", "leases.coordination.k8s.io"));

  /** Impersonating a GitSync's ServiceAccount: where and whom depends on the gitsync.impersonate* values. */
  static final Request IMPERSONATE = Request.in("impersonate", "serviceaccounts");

  /**
   * Kinds GitSyncs usually apply, which ManagedObjects then watches with the controller's identity: the chart grants
   * them by default (bunting.rules.gitsyncWatch), without any wildcard.
   */
  static final List<Request> GITSYNC_WATCHES = List.of(
      Request.watchAll("list", "networkpolicies.networking.k8s.io"),
      Request.watchAll("watch", "networkpolicies.networking.k8s.io"),
      Request.watchAll("list", "roles.rbac.authorization.k8s.io"),
      Request.watchAll("watch", "roles.rbac.authorization.k8s.io"),
      Request.cluster("list", "clusterroles.rbac.authorization.k8s.io"),
      Request.watchAll("list", "ingresses.networking.k8s.io"),
      Request.watchAll("watch", "statefulsets.apps"),
      Request.watchAll("watch", "cronjobs.batch"),
      Request.watchAll("watch", "poddisruptionbudgets.policy"),
      Request.watchAll("watch", "serviceaccounts"),
      Request.watchAll("watch", "servicemonitors.monitoring.coreos.com"),
      Request.cluster("watch", "namespaces"),
      Request.cluster("watch", "customresourcedefinitions.apiextensions.k8s.io"));

  /** What only the opt-in gitsync.watchAll grants the GitSync role: every kind, Secrets across all namespaces. */
  static final List<Request> WATCH_ALL_ONLY = List.of(
      Request.watchAll("list", "secrets"),
      Request.watchAll("watch", "secrets"),
      Request.watchAll("list", "pods"),
      Request.watchAll("list", "certificates.cert-manager.io"),
      Request.watchAll("list", "*"),
      Request.watchAll("watch", "*"));

  /** Requests the controller never makes and must not be able to make. */
  static final List<Request> NEVER = List.of(
      Request.in("delete", "canaries.flagger.app"),
      Request.in("delete", "gitsyncs.bunting.dev"),
      Request.in("create", "canaries.flagger.app"),
      Request.in("update", "metrictemplates.flagger.app"),
      Request.in("update", "deployments.apps"),
      Request.in("delete", "deployments.apps"),
      Request.in("delete", "statefulsets.apps"),
      Request.in("create", "services.serving.knative.dev"),
      Request.in("patch", "revisions.serving.knative.dev"),
      Request.in("delete", "services"),
      Request.in("delete", "secrets"),
      Request.in("update", "secrets"),
      Request.in("delete", "configmaps"),
      Request.in("get", "networkpolicies.networking.k8s.io"),
      Request.in("create", "networkpolicies.networking.k8s.io"),
      Request.in("get", "roles.rbac.authorization.k8s.io"),
      Request.in("create", "serviceaccounts"),
      Request.in("create", "serviceaccounts", "token"),
      Request.in("create", "pods", "exec"),
      Request.in("get", "pods", "exec"),
      Request.in("get", "pods", "log"),
      Request.cluster("get", "nodes/proxy"),
      Request.cluster("create", "clusterrolebindings.rbac.authorization.k8s.io"),
      Request.cluster("bind", "clusterroles.rbac.authorization.k8s.io"),
      Request.cluster("escalate", "clusterroles.rbac.authorization.k8s.io"),
      Request.cluster("impersonate", "groups"),
      Request.cluster("impersonate", "users"),
      Request.cluster("delete", "namespaces"),
      Request.cluster("impersonate", "serviceaccounts"),
      Request.watchAll("*", "*"));

  @BeforeAll
  static void namespaces() {
    other = cluster.createNamespace("other");
  }

  @AfterAll
  static void deleteClusterScopedObjects() {
    CLIENTS.values().forEach(KubernetesClient::close);
    for (String release : RELEASES) {
      cluster.kubectl("delete", "clusterrole,clusterrolebinding", "-l", "app.kubernetes.io/instance=" + release,
          "--ignore-not-found");
    }
  }

  /** Renders the chart as release {@code release} into the test namespace and creates its ServiceAccount and RBAC. */
  private static String install(String release, String values) {
    RELEASES.add(release);
    Rendered rendered = HelmChart.template(release, namespace, values);
    // not the GitSync admission policy: cluster-wide, it would change the shared cluster for other tests
    String rbac = rendered.yamlWithout("Deployment", "Service", "Secret", "ServiceMonitor", "PodMonitor",
        "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");
    Path file = HelmChart.writeTemp("rbac-", ".yaml", rbac);
    cluster.kubectl("apply", "--server-side", "--field-manager=bunting-chart-test", "-f", file.toString())
        .assertSuccess();
    return "system:serviceaccount:" + namespace + ":" + release + "-bunting";
  }

  /**
   * The API server's RBAC decision for {@code user} (a ServiceAccount) making request {@code r}: a
   * SelfSubjectAccessReview sent while impersonating the ServiceAccount, exactly what {@code kubectl auth can-i
   * --as=<user>} does, so the server itself adds the account's groups. Group and resource are given explicitly (no
   * discovery), so the answer does not depend on which CRDs happen to be installed.
   */
  private static boolean canI(String user, Request r, String inNamespace) {
    String group = r.resource().contains(".") ? r.resource().substring(r.resource().indexOf('.') + 1) : "";
    String resource = r.resource().contains(".") ? r.resource().substring(0, r.resource().indexOf('.'))
        : r.resource();
    String subresource = r.subresource();
    if (resource.contains("/")) {
      subresource = resource.substring(resource.indexOf('/') + 1);
      resource = resource.substring(0, resource.indexOf('/'));
    }
    if (r.resource().equals("*")) {
      group = "*";
    }
    SelfSubjectAccessReview review = new SelfSubjectAccessReviewBuilder().withNewSpec().withNewResourceAttributes()
        .withVerb(r.verb()).withGroup(group).withResource(resource).withSubresource(subresource).withName(r.name())
        .withNamespace(r.scope() == Scope.NAMESPACE ? inNamespace : "")
        .endResourceAttributes().endSpec().build();
    SelfSubjectAccessReview answer = impersonating(user).authorization().v1().selfSubjectAccessReview()
        .create(review);
    return Boolean.TRUE.equals(answer.getStatus().getAllowed());
  }

  private static final Map<String, KubernetesClient> CLIENTS = new ConcurrentHashMap<>();

  /** A client of the test cluster that impersonates {@code user}, as {@code kubectl --as} does. */
  private static KubernetesClient impersonating(String user) {
    return CLIENTS.computeIfAbsent(user, u -> {
      try {
        Config config = Config.fromKubeconfig(Files.readString(cluster.session().kubeconfigFile()));
        config.setImpersonateUsername(u);
        return new KubernetesClientBuilder().withConfig(config)
            .withHttpClientFactory(new Vertx5HttpClientFactory(cluster.vertx())).build();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** Asks every request in parallel; returns the ones whose answer is not {@code expected}. */
  private static List<String> mismatches(String user, List<Request> requests, String inNamespace, boolean expected)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> answers = new ArrayList<>();
      for (Request r : requests) {
        answers.add(pool.submit(() -> canI(user, r, inNamespace) == expected ? null
            : r + (r.scope() == Scope.NAMESPACE ? " in " + inNamespace : "") + " should be "
                + (expected ? "allowed" : "denied")));
      }
      List<String> wrong = new ArrayList<>();
      for (Future<String> a : answers) {
        if (a.get() != null) {
          wrong.add(a.get());
        }
      }
      return wrong;
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<Request> all(List<List<Request>> lists) {
    return lists.stream().flatMap(List::stream).toList();
  }

  /**
   * A second ServiceAccount bound to the release's GitSync ClusterRole only, so the GitSync role can be judged on its
   * own (the controller's ServiceAccount also holds the canary role, which watches Secrets for config tracking).
   */
  private static String gitSyncRoleAlone(String release) {
    String probe = release + "-gitsync-probe";
    cluster.applyIn(namespace, """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: %1$s}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: %1$s
          labels: {app.kubernetes.io/instance: %2$s}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: %2$s-bunting-gitsync}
        subjects: [{kind: ServiceAccount, name: %1$s, namespace: %3$s}]
        """.formatted(probe, release, namespace));
    return "system:serviceaccount:" + namespace + ":" + probe;
  }

  @Test
  void aClusterWideInstallGrantsEveryRequestOfBothEnginesInAnyNamespaceAndNothingMore() throws Exception {
    String sa = install(namespace + "-c", ChartValues.DEFAULTS);

    List<String> wrong = new ArrayList<>();
    wrong.addAll(mismatches(sa, all(List.of(CANARY, CLUSTER_SCOPED_ROUTES, GITSYNC, GITSYNC_WATCHES)), other, true));
    wrong.addAll(mismatches(sa, NEVER, other, false));
    wrong.addAll(mismatches(sa, List.of(IMPERSONATE, Request.watchAll("list", "pods"),
        Request.watchAll("list", "certificates.cert-manager.io")), other, false));
    wrong.addAll(mismatches(sa, List.of(IMPERSONATE), "kube-system", false));
    wrong.addAll(mismatches(sa, LEADER_ELECTION, namespace, true));
    wrong.addAll(mismatches(sa, LEADER_ELECTION, other, false));
    assertThat(wrong).as("RBAC decisions of the API server for %s", sa).isEmpty();
  }

  @Test
  void byDefaultTheGitSyncRoleNamesItsKindsAndCannotListOrWatchSecretsAcrossTheCluster() throws Exception {
    String release = namespace + "-g";
    install(release, ChartValues.DEFAULTS);
    String gitSyncRole = gitSyncRoleAlone(release);

    List<String> wrong = new ArrayList<>();
    wrong.addAll(mismatches(gitSyncRole, all(List.of(GITSYNC, GITSYNC_WATCHES)), other, true));
    wrong.addAll(mismatches(gitSyncRole, WATCH_ALL_ONLY, other, false));
    wrong.addAll(mismatches(gitSyncRole, List.of(Request.in("list", "secrets"), Request.in("watch", "secrets")), other,
        false));
    assertThat(wrong).as("RBAC decisions of the API server for the GitSync role alone").isEmpty();
  }

  @Test
  void theOptInWatchAllLetsTheGitSyncRoleListAndWatchEverythingSecretsIncluded() throws Exception {
    String release = namespace + "-w";
    install(release, ChartValues.GITSYNC_WATCH_ALL);
    String gitSyncRole = gitSyncRoleAlone(release);

    List<String> wrong = new ArrayList<>();
    wrong.addAll(mismatches(gitSyncRole, all(List.of(GITSYNC, GITSYNC_WATCHES, WATCH_ALL_ONLY)), other, true));
    // list and watch only: no get, which on a wildcard would also reach pods/exec and nodes/proxy
    wrong.addAll(mismatches(gitSyncRole, List.of(Request.in("get", "pods"), Request.in("get", "pods", "exec"),
        Request.cluster("get", "nodes/proxy")), other, false));
    assertThat(wrong).as("RBAC decisions of the API server for the GitSync role alone").isEmpty();
  }

  @Test
  void withoutTheUiTheControllerCannotReviewTokensPatchCanariesOrListEvents() throws Exception {
    String sa = install(namespace + "-u", "ui: {enabled: false}\n");
    List<String> wrong = new ArrayList<>(mismatches(sa, List.of(Request.in("list", "events"),
        Request.watchAll("watch", "events"), Request.in("patch", "canaries.flagger.app"),
        Request.cluster("create", "tokenreviews.authentication.k8s.io"),
        Request.cluster("create", "subjectaccessreviews.authorization.k8s.io")), other, false));
    assertThat(wrong).as("RBAC decisions of the API server for %s", sa).isEmpty();
  }

  @Test
  void aNamespacedInstallGrantsThemInItsNamespaceOnly() throws Exception {
    String sa = install(namespace + "-n", ChartValues.namespaced(namespace));
    // a namespaced install manages namespaced kinds only: its GitSyncs cannot watch cluster-scoped kinds
    List<Request> needed = all(List.of(CANARY, GITSYNC, List.of(IMPERSONATE), GITSYNC_WATCHES.stream()
        .filter(r -> r.scope() != Scope.CLUSTER).toList())).stream().map(Request::inNamespace).toList();
    List<Request> namespacedOnly = needed.stream().filter(r -> r.scope() == Scope.NAMESPACE).toList();
    List<Request> informersAcrossNamespaces = all(List.of(CANARY, GITSYNC)).stream()
        .filter(r -> r.scope() == Scope.ALL_NAMESPACES).toList();

    List<String> wrong = new ArrayList<>();
    wrong.addAll(mismatches(sa, needed, namespace, true));
    wrong.addAll(mismatches(sa, namespacedOnly, other, false));
    wrong.addAll(mismatches(sa, informersAcrossNamespaces, namespace, false));
    wrong.addAll(mismatches(sa, NEVER, namespace, false));
    assertThat(wrong).as("RBAC decisions of the API server for %s", sa).isEmpty();
  }

  @Test
  void gitSyncClusterAdminMeansClusterAdmin() throws Exception {
    String sa = install(namespace + "-a", ChartValues.GITSYNC_CLUSTER_ADMIN);
    assertThat(mismatches(sa, List.of(Request.watchAll("*", "*"), Request.in("create", "serviceaccounts"),
        Request.cluster("create", "clusterrolebindings.rbac.authorization.k8s.io")), other, true)).isEmpty();
  }

  @Test
  void impersonationIsLimitedToTheListedNamespacesAndAccounts() throws Exception {
    String tenant = cluster.createNamespace("tenant");
    String sa = install(namespace + "-i", ChartValues.impersonateOnly(List.of(tenant)));

    assertThat(mismatches(sa, List.of(IMPERSONATE), tenant, true)).isEmpty();
    assertThat(mismatches(sa, List.of(IMPERSONATE), other, false)).isEmpty();
    assertThat(mismatches(sa, List.of(IMPERSONATE), "kube-system", false)).isEmpty();

    String named = install(namespace + "-r", ChartValues.impersonateOnly(List.of(tenant))
        + "  impersonateServiceAccountNames: [gitsync]\n");
    assertThat(mismatches(named, List.of(Request.named("impersonate", "serviceaccounts", "gitsync")), tenant, true))
        .isEmpty();
    assertThat(mismatches(named, List.of(Request.named("impersonate", "serviceaccounts", "default"), IMPERSONATE),
        tenant, false)).as("other accounts of the namespace, and any account (no name)").isEmpty();
  }

  @Test
  void impersonatingEveryNamespaceIsAnOptIn() throws Exception {
    String sa = install(namespace + "-e", ChartValues.IMPERSONATE_ALL_NAMESPACES);
    assertThat(mismatches(sa, List.of(IMPERSONATE), other, true)).isEmpty();
    assertThat(mismatches(sa, List.of(IMPERSONATE), "kube-system", true)).isEmpty();
    assertThat(mismatches(sa, List.of(Request.cluster("impersonate", "groups"),
        Request.cluster("impersonate", "users")), other, false)).isEmpty();
  }

  // -------------------------------------------------------------------------------------------
  // impersonation, end to end, with the controller's own token

  /** A kubeconfig for the same API server that authenticates with {@code token} only. */
  private static Path kubeconfigWithToken(String token) {
    Config admin = cluster.client().getConfiguration();
    String tls = admin.getCaCertData() != null && !admin.getCaCertData().isBlank()
        ? "certificate-authority-data: " + admin.getCaCertData()
        : "insecure-skip-tls-verify: true";
    return HelmChart.writeTemp("kubeconfig-", ".yaml", """
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster: {server: "%s", %s}
        users:
        - name: controller
          user: {token: "%s"}
        contexts:
        - name: test
          context: {cluster: test, user: controller}
        current-context: test
        """.formatted(admin.getMasterUrl().replaceAll("/$", ""), tls, token));
  }

  private static CommandResult kubectlAs(Path kubeconfig, String... args) {
    List<String> command = new ArrayList<>();
    command.add(cluster.session().kubectl().orElseThrow().toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.addAll(List.of(args));
    return CommandResult.run(command, Map.of(), 60);
  }

  @Test
  void theControllerAppliesAsTheGitSyncsServiceAccountAndGetsNoMoreThanThatAccountHas() {
    String tenant = cluster.createNamespace("apps");
    String release = namespace + "-t";
    install(release, ChartValues.impersonateOnly(List.of(tenant)));
    String deployer = "system:serviceaccount:" + tenant + ":deployer";
    String nobody = "system:serviceaccount:" + tenant + ":nobody";
    cluster.applyIn(tenant, """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: deployer}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: nobody}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: serviceaccount-writer}
        rules: [{apiGroups: [""], resources: [serviceaccounts], verbs: [get, list, create]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: serviceaccount-reader}
        rules: [{apiGroups: [""], resources: [serviceaccounts], verbs: [get, list]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: deployer-writes}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: serviceaccount-writer}
        subjects: [{kind: ServiceAccount, name: deployer, namespace: %1$s}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: all-accounts-read}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: serviceaccount-reader}
        subjects: [{kind: Group, apiGroup: rbac.authorization.k8s.io, name: "system:serviceaccounts:%1$s"}]
        """.formatted(tenant));
    String token = cluster.kubectl("create", "token", release + "-bunting", "--namespace=" + namespace,
        "--duration=10m").assertSuccess().stdout().trim();
    Path asController = kubeconfigWithToken(token);

    assertThat(kubectlAs(asController, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}")
        .assertSuccess().stdout()).isEqualTo("system:serviceaccount:" + namespace + ":" + release + "-bunting");
    CommandResult itself = kubectlAs(asController, "create", "serviceaccount", "direct", "-n", tenant);
    assertThat(itself.exitCode()).as("the controller cannot create ServiceAccounts by itself").isNotZero();
    assertThat(itself.stderr()).contains("forbidden");

    kubectlAs(asController, "--as=" + deployer, "create", "serviceaccount", "applied", "-n", tenant)
        .assertSuccess();
    assertThat(cluster.client().serviceAccounts().inNamespace(tenant).withName("applied").get()).isNotNull();

    CommandResult elsewhere = kubectlAs(asController, "--as=" + deployer, "create", "serviceaccount", "x", "-n",
        other);
    assertThat(elsewhere.exitCode()).isNotZero();
    assertThat(elsewhere.stderr()).contains("\"" + deployer + "\" cannot create resource \"serviceaccounts\"");

    CommandResult noRights = kubectlAs(asController, "--as=" + nobody, "create", "serviceaccount", "y", "-n", tenant);
    assertThat(noRights.exitCode()).isNotZero();
    assertThat(noRights.stderr()).contains("\"" + nobody + "\" cannot create resource \"serviceaccounts\"");

    assertThat(kubectlAs(asController, "--as=" + nobody, "get", "serviceaccount", "applied", "-n", tenant)
        .assertSuccess().stdout())
        .as("without explicit groups the API server adds the ServiceAccount's groups (system:serviceaccounts:%s)",
            tenant)
        .contains("applied");

    CommandResult outsideTheTenants = kubectlAs(asController, "--as=system:serviceaccount:" + other + ":default",
        "get", "serviceaccounts", "-n", other);
    assertThat(outsideTheTenants.exitCode()).as("accounts outside gitsync.impersonateNamespaces").isNotZero();
    assertThat(outsideTheTenants.stderr())
        .contains("cannot impersonate resource \"serviceaccounts\" in API group \"\" in the namespace \"" + other + "\"");

    CommandResult withGroup = kubectlAs(asController, "--as=" + nobody, "--as-group=system:masters", "get",
        "secrets", "-n", "kube-system");
    assertThat(withGroup.exitCode()).as("impersonating groups (system:masters) is refused").isNotZero();
    assertThat(withGroup.stderr()).contains("cannot impersonate resource \"groups\"");
  }
}
