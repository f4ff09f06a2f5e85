package dev.bunting.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bunting.api.Condition;
import dev.bunting.api.GitSync;
import dev.bunting.api.GitSyncSpec;
import dev.bunting.api.ImagePolicy;
import dev.bunting.gitops.GitSyncFixture;
import dev.bunting.gitops.TestRepo;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.LocalRegistry;
import dev.bunting.testing.TestCluster;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image updates end to end: a real CNCF distribution registry (images pushed by the test, basic auth from a
 * {@code kubernetes.io/dockerconfigjson} Secret), a real Git repository synced by a GitSync on the local control plane,
 * and an ImagePolicy. What a user sees: the commits in the repository, the files (only the marked values changed),
 * the Deployment in the cluster, the ImagePolicy's status and Events.
 */
@LocalCluster
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImagePolicyClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  @TempDir
  static Path tmp;
  private GitSyncFixture fx;
  private LocalRegistry registry;

  @BeforeAll
  void start(TestCluster cluster) throws Exception {
    assumeTrue(LocalRegistry.isAvailable(), LocalRegistry.UNAVAILABLE);
    registry = LocalRegistry.start(tmp.resolve("registry"), "pusher", "registry-pw-42");
    fx = new GitSyncFixture(cluster, tmp.resolve("git-cache"));
    String auth = Base64.getEncoder().encodeToString("pusher:registry-pw-42".getBytes(StandardCharsets.UTF_8));
    fx.client.secrets().inNamespace(fx.namespace).resource(new SecretBuilder().withNewMetadata().withName("regcred")
        .endMetadata().withType("kubernetes.io/dockerconfigjson").addToStringData(".dockerconfigjson",
            "{\"auths\":{\"" + registry.host() + "\":{\"auth\":\"" + auth + "\"}}}").build()).create();
  }

  @AfterAll
  void stop() throws Exception {
    if (fx != null) {
      fx.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  private String deployment(String image) {
    return """
        # the web app; the image line is kept up to date by ImagePolicy web
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels: {app: web}
        spec:
          replicas: 1
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: web
                image: %s # {"$imagepolicy": "%s:web"}
        """.formatted(image, fx.namespace);
  }

  private String values(String tag) {
    return "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: web-release}\r\ndata:\r\n"
        + "  tag: \"" + tag + "\"   # {\"$imagepolicy\": \"" + fx.namespace + ":web:tag\"}\r\n"
        + "  other: \"1.0.0\"\r\n";
  }

  private void imagePolicy(String name, String image, String range, String secret) {
    fx.client.resource(io.fabric8.kubernetes.client.utils.Serialization.unmarshal("""
        apiVersion: bunting.dev/v1alpha1
        kind: ImagePolicy
        metadata: {name: %s, namespace: %s}
        spec:
          image: %s
          insecure: true
          interval: 1h
          secretRef: {name: %s}
          policy:
            semver: {range: "%s"}
          update:
            gitSyncRef: {name: apps}
        """.formatted(name, fx.namespace, image, secret, range), ImagePolicy.class)).create();
  }

  private ImagePolicy policy(String name) {
    return fx.client.resources(ImagePolicy.class).inNamespace(fx.namespace).withName(name).get();
  }

  /** Asks for a scan now, as a user does; returns once the policy says it handled it. */
  private void rescan(String name) {
    String token = String.valueOf(System.nanoTime());
    fx.client.resources(ImagePolicy.class).inNamespace(fx.namespace).withName(name).edit(p -> {
      p.getMetadata().getAnnotations().put(GitSync.REQUESTED_AT, token);
      return p;
    });
    await().atMost(WAIT).until(() -> token.equals(policy(name).getStatus().lastHandledReconcileAt));
  }

  private List<String> events(String kind, String name) {
    return fx.client.v1().events().inNamespace(fx.namespace).list().getItems().stream()
        .filter(e -> kind.equals(e.getInvolvedObject().getKind()) && name.equals(e.getInvolvedObject().getName()))
        .map(e -> e.getReason() + " " + e.getMessage()).toList();
  }

  private String image() {
    Deployment d = fx.client.apps().deployments().inNamespace(fx.namespace).withName("web").get();
    return d == null ? null : d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  @Test
  void aPushedTagBecomesACommitThatTheGitSyncApplies() throws Exception {
    String repoImage = registry.host() + "/shop/web";
    registry.push("shop/web", "1.0.0");
    registry.push("shop/web", "1.1.0");
    registry.push("shop/web", "2.0.0-rc.1");
    try (TestRepo repo = TestRepo.create(tmp.resolve("apps"))) {
      repo.write("deploy/web.yaml", deployment(repoImage + ":1.0.0")).write("deploy/values.yaml", values("1.0.0"))
          .write("README.md", "# {\"$imagepolicy\": \"x:web\"} is not YAML here\n");
      String first = repo.commit("web 1.0.0");
      GitSyncSpec spec = GitSyncFixture.spec(repo.url(), "deploy");
      spec.commitAuthor = new dev.bunting.api.GitCommitAuthor("Image Bot", "image-bot@example.com");
      fx.create("apps", spec);
      await().atMost(WAIT).until(() -> (repoImage + ":1.0.0").equals(image()));

      imagePolicy("web", repoImage, ">=1.0.0", "regcred");
      await().atMost(WAIT).until(() -> !repo.head().equals(first));
      RevCommit bump = repo.headCommit();
      assertThat(bump.getShortMessage()).isEqualTo("web: update image to 1.1.0");
      assertThat(bump.getFullMessage()).contains("Changed: deploy/values.yaml, deploy/web.yaml");
      assertThat(bump.getAuthorIdent().getEmailAddress()).isEqualTo("image-bot@example.com");
      assertThat(repo.fileAtHead("deploy/web.yaml")).isEqualTo(deployment(repoImage + ":1.1.0"));
      assertThat(repo.fileAtHead("deploy/values.yaml")).as("CRLF and the unmarked line kept").isEqualTo(values("1.1.0"));
      assertThat(repo.fileAtHead("README.md")).contains("x:web");
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(image()).as("the GitSync applied the commit").isEqualTo(repoImage + ":1.1.0");
        ImagePolicy p = policy("web");
        assertThat(p.getStatus().latestImage).isEqualTo(repoImage + ":1.1.0");
        assertThat(p.getStatus().writtenImage).isEqualTo(repoImage + ":1.1.0");
        assertThat(p.getStatus().lastPushCommit).isEqualTo(bump.getName());
        assertThat(p.getStatus().tagCount).isEqualTo(3);
        assertThat(Condition.find(p.getStatus().conditions, Condition.READY).orElseThrow().status).isEqualTo("True");
      });
      assertThat(events(ImagePolicy.KIND, "web")).contains("NewImage Latest image: " + repoImage + ":1.1.0",
          "Pushed pushed " + bump.getName().substring(0, 12) + " to " + repo.url() + " branch main: " + repoImage
              + ":1.1.0 in deploy/values.yaml, deploy/web.yaml (2 lines)");

      // a person reverts the bump: the policy leaves it alone until a newer tag appears
      repo.refresh().write("deploy/web.yaml", deployment(repoImage + ":1.0.0")).write("deploy/values.yaml",
          values("1.0.0"));
      String reverted = repo.commit("back to 1.0.0 for now");
      rescan("web");
      assertThat(repo.head()).as("the same image is not written again over a revert").isEqualTo(reverted);
      registry.push("shop/web", "1.2.0");
      rescan("web");
      await().atMost(WAIT).until(() -> !repo.head().equals(reverted));
      assertThat(repo.headCommit().getShortMessage()).isEqualTo("web: update image to 1.2.0");
      assertThat(repo.parse(repo.headCommit().getParent(0).getName()).getName()).isEqualTo(reverted);
      await().atMost(WAIT).until(() -> (repoImage + ":1.2.0").equals(image()));
    }
  }

  @Test
  void badInputAndAnUnreachableRegistryAreConditionsAndWriteNothing() throws Exception {
    try (TestRepo repo = TestRepo.create(tmp.resolve("bad"))) {
      fx.create("bad-apps", GitSyncFixture.spec(repo.write("x.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:"
          + " {name: x}\n").url(), ""));
      String head = repo.commit("x");
      fx.client.resource(io.fabric8.kubernetes.client.utils.Serialization.unmarshal("""
          apiVersion: bunting.dev/v1alpha1
          kind: ImagePolicy
          metadata: {name: nosecret, namespace: %s}
          spec:
            image: %s/shop/web
            insecure: true
            secretRef: {name: missing}
            policy: {semver: {range: ">=1.0.0"}}
            update: {gitSyncRef: {name: bad-apps}}
          """.formatted(fx.namespace, registry.host()), ImagePolicy.class)).create();
      fx.client.resource(io.fabric8.kubernetes.client.utils.Serialization.unmarshal("""
          apiVersion: bunting.dev/v1alpha1
          kind: ImagePolicy
          metadata: {name: down, namespace: %s}
          spec:
            image: 127.0.0.1:9/shop/web
            insecure: true
            timeout: 5s
            policy: {semver: {range: ">=1.0.0"}}
            update: {gitSyncRef: {name: bad-apps}}
          """.formatted(fx.namespace), ImagePolicy.class)).create();
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(policy("nosecret").getStatus()).isNotNull();
        assertThat(policy("down").getStatus()).isNotNull();
        Condition a = Condition.find(policy("nosecret").getStatus().conditions, Condition.READY).orElseThrow();
        assertThat(a.reason).isEqualTo("InvalidSecret");
        assertThat(a.message).isEqualTo("Secret missing (spec.secretRef) not found in namespace " + fx.namespace);
        Condition b = Condition.find(policy("down").getStatus().conditions, Condition.READY).orElseThrow();
        assertThat(b.reason).isEqualTo("ScanFailed");
        assertThat(b.message).startsWith("listing the tags of 127.0.0.1:9/shop/web: ");
      });
      assertThat(events(ImagePolicy.KIND, "nosecret")).containsExactly("InvalidSecret Secret missing (spec.secretRef)"
          + " not found in namespace " + fx.namespace);
      assertThat(policy("down").getStatus().latestImage).isNull();
      assertThat(repo.head()).as("nothing was written").isEqualTo(head);
    }
  }
}
