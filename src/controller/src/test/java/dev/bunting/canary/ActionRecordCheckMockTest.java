package dev.bunting.canary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryActionStatus;
import dev.bunting.api.CanaryStatus;
import dev.bunting.cli.BuntingApp;
import dev.bunting.cli.ControllerOptions;
import dev.bunting.kube.BlockingPool;
import dev.bunting.testing.ProjectFiles;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Canary CRD without {@code status.lastAction} (older than this Bunting, or Flagger's) would make a handled request
 * look new again on every reconcile: then requests are not carried out, and the user is told why.
 */
@EnableKubernetesMockClient(crud = true)
class ActionRecordCheckMockTest {
  KubernetesMockServer server;
  KubernetesClient client;
  private Vertx vertx;
  private BlockingPool pool;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    pool = new BlockingPool(vertx, "test", 2);
  }

  @AfterEach
  void stop() {
    pool.close();
    vertx.close();
  }

  /** The project's Canary CRD, with or without {@code status.lastAction}. */
  private void installCrd(boolean withLastAction) throws Exception {
    CustomResourceDefinition crd = Serialization.unmarshal(
        Files.readString(ProjectFiles.resolve("crds/flagger.app_canaries.yaml")), CustomResourceDefinition.class);
    if (!withLastAction) {
      crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("status")
          .getProperties().remove("lastAction");
    }
    client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
  }

  private boolean kept(ActionRecordCheck check) throws Exception {
    return check.kept().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void theInstalledCrdSaysWhetherTheRecordIsKept() throws Exception {
    installCrd(false);
    ActionRecordCheck check = new ActionRecordCheck(client, pool, Clock.systemUTC());
    assertThat(kept(check)).isFalse();

    client.apiextensions().v1().customResourceDefinitions().withName(ActionRecordCheck.CRD).delete();
    installCrd(true);
    assertThat(kept(check)).as("still the answer of a minute ago").isFalse();
    Clock later = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(2));
    ActionRecordCheck current = new ActionRecordCheck(client, pool, later);
    assertThat(kept(current)).isTrue();
  }

  @Test
  void withoutTheRightToReadTheCrdAStatusWriteTells() throws Exception {
    ActionRecordCheck check = new ActionRecordCheck(client, pool, Clock.systemUTC());
    assertThat(kept(check)).as("no CRD to read: assume kept").isTrue();
    CanaryStatus sent = new CanaryStatus();
    sent.lastAction = new CanaryActionStatus("abort", "abort", CanaryActionStatus.ACCEPTED, "rolled back", null);
    Canary stored = new Canary();
    stored.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("podinfo")
        .withNamespace("test").build());
    stored.setStatus(new CanaryStatus());
    check.written(sent, stored);
    assertThat(kept(check)).isFalse();
  }

  @Test
  void theControllerRefusesRequestsWithAnOldCrdAndSaysWhy() throws Exception {
    installCrd(false);
    ControllerOptions options = ControllerOptions.defaults();
    options.port = 0;
    options.listenAddress = "127.0.0.1";
    options.namespace = "test";
    options.metricsServer = "http://127.0.0.1:1";
    BuntingApp app = new BuntingApp(vertx, options, client.getConfiguration(), Clock.systemUTC()).start()
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    try {
      client.resources(Canary.class).inNamespace("test").resource(Serialization.unmarshal("""
          apiVersion: flagger.app/v1beta1
          kind: Canary
          metadata:
            name: podinfo
            namespace: test
            annotations: {bunting.dev/action: abort}
          spec:
            provider: kubernetes
            targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
            service: {port: 9898}
            analysis: {interval: 1m, threshold: 5, iterations: 2}
          """, Canary.class)).create();
      Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
          client.v1().events().inNamespace("test").list().getItems()).anySatisfy(e -> assertThat(e.getMessage())
              .isEqualTo("bunting.dev/action=abort not carried out: " + ActionRecordCheck.MISSING)));
      // the Event is recorded before the reconcile decides and writes the status: wait for that write
      Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(client.resources(Canary.class)
          .inNamespace("test").withName("podinfo").get().getStatus()).as("the canary is reconciled as usual")
          .isNotNull());
      Canary c = client.resources(Canary.class).inNamespace("test").withName("podinfo").get();
      assertThat(c.getStatus().lastAction).isNull();
    } finally {
      app.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
