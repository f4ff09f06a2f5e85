package dev.bunting.chart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.testing.KubectlResult;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.TestNamespace;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code gitsync.requireServiceAccount}: the chart's ValidatingAdmissionPolicy makes the API server refuse GitSyncs
 * that name no ServiceAccount (they would apply with the controller's own identity). Installed as a namespaced
 * release, so the binding covers the test namespace only and the shared cluster is unaffected elsewhere.
 */
@LocalCluster
class ChartAdmissionClusterTest {
  static TestCluster cluster;
  @TestNamespace static String namespace;
  static String elsewhere;

  @BeforeAll
  static void installThePolicy() {
    elsewhere = cluster.createNamespace("elsewhere");
    createGitSync(namespace, "legacy", null).assertSuccess(); // made before the policy existed
    Rendered rendered = HelmChart.template(namespace, namespace, ChartValues.namespaced(namespace));
    String policy = rendered.yamlWithout("ServiceAccount", "Role", "RoleBinding", "ClusterRole",
        "ClusterRoleBinding", "Service", "Deployment");
    assertThat(rendered.kinds()).contains("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");
    Path file = HelmChart.writeTemp("policy-", ".yaml", policy);
    cluster.kubectl("apply", "--server-side", "--field-manager=bunting-chart-test", "-f", file.toString())
        .assertSuccess();
  }

  @AfterAll
  static void removeThePolicy() {
    cluster.kubectl("delete", "validatingadmissionpolicy,validatingadmissionpolicybinding", "-l",
        "app.kubernetes.io/instance=" + namespace, "--ignore-not-found");
  }

  private static KubectlResult createGitSync(String ns, String name, String serviceAccount) {
    String yaml = """
        apiVersion: bunting.dev/v1alpha1
        kind: GitSync
        metadata: {name: %s, namespace: %s}
        spec:
          url: https://git.example.com/platform/apps.git
          path: deploy
          suspend: true
        %s""".formatted(name, ns, serviceAccount == null ? "" : "  serviceAccountName: " + serviceAccount + "\n");
    return cluster.kubectl("create", "-f", HelmChart.writeTemp("gitsync-", ".yaml", yaml).toString());
  }

  @Test
  void gitSyncsWithoutAServiceAccountAreRefusedInTheWatchedNamespace() {
    // the API server enforces a new policy once its informers have seen it: wait for the first refusal
    AtomicInteger attempt = new AtomicInteger();
    cluster.await(Duration.ofSeconds(60)).untilAsserted(() -> {
      KubectlResult refused = createGitSync(namespace, "no-account-" + attempt.incrementAndGet(), null);
      assertThat(refused.exitCode()).isNotZero();
      assertThat(refused.stderr()).contains("spec.serviceAccountName is required")
          .contains("bunting-gitsync-service-account");
    });

    createGitSync(namespace, "with-account", "deployer").assertSuccess();
    createGitSync(elsewhere, "no-account", null).assertSuccess();

    // a GitSync that predates the policy: metadata-only updates (what the controller and `kubectl annotate` do) pass,
    // so it can still get and lose its finalizer and be deleted; changing its spec without an account is refused
    cluster.kubectl("annotate", "gitsync", "legacy", "-n", namespace, "reconcile.bunting.dev/requestedAt=now")
        .assertSuccess();
    cluster.kubectl("patch", "gitsync", "legacy", "-n", namespace, "--type=merge", "-p",
        "{\"metadata\":{\"finalizers\":[\"finalizers.bunting.dev\"]}}").assertSuccess();
    KubectlResult specChange = cluster.kubectl("patch", "gitsync", "legacy", "-n", namespace, "--type=merge", "-p",
        "{\"spec\":{\"path\":\"other\"}}");
    assertThat(specChange.exitCode()).isNotZero();
    assertThat(specChange.stderr()).contains("spec.serviceAccountName is required");
    cluster.kubectl("patch", "gitsync", "legacy", "-n", namespace, "--type=merge", "-p",
        "{\"metadata\":{\"finalizers\":null}}").assertSuccess();
    cluster.kubectl("delete", "gitsync", "legacy", "-n", namespace).assertSuccess();
  }
}
