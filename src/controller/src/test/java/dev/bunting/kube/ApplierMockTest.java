package dev.bunting.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fast tier: {@link Applier#applyIfChanged} remembers what it found applied, so a check of the same desired object
 * against the same live version neither builds the live object nor writes; any change of either is checked again.
 */
@EnableKubernetesMockClient(crud = true)
class ApplierMockTest {
  KubernetesMockServer server;
  KubernetesClient client;
  private final Vertx vertx = Vertx.vertx();
  private final BlockingPool pool = new BlockingPool(vertx, "test-apply", 2);

  @AfterEach
  void close() {
    pool.close();
    vertx.close();
  }

  private static Service service(int port, String resourceVersion) {
    return new ServiceBuilder().withNewMetadata().withName("web").withNamespace("shop")
        .withResourceVersion(resourceVersion).addToLabels("app", "web").endMetadata()
        .withNewSpec().addToSelector("app", "web-primary").addNewPort().withName("http").withPort(port).endPort()
        .endSpec().build();
  }

  private static void await(Future<?> f) throws Exception {
    f.toCompletionStage().toCompletableFuture().exceptionally(e -> null).get(10, TimeUnit.SECONDS);
  }

  @Test
  void theSameDesiredObjectAgainstTheSameLiveVersionIsNotCheckedAgain() throws Exception {
    Applier applier = new Applier(client, pool, "bunting");
    AtomicInteger reads = new AtomicInteger();
    Service[] live = {service(80, "5")};
    Supplier<Service> cache = () -> {
      reads.incrementAndGet();
      return live[0];
    };
    int requests = server.getRequestCount();

    await(applier.applyIfChanged(service(80, null), "5", cache));
    assertThat(reads).as("first check reads the live object").hasValue(1);
    await(applier.applyIfChanged(service(80, null), "5", cache));
    assertThat(reads).as("same desired, same live version: remembered").hasValue(1);
    assertThat(server.getRequestCount()).as("nothing written").isEqualTo(requests);

    live[0] = service(80, "6"); // someone else changed it (a label, say)
    await(applier.applyIfChanged(service(80, null), "6", cache));
    assertThat(reads).as("a new live version is checked").hasValue(2);
    assertThat(server.getRequestCount()).isEqualTo(requests);

    await(applier.applyIfChanged(service(81, null), "6", cache));
    assertThat(reads).as("a new desired object is checked").hasValue(3);
    assertThat(server.getRequestCount()).as("and applied, as it differs").isEqualTo(requests + 1);
    assertThat(server.getLastRequest().getMethod()).isEqualTo("PATCH");

    await(applier.applyIfChanged(service(80, null), "6", cache));
    assertThat(reads).as("after a write nothing is remembered for the object").hasValue(4);
  }

  @Test
  void withoutALiveVersionEveryCheckReadsTheObject() throws Exception {
    Applier applier = new Applier(client, pool, "bunting");
    AtomicInteger reads = new AtomicInteger();
    Supplier<Service> cache = () -> {
      reads.incrementAndGet();
      return service(80, "5");
    };
    await(applier.applyIfChanged(service(80, null), null, cache));
    await(applier.applyIfChanged(service(80, null), null, cache));
    assertThat(reads).hasValue(2);
  }
}
