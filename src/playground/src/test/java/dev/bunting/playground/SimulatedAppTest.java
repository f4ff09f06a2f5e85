package dev.bunting.playground;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A simulated pod over real HTTP: its answers, its latency, and the histogram it exposes. */
class SimulatedAppTest {
  private Vertx vertx;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private SimulatedApp start(String image) throws Exception {
    return new SimulatedApp(vertx, "podinfo-abc-12345", AppBehaviour.of(image)).start()
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private HttpResponse<String> get(SimulatedApp app, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aBadVersionAnswersOneRequestInFiveWith500AndCountsThemByStatus() throws Exception {
    SimulatedApp app = start("ghcr.io/stefanprodan/podinfo:1.2.0-bad");
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      statuses.add(get(app, "/").statusCode());
    }
    assertThat(statuses).containsExactly(200, 200, 200, 200, 500, 200, 200, 200, 200, 500);
    String metrics = get(app, "/metrics").body();
    assertThat(metrics)
        .contains("http_request_duration_seconds_count{method=\"GET\",path=\"/\",status=\"200\"} 8")
        .contains("http_request_duration_seconds_count{method=\"GET\",path=\"/\",status=\"500\"} 2")
        .contains("http_request_duration_seconds_bucket{method=\"GET\",path=\"/\",status=\"200\",le=\"0.025\"}");
    assertThat(app.served()).isEqualTo(10);
  }

  @Test
  void aHealthyVersionSaysWhoAndWhatItIs() throws Exception {
    SimulatedApp app = start("ghcr.io/stefanprodan/podinfo:1.1.0");
    HttpResponse<String> r = get(app, "/");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"hostname\":\"podinfo-abc-12345\"", "\"version\":\"1.1.0\"");
    assertThat(r.headers().firstValue("X-Pod")).hasValue("podinfo-abc-12345");
    assertThat(get(app, "/healthz").statusCode()).isEqualTo(200);
    assertThat(get(app, "/metrics").body()).doesNotContain("status=\"500\"");
  }

  @Test
  void aSlowVersionTakesHalfASecondMore() throws Exception {
    SimulatedApp app = start("ghcr.io/stefanprodan/podinfo:1.1.0-slow");
    long started = System.nanoTime();
    assertThat(get(app, "/").statusCode()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
    assertThat(get(app, "/metrics").body())
        .contains("http_request_duration_seconds_bucket{method=\"GET\",path=\"/\",status=\"200\",le=\"0.5\"} 0")
        .contains("http_request_duration_seconds_bucket{method=\"GET\",path=\"/\",status=\"200\",le=\"1.0\"} 1");
  }
}
