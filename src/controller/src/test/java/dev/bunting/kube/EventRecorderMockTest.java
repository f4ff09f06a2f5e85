package dev.bunting.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.testing.ManualClock;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Fast tier: repeated Events are counted on one Event, as client-go's recorder does, also by a restarted recorder. */
@EnableKubernetesMockClient(crud = true)
class EventRecorderMockTest {
  KubernetesMockServer server;
  KubernetesClient client;
  private final Vertx vertx = Vertx.vertx();
  private final BlockingPool pool = new BlockingPool(vertx, "test-events", 2);
  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-26T10:00:00Z"));


  @AfterEach
  void close() {
    pool.close();
    vertx.close();
  }

  private ConfigMap about() {
    return new ConfigMapBuilder().withNewMetadata().withName("web").withNamespace("test").withUid("uid-1")
        .endMetadata().build();
  }

  private void record(EventRecorder recorder, String reason, String message) throws Exception {
    recorder.record(about(), EventRecorder.WARNING, reason, message).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  private List<Event> events() {
    return client.v1().events().inNamespace("test").list().getItems().stream()
        .sorted(Comparator.comparing(Event::getFirstTimestamp).thenComparing(Event::getMessage)).toList();
  }

  @Test
  void aRepeatedEventRaisesTheCountOfTheFirstOneAlsoAfterARestart() throws Exception {
    EventRecorder recorder = new EventRecorder(client, pool, clock, "bunting", "pod-1");
    record(recorder, "Synced", "Deployment test/web not found");
    clock.advance(Duration.ofMinutes(1));
    record(recorder, "Synced", "Deployment test/web not found");
    clock.advance(Duration.ofMinutes(1));
    record(recorder, "Synced", "a different message");

    List<Event> events = events();
    assertThat(events).hasSize(2);
    assertThat(events.get(0).getMessage()).isEqualTo("Deployment test/web not found");
    assertThat(events.get(0).getCount()).isEqualTo(2);
    assertThat(events.get(0).getFirstTimestamp()).isEqualTo("2026-11-26T10:00:00Z");
    assertThat(events.get(0).getLastTimestamp()).isEqualTo("2026-11-26T10:01:00Z");
    assertThat(events.get(1).getCount()).isEqualTo(1);

    // a restarted controller knows nothing of the Event, finds it and goes on counting
    EventRecorder restarted = new EventRecorder(client, pool, clock, "bunting", "pod-2");
    clock.advance(Duration.ofMinutes(1));
    record(restarted, "Synced", "Deployment test/web not found");
    events = events();
    assertThat(events).hasSize(2);
    assertThat(events.get(0).getCount()).isEqualTo(3);
    assertThat(events.get(0).getLastTimestamp()).isEqualTo("2026-11-26T10:03:00Z");
  }

  @Test
  void aRepeatOfAKnownEventIsOnePatchRequest() throws Exception {
    EventRecorder recorder = new EventRecorder(client, pool, clock, "bunting", "pod-1");
    record(recorder, "Synced", "Advance web.test canary iteration 1/5");
    int before = server.getRequestCount();
    clock.advance(Duration.ofMinutes(1));
    record(recorder, "Synced", "Advance web.test canary iteration 1/5");
    assertThat(server.getRequestCount() - before).as("requests for the repeat").isEqualTo(1);
    assertThat(server.getLastRequest().getMethod()).isEqualTo("PATCH");
    assertThat(events()).singleElement().satisfies(e -> {
      assertThat(e.getCount()).isEqualTo(2);
      assertThat(e.getLastTimestamp()).isEqualTo("2026-11-26T10:01:00Z");
    });
  }

  @Test
  void recordsOfOneEventInQuickSuccessionAreAllCounted() throws Exception {
    EventRecorder recorder = new EventRecorder(client, pool, clock, "bunting", "pod-1");
    List<io.vertx.core.Future<Void>> all = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      all.add(recorder.record(about(), EventRecorder.NORMAL, "Synced", "same"));
    }
    io.vertx.core.Future.all(all).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(events()).singleElement().satisfies(e -> assertThat(e.getCount()).isEqualTo(5));
  }

  @Test
  void anEventThatExpiredIsCreatedAgain() throws Exception {
    EventRecorder recorder = new EventRecorder(client, pool, clock, "bunting", "pod-1");
    record(recorder, "Synced", "once");
    client.v1().events().inNamespace("test").delete();
    record(recorder, "Synced", "once");
    assertThat(events()).singleElement().satisfies(e -> assertThat(e.getCount()).isEqualTo(1));
  }
}
