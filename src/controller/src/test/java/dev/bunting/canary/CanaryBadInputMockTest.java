package dev.bunting.canary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.api.Condition;
import dev.bunting.cli.BuntingApp;
import dev.bunting.cli.ControllerOptions;
import dev.bunting.testing.ProjectFiles;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fast tier (fabric8's CRUD mock server, no cluster): the whole controller, informers to status writes, on bad input.
 * A Canary that cannot be run gets a Stalled condition naming the problem and a Warning Event, and nothing else is
 * created. (Everything that needs server-side apply, garbage collection or real Deployments is tested against the
 * local control plane.)
 */
@EnableKubernetesMockClient(crud = true)
class CanaryBadInputMockTest {
  KubernetesMockServer server;
  KubernetesClient client;
  private Vertx vertx;
  private BuntingApp app;

  @BeforeEach
  void start() throws Exception {
    for (Path crd : List.of(ProjectFiles.resolve("crds/flagger.app_canaries.yaml"),
        ProjectFiles.resolve("crds/flagger.app_metrictemplates.yaml"), ProjectFiles.resolve("crds/flagger.app_alertproviders.yaml"))) {
      client.apiextensions().v1().customResourceDefinitions()
          .resource(Serialization.unmarshal(Files.readString(crd), CustomResourceDefinition.class)).create();
    }
    vertx = Vertx.vertx();
    ControllerOptions options = ControllerOptions.defaults();
    options.port = 0;
    options.listenAddress = "127.0.0.1";
    options.namespace = "test";
    options.metricsServer = "http://127.0.0.1:1";
    app = new BuntingApp(vertx, options, client.getConfiguration(), Clock.systemUTC()).start()
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    app.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    vertx.close();
  }

  private Condition stalled(String name) {
    Canary c = client.resources(Canary.class).inNamespace("test").withName(name).get();
    return c.getStatus() == null ? null : Condition.find(c.getStatus().conditions, "Stalled").orElse(null);
  }

  private List<String> events(String name) {
    return client.v1().events().inNamespace("test").list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName())).map(e -> e.getMessage()).toList();
  }

  @Test
  void aMissingTargetAndABadSelectorAreReportedAndNothingIsCreated() {
    client.resources(Canary.class).inNamespace("test").resource(Serialization.unmarshal("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: podinfo, namespace: test}
        spec:
          provider: kubernetes
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
          service: {port: 9898}
          analysis: {interval: 1m, threshold: 5, iterations: 5}
        """, Canary.class)).create();

    Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      Condition c = stalled("podinfo");
      assertThat(c).isNotNull();
      assertThat(c.reason).isEqualTo("TargetNotFound");
      assertThat(c.message).isEqualTo("Deployment test/podinfo not found");
      assertThat(events("podinfo")).contains("Deployment test/podinfo not found");
    });

    client.apps().deployments().inNamespace("test").resource(Serialization.unmarshal("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: podinfo, namespace: test}
        spec:
          replicas: 2
          selector: {matchLabels: {component: web}}
          template:
            metadata: {labels: {component: web}}
            spec: {containers: [{name: app, image: "ghcr.io/stefanprodan/podinfo:6.0.0"}]}
        """, io.fabric8.kubernetes.api.model.apps.Deployment.class)).create();

    Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      Condition c = stalled("podinfo");
      assertThat(c.reason).isEqualTo("InvalidSpec");
      assertThat(c.message).isEqualTo("Deployment test/podinfo: spec.selector.matchLabels must contain one of "
          + "[app, name, app.kubernetes.io/name]");
    });
    Canary canary = client.resources(Canary.class).inNamespace("test").withName("podinfo").get();
    assertThat(Condition.find(canary.getStatus().conditions, "Ready").get().status).isEqualTo("False");
    assertThat(canary.getStatus().observedGeneration).isEqualTo(canary.getMetadata().getGeneration());
    assertThat(client.apps().deployments().inNamespace("test").withName("podinfo-primary").get()).isNull();
    assertThat(client.services().inNamespace("test").list().getItems()).isEmpty();
    assertThat(client.apps().deployments().inNamespace("test").withName("podinfo").get().getSpec().getReplicas())
        .as("the target is not scaled").isEqualTo(2);
    assertThat(app.requests().writes()).as("status and Event writes only, no churn").isLessThan(10);
  }

  @Test
  void anUnsupportedProviderIsRefusedWithAClearMessage() {
    client.resources(Canary.class).inNamespace("test").resource(Serialization.unmarshal("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: meshed, namespace: test}
        spec:
          provider: istoi
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: meshed}
          service: {port: 9898}
          analysis: {interval: 1m, threshold: 5, stepWeight: 10}
        """, Canary.class)).create();
    Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      Condition c = stalled("meshed");
      assertThat(c).isNotNull();
      assertThat(c.reason).isEqualTo("Unsupported");
      assertThat(c.message).startsWith("provider istoi is not supported by Bunting yet (supported: kubernetes, "
          + "gatewayapi:v1, gatewayapi:v1beta1");
    });
  }

  /** No CRD for these providers in the cluster: each Canary says which kind its provider needs, nothing is created. */
  @Test
  void aProviderWhoseRoutingKindIsNotInstalledIsReported() {
    for (String provider : List.of("kuma", "smi:v1alpha2")) {
      String name = provider.replace(":", "-");
      client.apps().deployments().inNamespace("test").resource(Serialization.unmarshal("""
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: %1$s, namespace: test}
          spec:
            replicas: 2
            selector: {matchLabels: {app: %1$s}}
            template:
              metadata: {labels: {app: %1$s}}
              spec: {containers: [{name: app, image: "ghcr.io/stefanprodan/podinfo:6.0.0"}]}
          """.formatted(name), io.fabric8.kubernetes.api.model.apps.Deployment.class)).create();
      client.resources(Canary.class).inNamespace("test").resource(Serialization.unmarshal("""
          apiVersion: flagger.app/v1beta1
          kind: Canary
          metadata: {name: %1$s, namespace: test}
          spec:
            provider: %2$s
            targetRef: {apiVersion: apps/v1, kind: Deployment, name: %1$s}
            service: {port: 9898}
            analysis: {interval: 1m, threshold: 5, stepWeight: 10}
          """.formatted(name, provider), Canary.class)).create();
    }
    Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(stalled("kuma")).extracting(c -> c.reason, c -> c.message).containsExactly("Unsupported",
          "TrafficRoute (kuma.io/v1alpha1) is not installed in the cluster; provider kuma needs it");
      assertThat(stalled("smi-v1alpha2")).extracting(c -> c.reason, c -> c.message).containsExactly("Unsupported",
          "TrafficSplit (split.smi-spec.io/v1alpha2) is not installed in the cluster; provider smi:v1alpha2 needs it");
    });
    assertThat(client.apps().deployments().inNamespace("test").withName("kuma-primary").get()).isNull();
  }

  /**
   * Bunting's analysis settings with values it cannot run (the CRD's enums stop these at the API server; a Canary
   * stored under an older CRD, or Flagger's, can still carry them): a clear condition, an Event, and nothing else.
   */
  @Test
  void badAnalysisSettingsHoldTheCanaryWithAClearMessage() {
    String[][] cases = {
        {"typo", "- {name: request-success-rate, thresholdRange: {min: 99}, noData: wiat}",
            "metric request-success-rate: noData \"wiat\" is not one of fail, skip, wait"},
        {"noquery", "- {name: latency, compare: primary}",
            "metric latency has neither a query nor a templateRef (compare: primary runs its query for the canary "
                + "and the primary)"},
        {"both", "- {name: request-duration, compare: primary, thresholdRange: {max: 500}}",
            "metric request-duration: compare: primary replaces the threshold; remove thresholdRange/threshold or "
                + "compare"}};
    for (String[] c : cases) {
      client.apps().deployments().inNamespace("test").resource(Serialization.unmarshal("""
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: %1$s, namespace: test}
          spec:
            replicas: 2
            selector: {matchLabels: {app: %1$s}}
            template:
              metadata: {labels: {app: %1$s}}
              spec: {containers: [{name: app, image: "ghcr.io/stefanprodan/podinfo:6.0.0"}]}
          """.formatted(c[0]), io.fabric8.kubernetes.api.model.apps.Deployment.class)).create();
      client.resources(Canary.class).inNamespace("test").resource(Serialization.unmarshal("""
          apiVersion: flagger.app/v1beta1
          kind: Canary
          metadata: {name: %1$s, namespace: test}
          spec:
            provider: kubernetes
            targetRef: {apiVersion: apps/v1, kind: Deployment, name: %1$s}
            service: {port: 9898}
            analysis:
              interval: 1m
              threshold: 5
              iterations: 2
              metrics:
              %2$s
          """.formatted(c[0], c[1]), Canary.class)).create();
    }
    Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      for (String[] c : cases) {
        assertThat(stalled(c[0])).as(c[0]).extracting(x -> x.reason, x -> x.message)
            .containsExactly("InvalidSpec", c[2]);
      }
    });
    for (String[] c : cases) {
      assertThat(client.apps().deployments().inNamespace("test").withName(c[0] + "-primary").get()).isNull();
      assertThat(client.v1().events().inNamespace("test").list().getItems()).as("an Event for " + c[0])
          .anyMatch(e -> c[2].equals(e.getMessage()) && c[0].equals(e.getInvolvedObject().getName()));
    }
  }
}
