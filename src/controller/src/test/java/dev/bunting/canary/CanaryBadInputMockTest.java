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
          provider: istio
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: meshed}
          service: {port: 9898}
          analysis: {interval: 1m, threshold: 5, stepWeight: 10}
        """, Canary.class)).create();
    Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      Condition c = stalled("meshed");
      assertThat(c).isNotNull();
      assertThat(c.reason).isEqualTo("Unsupported");
      assertThat(c.message).startsWith("provider istio is not supported by Bunting yet (supported: kubernetes, "
          + "gatewayapi:v1, gatewayapi:v1beta1");
    });
  }
}
