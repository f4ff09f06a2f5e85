package dev.bunting.gitops;

import static dev.bunting.gitops.Manifests.configMap;
import static dev.bunting.gitops.Manifests.deployment;
import static dev.bunting.gitops.Manifests.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bunting.api.Condition;
import dev.bunting.api.GitSync;
import dev.bunting.api.GitSyncInventoryEntry;
import dev.bunting.api.GitSyncReceiver;
import dev.bunting.api.GitSyncSpec;
import dev.bunting.api.NamedReference;
import dev.bunting.api.SecretReference;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * GitSync end to end on the local control plane (real kube-apiserver, controller-manager and kwok pods) with real Git
 * repositories: what a user sees in the cluster and in the GitSync's status, Events and HTTP answers.
 */
@LocalCluster
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GitSyncClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  @TempDir
  static Path tmp;
  private GitSyncFixture fx;
  private WebClient web;

  @BeforeAll
  void start(TestCluster cluster) throws Exception {
    fx = new GitSyncFixture(cluster, tmp.resolve("git-cache"));
    web = WebClient.create(fx.vertx);
  }

  @AfterAll
  void stop() throws Exception {
    if (fx != null) {
      web.close();
      fx.close();
    }
  }

  private String ns() {
    return fx.namespace;
  }

  private ConfigMap cm(String name) {
    return fx.client.configMaps().inNamespace(ns()).withName(name).get();
  }

  private void awaitApplied(String gitSync, String sha) {
    fx.awaitApplied(gitSync, sha, WAIT);
  }

  /** The condition, failing the (retried) assertion while it is absent. */
  private Condition condition(String gitSync, String type) {
    java.util.Optional<Condition> c = fx.condition(gitSync, type);
    assertThat(c).as("condition " + type + " of " + gitSync).isPresent();
    return c.get();
  }

  private List<String> inventoryIds(String gitSync) {
    return fx.get(gitSync).orElseThrow().getStatus().inventory.entries.stream().map(e -> e.id).sorted().toList();
  }

  private List<Event> events(String gitSync) {
    return fx.client.v1().events().inNamespace(ns()).list().getItems().stream()
        .filter(e -> gitSync.equals(e.getInvolvedObject().getName())
            && GitSync.KIND.equals(e.getInvolvedObject().getKind())).toList();
  }

  @Test
  void addChangeDeleteAcrossCommitsAndRevertAHandEdit() throws Exception {
    try (TestRepo repo = TestRepo.create(tmp.resolve("lifecycle"))) {
      repo.write("apps/config.yaml", configMap("settings", "one"))
          .write("apps/web/deploy.yaml", deployment("web", "registry.local/web:1.0.0", 2))
          .write("apps/web/svc.yaml", service("web"))
          .write("README.md", "not a manifest");
      String c1 = repo.commit("first");
      fx.create("lifecycle", GitSyncFixture.spec(repo.url(), "apps"));

      awaitApplied("lifecycle", c1);
      String ns = ns();
      assertThat(cm("settings").getData()).containsEntry("value", "one");
      assertThat(cm("settings").getMetadata().getLabels()).containsEntry(OwnerLabels.NAME, "lifecycle")
          .containsEntry(OwnerLabels.NAMESPACE, ns);
      Deployment web = fx.client.apps().deployments().inNamespace(ns).withName("web").get();
      assertThat(web.getStatus().getAvailableReplicas()).as("Ready=True only once the Deployment is available")
          .isEqualTo(2);
      assertThat(fx.client.services().inNamespace(ns).withName("web").get()).isNotNull();
      assertThat(inventoryIds("lifecycle")).containsExactly(ns + "_settings__ConfigMap", ns + "_web__Service",
          ns + "_web_apps_Deployment");
      assertThat(fx.get("lifecycle").orElseThrow().getStatus().inventory.entries)
          .contains(new GitSyncInventoryEntry(ns + "_web_apps_Deployment", "v1"));
      GitSync gs = fx.get("lifecycle").orElseThrow();
      assertThat(gs.getStatus().lastAttemptedRevision).isEqualTo("main@sha1:" + c1);
      assertThat(gs.getStatus().observedGeneration).isEqualTo(gs.getMetadata().getGeneration());
      assertThat(Condition.find(gs.getStatus().conditions, Condition.READY).orElseThrow().message)
          .isEqualTo("Applied revision: main@sha1:" + c1);
      await().atMost(WAIT).untilAsserted(() -> assertThat(events("lifecycle")).anySatisfy(e -> {
        assertThat(e.getReason()).isEqualTo("ReconciliationSucceeded");
        assertThat(e.getMessage()).contains("main@sha1:" + c1).contains("3 created");
      }));

      // second commit: change the ConfigMap, delete the Service, add a ConfigMap
      repo.write("apps/config.yaml", configMap("settings", "two")).delete("apps/web/svc.yaml")
          .write("apps/extra.yml", configMap("extra", "x"));
      String c2 = repo.commit("second");
      String requested = fx.requestSync("lifecycle");
      awaitApplied("lifecycle", c2);
      assertThat(cm("settings").getData()).containsEntry("value", "two");
      assertThat(cm("extra")).isNotNull();
      await().atMost(WAIT).until(() -> fx.client.services().inNamespace(ns).withName("web").get() == null);
      assertThat(inventoryIds("lifecycle")).containsExactly(ns + "_extra__ConfigMap", ns + "_settings__ConfigMap",
          ns + "_web_apps_Deployment");
      assertThat(fx.get("lifecycle").orElseThrow().getStatus().lastHandledReconcileAt).isEqualTo(requested);

      // a hand edit is reverted on the next sync
      fx.client.configMaps().inNamespace(ns).withName("settings")
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"data\":{\"value\":\"edited by hand\"}}");
      assertThat(cm("settings").getData()).containsEntry("value", "edited by hand");
      fx.requestSync("lifecycle");
      await().atMost(WAIT).untilAsserted(() -> assertThat(cm("settings").getData()).containsEntry("value", "two"));

      // third commit deletes everything but the Deployment: pruned, in reverse order
      repo.delete("apps/config.yaml").delete("apps/extra.yml");
      String c3 = repo.commit("third");
      fx.requestSync("lifecycle");
      awaitApplied("lifecycle", c3);
      await().atMost(WAIT).until(() -> cm("settings") == null && cm("extra") == null);
      assertThat(inventoryIds("lifecycle")).containsExactly(ns + "_web_apps_Deployment");
    }
  }

  @Test
  void aRevisionWithItsOwnCrdAndNamespaceAndAnImmutableChangeIsAppliedWithoutWaitingInTheSync() throws Exception {
    String group = ns() + ".test.bunting.dev";
    String extraNs = ns() + "-extra";
    String crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: widgets.%1$s}
        spec:
          group: %1$s
          scope: Namespaced
          names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
        """.formatted(group);
    String frozen = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: frozen}
        immutable: true
        data: {value: "%s"}
        """;
    try (TestRepo repo = TestRepo.create(tmp.resolve("staged"))) {
      repo.write("crd.yaml", crd)
          .write("widget.yaml", "apiVersion: %s/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 1}\n"
              .formatted(group))
          .write("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n".formatted(extraNs))
          .write("extra.yaml", configMap("in-extra", "1").replace("metadata:\n", "metadata:\n  namespace: "
              + extraNs + "\n"))
          .write("frozen.yaml", frozen.formatted("1"));
      String c1 = repo.commit("a CRD and its object, a Namespace and its ConfigMap, an immutable ConfigMap");
      GitSyncSpec spec = GitSyncFixture.spec(repo.url(), "");
      spec.force = true;
      fx.create("staged", spec);
      awaitApplied("staged", c1);
      assertThat(fx.client.genericKubernetesResources(group + "/v1", "Widget").inNamespace(ns()).withName("w1").get())
          .as("the Widget, applied once its CRD was established").isNotNull();
      assertThat(fx.client.configMaps().inNamespace(extraNs).withName("in-extra").get()).isNotNull();
      String uid = cm("frozen").getMetadata().getUid();

      repo.write("frozen.yaml", frozen.formatted("2"));
      String c2 = repo.commit("an immutable field changes");
      fx.requestSync("staged");
      awaitApplied("staged", c2);
      assertThat(cm("frozen").getData()).containsEntry("value", "2");
      assertThat(cm("frozen").getMetadata().getUid()).as("deleted and created again (spec.force)").isNotEqualTo(uid);
    } finally {
      fx.client.resources(GitSync.class).inNamespace(ns()).withName("staged").delete();
      await().atMost(WAIT).until(() -> fx.get("staged").isEmpty());
      fx.client.namespaces().withName(extraNs).delete();
      fx.client.apiextensions().v1().customResourceDefinitions().withName("widgets." + group).delete();
    }
  }

  @Test
  void aSyncWithNothingToChangeMakesNoWrites() throws Exception {
    try (TestRepo repo = TestRepo.create(tmp.resolve("idle"))) {
      repo.write("a.yaml", configMap("idle-a", "1")).write("b.yaml", configMap("idle-b", "2"))
          .write("d.yaml", deployment("idle-web", "registry.local/web:1.0.0", 1));
      String c1 = repo.commit("first");
      fx.create("idle", GitSyncFixture.spec(repo.url(), ""));
      awaitApplied("idle", c1);
      // one more sync lets the drift memory see what the controllers added (e.g. the Deployment's revision annotation)
      long before = fx.syncCount("idle");
      fx.controller.requestSync(ns() + "/idle");
      await().atMost(WAIT).until(() -> fx.syncCount("idle") > before);

      int mark = fx.counter.mark();
      long synced = fx.syncCount("idle");
      for (int i = 0; i < 3; i++) {
        long n = fx.syncCount("idle");
        fx.controller.requestSync(ns() + "/idle");
        await().atMost(WAIT).until(() -> fx.syncCount("idle") > n);
      }
      assertThat(fx.syncCount("idle")).isGreaterThanOrEqualTo(synced + 3);
      assertThat(fx.ownWritesSince(mark)).as("API writes made by three no-change syncs (all of the controller's: %s)",
          fx.counter.writesSince(mark)).isEmpty();
      assertThat(fx.condition("idle", Condition.READY)).get().extracting(c -> c.status).isEqualTo("True");
    }
  }

  @Test
  void anInvalidManifestAppliesNothingAndTheNextGoodCommitRecovers() throws Exception {
    try (TestRepo repo = TestRepo.create(tmp.resolve("invalid"))) {
      repo.write("ok.yaml", configMap("valid-one", "1"));
      String c1 = repo.commit("first");
      fx.create("invalid", GitSyncFixture.spec(repo.url(), ""));
      awaitApplied("invalid", c1);

      repo.write("ok.yaml", configMap("valid-one", "2")).write("new.yaml", configMap("valid-two", "1"))
          .write("broken/svc.yaml", """
              apiVersion: v1
              kind: Service
              metadata:
                name: broken
              spec:
                ports:
                - port: 70000
              """);
      String c2 = repo.commit("bad");
      fx.requestSync("invalid");
      await().atMost(WAIT).untilAsserted(() -> {
        Condition ready = condition("invalid", Condition.READY);
        assertThat(ready.status).isEqualTo("False");
        assertThat(ready.reason).isEqualTo(SyncFailure.VALIDATION_FAILED);
        assertThat(ready.message).contains("main@sha1:" + c2).contains("broken/svc.yaml (document 1)")
            .contains("Service/" + ns() + "/broken").contains("70000").contains("nothing was applied");
        Condition stalled = condition("invalid", Condition.STALLED);
        assertThat(stalled.status).isEqualTo("True");
      });
      GitSync gs = fx.get("invalid").orElseThrow();
      assertThat(gs.getStatus().lastAppliedRevision).isEqualTo("main@sha1:" + c1);
      assertThat(gs.getStatus().lastAttemptedRevision).isEqualTo("main@sha1:" + c2);
      assertThat(cm("valid-one").getData()).as("the valid change in the same commit is not applied")
          .containsEntry("value", "1");
      assertThat(cm("valid-two")).isNull();
      await().atMost(WAIT).untilAsserted(() -> assertThat(events("invalid")).anySatisfy(e -> {
        assertThat(e.getType()).isEqualTo("Warning");
        assertThat(e.getReason()).isEqualTo(SyncFailure.VALIDATION_FAILED);
        assertThat(e.getMessage()).contains("broken/svc.yaml");
      }));

      repo.write("broken/svc.yaml", service("broken"));
      String c3 = repo.commit("fixed");
      fx.requestSync("invalid");
      awaitApplied("invalid", c3);
      assertThat(cm("valid-one").getData()).containsEntry("value", "2");
      assertThat(cm("valid-two")).isNotNull();
      assertThat(fx.condition("invalid", Condition.STALLED)).isEmpty();
    }
  }

  @Test
  void aBadYamlFileIsReportedWithFileAndDocument() throws Exception {
    try (TestRepo repo = TestRepo.create(tmp.resolve("yaml"))) {
      repo.write("a.yaml", configMap("yaml-a", "1") + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n");
      String c1 = repo.commit("broken yaml");
      fx.create("yaml", GitSyncFixture.spec(repo.url(), ""));
      await().atMost(WAIT).untilAsserted(() -> {
        Condition ready = condition("yaml", Condition.READY);
        assertThat(ready.status).isEqualTo("False");
        assertThat(ready.reason).isEqualTo(SyncFailure.BUILD_FAILED);
        assertThat(ready.message).contains("main@sha1:" + c1).contains("a.yaml: document 2: invalid YAML");
      });
      assertThat(cm("yaml-a")).isNull();
    }
  }

  @Test
  void theReceiverRejectsBadSignaturesAndSyncsAtOnceOnAGoodOne() throws Exception {
    try (TestRepo repo = TestRepo.create(tmp.resolve("hook"))) {
      repo.write("c.yaml", configMap("hooked", "v1"));
      String c1 = repo.commit("first");
      fx.client.secrets().inNamespace(ns()).resource(new SecretBuilder().withNewMetadata().withName("hook-token")
          .endMetadata().withStringData(Map.of("token", "webhook-s3cret")).build()).create();
      GitSyncSpec spec = GitSyncFixture.spec(repo.url(), "");
      spec.receiver = new GitSyncReceiver();
      spec.receiver.secretRef = new SecretReference("hook-token");
      fx.create("hook", spec);
      awaitApplied("hook", c1);
      // let whatever the first apply brings about end before the second commit (before b283edc, a health wake after
      // it ran a full sync under load, which fetched the second commit 0.25 s after the apply, with no webhook)
      fx.awaitSyncsSettled("hook", WAIT);

      repo.write("c.yaml", configMap("hooked", "v2"));
      String c2 = repo.commit("second");
      byte[] body = "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);
      String url = "/hooks/git/" + ns() + "/hook";
      long syncsBefore = fx.syncCount("hook");

      int bad = post(url, body, Map.of("X-Hub-Signature-256",
          WebhookAuth.githubSignature("wrong".getBytes(), body)));
      int none = post(url, body, Map.of());
      int gitlabBad = post(url, body, Map.of("X-Gitlab-Token", "nope"));
      int missing = post("/hooks/git/" + ns() + "/no-such-gitsync", body, Map.of("X-Gitlab-Token", "webhook-s3cret"));
      assertThat(List.of(bad, none, gitlabBad, missing)).containsOnly(401);
      Thread.sleep(2000);
      assertThat(fx.syncCount("hook")).as("no sync after rejected webhooks").isEqualTo(syncsBefore);
      assertThat(cm("hooked").getData()).containsEntry("value", "v1");
      assertThat(fx.get("hook").orElseThrow().getStatus().lastAttemptedRevision).isEqualTo("main@sha1:" + c1);

      long t0 = System.nanoTime();
      int good = post(url, body, Map.of("X-Hub-Signature-256",
          WebhookAuth.githubSignature("webhook-s3cret".getBytes(StandardCharsets.UTF_8), body)));
      assertThat(good).isEqualTo(202);
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
          .untilAsserted(() -> assertThat(cm("hooked").getData()).containsEntry("value", "v2"));
      System.out.printf("webhook to applied: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
      awaitApplied("hook", c2);

      repo.write("c.yaml", configMap("hooked", "v3"));
      repo.commit("third");
      assertThat(post(url, body, Map.of("X-Gitlab-Token", "webhook-s3cret"))).isEqualTo(202);
      await().atMost(Duration.ofSeconds(20))
          .untilAsserted(() -> assertThat(cm("hooked").getData()).containsEntry("value", "v3"));
    }
  }

  private int post(String path, byte[] body, Map<String, String> headers) throws Exception {
    var req = web.post(fx.port(), "127.0.0.1", path).putHeader("Content-Type", "application/json");
    headers.forEach(req::putHeader);
    return req.sendBuffer(Buffer.buffer(body)).await(10, TimeUnit.SECONDS).statusCode();
  }

  @Test
  void anImageBumpOnACanaryTargetLeavesReplicasToTheCanaryEngine() throws Exception {
    try (TestRepo repo = TestRepo.create(tmp.resolve("canary"))) {
      repo.write("podinfo.yaml", deployment("podinfo", "ghcr.io/stefanprodan/podinfo:6.0.0", 2));
      String c1 = repo.commit("first");
      fx.create("canary", GitSyncFixture.spec(repo.url(), ""));
      awaitApplied("canary", c1);

      fx.client.resource(fx.client.getKubernetesSerialization().unmarshal("""
          apiVersion: flagger.app/v1beta1
          kind: Canary
          metadata:
            name: podinfo
            namespace: %s
          spec:
            targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
            service: {port: 9898}
            analysis: {interval: 1m, threshold: 5, iterations: 10}
          """.formatted(ns()), dev.bunting.api.Canary.class)).create();
      // the canary engine scales its target to zero (as Flagger does once the primary is ready)
      fx.client.apps().deployments().inNamespace(ns()).withName("podinfo")
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":0}}");

      repo.write("podinfo.yaml", deployment("podinfo", "ghcr.io/stefanprodan/podinfo:6.1.0", 2));
      String c2 = repo.commit("bump");
      fx.requestSync("canary");
      awaitApplied("canary", c2);
      Deployment d = fx.client.apps().deployments().inNamespace(ns()).withName("podinfo").get();
      assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
          .isEqualTo("ghcr.io/stefanprodan/podinfo:6.1.0");
      assertThat(d.getSpec().getReplicas()).as("replicas stay where the canary engine put them").isZero();
      ManagedFieldsEntry ours = d.getMetadata().getManagedFields().stream()
          .filter(m -> m.getManager().equals("bunting-gitops")).findFirst().orElseThrow();
      @SuppressWarnings("unchecked")
      Map<String, Object> spec = (Map<String, Object>) ours.getFieldsV1().getAdditionalProperties().get("f:spec");
      assertThat(spec).containsKey("f:template").doesNotContainKey("f:replicas");
    }
  }

  @Test
  void aDeploymentPastItsProgressDeadlineMakesTheGitSyncNotReady() throws Exception {
    try (TestRepo repo = TestRepo.create(tmp.resolve("deadline"))) {
      repo.write("stuck.yaml", deployment("stuck", "registry.local/stuck:1.0.0", 1)
          .replace("  selector:", "  progressDeadlineSeconds: 3\n  selector:")
          .replace("      containers:", "      nodeSelector: {bunting.dev/no-such-node: \"true\"}\n      containers:"));
      String c1 = repo.commit("stuck");
      fx.create("deadline", GitSyncFixture.spec(repo.url(), ""));
      await().atMost(WAIT).untilAsserted(() -> {
        Condition ready = condition("deadline", Condition.READY);
        assertThat(ready.status).isEqualTo("False");
        assertThat(ready.reason).isEqualTo("HealthCheckFailed");
        assertThat(ready.message).contains("Deployment/" + ns() + "/stuck").contains("progress deadline exceeded");
      });
      GitSync gs = fx.get("deadline").orElseThrow();
      assertThat(gs.getStatus().lastAttemptedRevision).isEqualTo("main@sha1:" + c1);
      assertThat(gs.getStatus().lastAppliedRevision).isNull();
    }
  }
  @Test
  void httpsBasicAuthFromASecret() throws Exception {
    try (TestRepo repo = TestRepo.create(tmp.resolve("https"));
        GitHttpServer server = GitHttpServer.basicAuth(fx.vertx, tmp.resolve("https"), "bunting", "pa55-word-x",
            java.nio.file.Files.createDirectories(tmp.resolve("https-tls")))) {
      repo.write("cm.yaml", configMap("over-https", "1"));
      String c1 = repo.commit("first");
      fx.client.secrets().inNamespace(ns()).resource(new SecretBuilder().withNewMetadata().withName("https-creds")
          .endMetadata().withStringData(Map.of("username", "bunting", "password", "pa55-word-x",
              "ca.crt", server.caPem())).build()).create();
      fx.client.secrets().inNamespace(ns()).resource(new SecretBuilder().withNewMetadata().withName("https-wrong")
          .endMetadata().withStringData(Map.of("username", "bunting", "password", "not-the-password",
              "ca.crt", server.caPem())).build()).create();
      GitSyncSpec good = GitSyncFixture.spec(server.url(), "");
      good.secretRef = new SecretReference("https-creds");
      fx.create("https", good);
      GitSyncSpec wrong = GitSyncFixture.spec(server.url(), "");
      wrong.secretRef = new SecretReference("https-wrong");
      fx.create("https-wrong", wrong);

      awaitApplied("https", c1);
      assertThat(cm("over-https")).isNotNull();
      await().atMost(WAIT).untilAsserted(() -> {
        Condition ready = condition("https-wrong", Condition.READY);
        assertThat(ready.status).isEqualTo("False");
        assertThat(ready.reason).isEqualTo(GitException.AUTHENTICATION_FAILED);
        assertThat(ready.message).contains(server.url()).doesNotContain("not-the-password");
      });
    }
  }

  @Test
  void sshWithAKnownHostsMismatchIsRejectedWithAClearCondition() throws Exception {
    try (TestRepo repo = TestRepo.create(tmp.resolve("ssh")); GitSshServer ssh = new GitSshServer(tmp.resolve("ssh"))) {
      repo.write("cm.yaml", configMap("over-ssh", "1"));
      String c1 = repo.commit("first");
      fx.client.secrets().inNamespace(ns()).resource(new SecretBuilder().withNewMetadata().withName("ssh-good")
          .endMetadata().withStringData(Map.of("identity", ssh.identityPem(), "known_hosts", ssh.knownHosts()))
          .build()).create();
      fx.client.secrets().inNamespace(ns()).resource(new SecretBuilder().withNewMetadata().withName("ssh-mitm")
          .endMetadata().withStringData(Map.of("identity", ssh.identityPem(), "known_hosts", ssh.wrongKnownHosts()))
          .build()).create();
      GitSyncSpec mitm = GitSyncFixture.spec(ssh.url(), "");
      mitm.secretRef = new SecretReference("ssh-mitm");
      fx.create("ssh-mitm", mitm);
      GitSyncSpec good = GitSyncFixture.spec(ssh.url(), "");
      good.secretRef = new SecretReference("ssh-good");
      fx.create("ssh-good", good);

      await().atMost(WAIT).untilAsserted(() -> {
        Condition ready = condition("ssh-mitm", Condition.READY);
        assertThat(ready.status).isEqualTo("False");
        assertThat(ready.reason).isEqualTo(GitException.GIT_OPERATION_FAILED);
        assertThat(ready.message).contains("ssh host key verification failed")
            .contains("host key mismatch for [127.0.0.1]:" + ssh.port());
      });
      // Events are written after the status
      await().atMost(WAIT).untilAsserted(() -> assertThat(events("ssh-mitm"))
          .anySatisfy(e -> assertThat(e.getMessage()).contains("host key mismatch")));
      awaitApplied("ssh-good", c1);
      assertThat(cm("over-ssh")).isNotNull();
    }
  }
  @Test
  void serviceAccountNameAppliesWithThatAccountsPermissionsOnly() throws Exception {
    try (TestRepo repo = TestRepo.create(tmp.resolve("impersonate"))) {
      fx.client.serviceAccounts().inNamespace(ns()).resource(new io.fabric8.kubernetes.api.model.ServiceAccountBuilder()
          .withNewMetadata().withName("deployer").endMetadata().build()).create();
      fx.client.rbac().roles().inNamespace(ns()).resource(new io.fabric8.kubernetes.api.model.rbac.RoleBuilder()
          .withNewMetadata().withName("configmaps-only").endMetadata()
          .addNewRule().withApiGroups("").withResources("configmaps").withVerbs("get", "list", "watch", "create",
              "update", "patch", "delete").endRule().build()).create();
      fx.client.rbac().roleBindings().inNamespace(ns()).resource(
          new io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder().withNewMetadata().withName("deployer")
              .endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role")
              .withName("configmaps-only").endRoleRef().addNewSubject().withKind("ServiceAccount")
              .withName("deployer").withNamespace(ns()).endSubject().build()).create();
      repo.write("cm.yaml", configMap("as-deployer", "1"))
          .write("secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: not-allowed}\nstringData: {a: b}\n");
      String c1 = repo.commit("first");
      GitSyncSpec spec = GitSyncFixture.spec(repo.url(), "");
      spec.serviceAccountName = "deployer";
      fx.create("impersonate", spec);
      await().atMost(WAIT).untilAsserted(() -> {
        Condition ready = condition("impersonate", Condition.READY);
        assertThat(ready.status).isEqualTo("False");
        assertThat(ready.reason).isEqualTo(SyncFailure.VALIDATION_FAILED);
        assertThat(ready.message).contains("secret.yaml (document 1)").contains("Secret/" + ns() + "/not-allowed")
            .contains("system:serviceaccount:" + ns() + ":deployer").contains("forbidden");
      });
      assertThat(cm("as-deployer")).as("nothing applied while one object is refused").isNull();

      repo.delete("secret.yaml");
      String c2 = repo.commit("only what the account may do");
      fx.requestSync("impersonate");
      awaitApplied("impersonate", c2);
      assertThat(cm("as-deployer").getMetadata().getManagedFields())
          .anySatisfy(m -> assertThat(m.getManager()).isEqualTo("bunting-gitops"));
    }
  }

  @Test
  void deletingAGitSyncDeletesItsObjectsAsItsDeletionPolicySays() throws Exception {
    try (TestRepo repo = TestRepo.create(tmp.resolve("deletion"))) {
      repo.write("mirror/config.yaml", configMap("mirror-config", "1"))
          .write("mirror/web.yaml", deployment("mirror-web", "registry.local/web:1.0.0", 1))
          .write("mirror/kept.yaml", configMap("mirror-kept", "1").replace("metadata:\n",
              "metadata:\n  annotations:\n    bunting.dev/prune: disabled\n"))
          .write("orphan/config.yaml", configMap("orphan-config", "1"))
          .write("noprune/config.yaml", configMap("noprune-config", "1"));
      String c1 = repo.commit("three apps");
      fx.create("mirror", GitSyncFixture.spec(repo.url(), "mirror"));
      GitSyncSpec orphan = GitSyncFixture.spec(repo.url(), "orphan");
      orphan.deletionPolicy = "Orphan";
      fx.create("orphan", orphan);
      GitSyncSpec noPrune = GitSyncFixture.spec(repo.url(), "noprune");
      noPrune.prune = false;
      fx.create("noprune", noPrune);
      for (String name : List.of("mirror", "orphan", "noprune")) {
        awaitApplied(name, c1);
        assertThat(fx.get(name).orElseThrow().getMetadata().getFinalizers()).containsExactly(GitSync.FINALIZER);
      }
      assertThat(cm("mirror-kept")).isNotNull();

      for (String name : List.of("mirror", "orphan", "noprune")) {
        fx.client.resources(GitSync.class).inNamespace(ns()).withName(name).delete();
      }
      await().atMost(WAIT).untilAsserted(() -> {
        for (String name : List.of("mirror", "orphan", "noprune")) {
          assertThat(fx.get(name)).as("GitSync " + name + " released by its finalizer").isEmpty();
        }
      });
      // MirrorPrune with prune: true deletes what the GitSync applied, except what opts out of pruning
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(cm("mirror-config")).isNull();
        assertThat(fx.client.apps().deployments().inNamespace(ns()).withName("mirror-web").get()).isNull();
        assertThat(fx.client.apps().replicaSets().inNamespace(ns()).list().getItems())
            .as("the Deployment's ReplicaSets are garbage-collected").noneMatch(rs -> rs.getMetadata().getName()
                .startsWith("mirror-web-"));
      });
      assertThat(cm("mirror-kept")).as("bunting.dev/prune: disabled").isNotNull();
      assertThat(cm("orphan-config")).as("deletionPolicy: Orphan").isNotNull();
      assertThat(cm("noprune-config")).as("prune: false").isNotNull();
      await().atMost(WAIT).untilAsserted(() -> assertThat(events("mirror")).anySatisfy(e -> {
        assertThat(e.getReason()).isEqualTo(GitSyncDecider.GARBAGE_COLLECTED);
        assertThat(e.getMessage()).contains("deletionPolicy MirrorPrune", "deleted 2 objects",
            ns() + "/mirror-config");
      }));
      assertThat(events("orphan")).noneMatch(e -> GitSyncDecider.GARBAGE_COLLECTED.equals(e.getReason()));
    }
  }

  @Test
  void fieldsAddedByHandWithKubectlAreRemovedOnTheNextSyncOthersStay() throws Exception {
    try (TestRepo repo = TestRepo.create(tmp.resolve("byhand"))) {
      repo.write("handmade.yaml", configMap("handmade", "git"))
          .write("merged.yaml", configMap("merged", "git").replace("metadata:\n",
              "metadata:\n  annotations:\n    bunting.dev/ssa: merge\n"));
      String c1 = repo.commit("two ConfigMaps");
      fx.create("byhand", GitSyncFixture.spec(repo.url(), ""));
      awaitApplied("byhand", c1);
      String ns = ns();
      for (String name : List.of("handmade", "merged")) {
        // what `kubectl edit` does (manager kubectl-edit), and what an operator of the cluster adds
        fx.client.configMaps().inNamespace(ns).withName(name).patch(new PatchContext.Builder()
            .withPatchType(PatchType.JSON_MERGE).withFieldManager("kubectl-edit").build(),
            "{\"metadata\":{\"labels\":{\"edited\":\"by-hand\"}},\"data\":{\"extra\":\"by hand\"}}");
        fx.client.configMaps().inNamespace(ns).withName(name).patch(new PatchContext.Builder()
            .withPatchType(PatchType.JSON_MERGE).withFieldManager("some-operator").build(),
            "{\"data\":{\"operator\":\"kept\"}}");
      }
      fx.requestSync("byhand");
      await().atMost(WAIT).untilAsserted(() -> {
        ConfigMap handmade = cm("handmade");
        assertThat(handmade.getData()).as("kubectl's key removed, the operator's kept")
            .containsOnlyKeys("value", "operator");
        assertThat(handmade.getMetadata().getLabels()).doesNotContainKey("edited");
        assertThat(handmade.getMetadata().getManagedFields()).extracting(ManagedFieldsEntry::getManager)
            .containsExactlyInAnyOrder(ApplyPipeline.FIELD_MANAGER, "some-operator");
      });
      assertThat(cm("handmade").getData()).containsEntry("value", "git");
      ConfigMap merged = cm("merged");
      assertThat(merged.getData()).as("bunting.dev/ssa: merge keeps what kubectl added")
          .containsKeys("value", "extra", "operator");
      assertThat(merged.getMetadata().getLabels()).containsEntry("edited", "by-hand");

      // nothing left to take over: the next sync writes nothing (once the take-over sync's Event, which follows its
      // status, is written)
      await().atMost(WAIT).untilAsserted(() -> assertThat(events("byhand"))
          .anySatisfy(e -> assertThat(e.getMessage()).contains("1 configured")));
      int mark = fx.counter.mark();
      long n = fx.syncCount("byhand");
      fx.controller.requestSync(ns + "/byhand");
      await().atMost(WAIT).until(() -> fx.syncCount("byhand") > n);
      assertThat(fx.ownWritesSince(mark)).as("API writes of the sync after the take-over (all of the controller's: %s)",
          fx.counter.writesSince(mark)).isEmpty();
    }
  }

  private GitSync labelled(String name, GitSyncSpec spec) {
    GitSync gs = new GitSync();
    gs.getMetadata().setName(name);
    gs.getMetadata().setNamespace(ns());
    gs.getMetadata().setLabels(Map.of("test.bunting.dev/deny-update", "true"));
    gs.setSpec(spec);
    return gs;
  }

  @Test
  void aGitSyncThatCannotGetItsFinalizerStillSyncsAndSaysSo() throws Exception {
    String ns = ns();
    String name = "deny-gitsync-update-" + ns;
    String policy = """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata: {name: %1$s}
        spec:
          failurePolicy: Fail
          matchConstraints:
            resourceRules:
              - {apiGroups: [bunting.dev], apiVersions: ["*"], operations: [UPDATE], resources: [gitsyncs]}
          validations:
            - {expression: "false", message: "updates of this GitSync are refused by a test policy"}
        ---
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicyBinding
        metadata: {name: %1$s}
        spec:
          policyName: %1$s
          validationActions: [Deny]
          matchResources:
            namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: %2$s}}
            objectSelector: {matchLabels: {test.bunting.dev/deny-update: "true"}}
        """.formatted(name, ns);
    var objects = fx.client.load(new java.io.ByteArrayInputStream(policy.getBytes(StandardCharsets.UTF_8))).items();
    try (TestRepo repo = TestRepo.create(tmp.resolve("nofinalizer"))) {
      objects.forEach(o -> fx.client.resource(o).fieldManager("bunting-tests").forceConflicts().serverSideApply());
      repo.write("config.yaml", configMap("unfinalized", "1"));
      String c1 = repo.commit("one ConfigMap");
      // the API server enforces a new policy once its informers have it: probe until an update is refused
      GitSyncSpec probeSpec = GitSyncFixture.spec(repo.url(), "");
      probeSpec.suspend = true;
      fx.client.resource(labelled("probe", probeSpec)).create();
      await().atMost(WAIT).untilAsserted(() -> assertThatThrownBy(() -> fx.client.resources(GitSync.class)
          .inNamespace(ns).withName("probe").edit(g -> {
            g.getMetadata().getAnnotations().put("probe", String.valueOf(System.nanoTime()));
            return g;
          })).hasMessageContaining("refused by a test policy"));

      fx.client.resource(labelled("nofinalizer", GitSyncFixture.spec(repo.url(), ""))).create();
      awaitApplied("nofinalizer", c1);
      assertThat(cm("unfinalized")).as("synced without the finalizer").isNotNull();
      assertThat(fx.get("nofinalizer").orElseThrow().getMetadata().getFinalizers()).isNullOrEmpty();
      await().atMost(WAIT).untilAsserted(() -> assertThat(events("nofinalizer")).anySatisfy(e -> {
        assertThat(e.getType()).isEqualTo("Warning");
        assertThat(e.getReason()).isEqualTo(GitSyncDecider.FINALIZER_FAILED);
        assertThat(e.getMessage()).contains("cannot add finalizer finalizers.bunting.dev",
            "updates of this GitSync are refused by a test policy", "will leave its objects in place");
      }));
    } finally {
      objects.forEach(o -> fx.client.resource(o).delete());
    }
  }

  @Test
  void aGitSyncWaitsForItsDependenciesAndGoesOnceTheyAreReady() throws Exception {
    try (TestRepo repo = TestRepo.create(tmp.resolve("depends"))) {
      repo.write("infra/config.yaml", configMap("infra-config", "1"))
          .write("apps/config.yaml", configMap("app-config", "1"));
      String c1 = repo.commit("infra and apps");
      GitSyncSpec apps = GitSyncFixture.spec(repo.url(), "apps");
      apps.dependsOn = List.of(new NamedReference("infra", null));
      fx.create("apps", apps);
      await().atMost(WAIT).untilAsserted(() -> {
        Condition ready = condition("apps", Condition.READY);
        assertThat(ready.status).isEqualTo("False");
        assertThat(ready.reason).isEqualTo(SyncFailure.DEPENDENCY_NOT_READY);
        assertThat(ready.message).contains("GitSync " + ns() + "/infra not found");
      });
      assertThat(cm("app-config")).as("nothing applied before the dependency is ready").isNull();

      fx.create("infra", GitSyncFixture.spec(repo.url(), "infra"));
      awaitApplied("infra", c1);
      awaitApplied("apps", c1);
      assertThat(cm("app-config")).isNotNull();

      // same repository and ref: apps waits until infra has applied the revision apps is about to apply
      repo.write("infra/config.yaml", configMap("infra-config", "2"))
          .write("apps/config.yaml", configMap("app-config", "2"));
      String c2 = repo.commit("both change");
      fx.requestSync("apps");
      await().atMost(WAIT).untilAsserted(() -> assertThat(condition("apps", Condition.READY).message)
          .contains("GitSync " + ns() + "/infra has not applied main@sha1:" + c2 + " yet"));
      // infra may sync c2 on its own meanwhile (nothing keeps it from syncing); apps may follow only after it has
      if (!"1".equals(cm("app-config").getData().get("value"))) {
        assertThat(fx.get("infra").orElseThrow().getStatus().lastAppliedRevision)
            .as("app-config has c2's value: infra must have applied c2 first").isEqualTo("main@sha1:" + c2);
      }
      fx.requestSync("infra");
      awaitApplied("infra", c2);
      awaitApplied("apps", c2);
      assertThat(cm("app-config").getData()).containsEntry("value", "2");
      assertThat(Long.parseLong(cm("infra-config").getMetadata().getResourceVersion()))
          .as("infra's object was written for c2 before apps' object")
          .isLessThan(Long.parseLong(cm("app-config").getMetadata().getResourceVersion()));

      GitSyncSpec selfish = GitSyncFixture.spec(repo.url(), "apps");
      selfish.dependsOn = List.of(new NamedReference("selfish", ns()));
      fx.create("selfish", selfish);
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(condition("selfish", Condition.STALLED).message)
            .contains("spec.dependsOn: a GitSync cannot depend on itself");
        assertThat(condition("selfish", Condition.READY).status).isEqualTo("False");
      });
    }
  }
}
