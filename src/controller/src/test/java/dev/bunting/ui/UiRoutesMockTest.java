package dev.bunting.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.canary.ActionRequest;
import dev.bunting.http.HttpApi;
import dev.bunting.kube.BlockingPool;
import dev.bunting.kube.Informers;
import dev.bunting.kube.ResourceCache;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.EventListBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The UI's HTTP handlers on fabric8's mock API server (CRUD for Canaries, expectations standing in for the API
 * server's TokenReview and SubjectAccessReview): the page and its JSON, who may act (401 without or with a bad token,
 * 403 for a user without {@code patch} on canaries or from another origin, 415 without JSON), the annotation an
 * allowed action writes, and the server-sent events a page follows.
 */
@EnableKubernetesMockClient(crud = true)
class UiRoutesMockTest {
  static final String NS = "test";
  KubernetesMockServer server;
  KubernetesClient client;
  private Vertx vertx;
  private BlockingPool pool;
  private Informers informers;
  private HttpApi http;
  private String base;
  private final HttpClient web = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    // alice-token: user alice, allowed; bob-token: user bob, not allowed; anything else: not authenticated
    server.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews").andReply(201, req -> {
      TokenReview review = Serialization.unmarshal(req.getUtf8Body(), TokenReview.class);
      String token = review.getSpec().getToken();
      String user = token.equals("alice-token") ? "alice" : token.equals("bob-token") ? "bob" : null;
      review.setStatus(user == null ? new TokenReviewStatusBuilder().withAuthenticated(false).build()
          : new TokenReviewStatusBuilder().withAuthenticated(true).withNewUser().withUsername(user)
              .withGroups("system:authenticated").endUser().build());
      return review;
    }).always();
    server.expect().post().withPath("/apis/authorization.k8s.io/v1/subjectaccessreviews").andReply(201, req -> {
      SubjectAccessReview sar = Serialization.unmarshal(req.getUtf8Body(), SubjectAccessReview.class);
      var attrs = sar.getSpec().getResourceAttributes();
      boolean allowed = "alice".equals(sar.getSpec().getUser()) && "patch".equals(attrs.getVerb())
          && "flagger.app".equals(attrs.getGroup()) && "canaries".equals(attrs.getResource())
          && NS.equals(attrs.getNamespace());
      sar.setStatus(new SubjectAccessReviewStatusBuilder().withAllowed(allowed).build());
      return sar;
    }).always();

    client.resource(canary("podinfo", 10)).create();
    // the mock cannot select Events by involved object: this answers the one request the canary's page should make
    server.expect().get().withPath("/api/v1/namespaces/" + NS + "/events?fieldSelector="
        + "involvedObject.kind%3DCanary%2CinvolvedObject.name%3Dpodinfo").andReply(200, req -> new EventListBuilder()
            .addToItems(event("podinfo-2", "Advance podinfo.%s canary weight 10".formatted(NS), "2026-12-04T16:40:05Z"),
                event("podinfo-1", "New revision detected! Scaling up podinfo.%s".formatted(NS),
                    "2026-12-04T16:39:55Z")).build()).always();
    vertx = Vertx.vertx();
    pool = new BlockingPool(vertx, "test", 2);
    informers = new Informers(client, pool, null, Duration.ofMinutes(10));
    ResourceCache<Canary> canaries = informers.watch(Canary.class, Map.of());
    UiRoutes ui = new UiRoutes(vertx, canaries, Optional.empty(), true,
        new CanaryHistory(Clock.systemUTC(), 100, 100, 1000), new UiAccess(client, pool), client, pool, Clock.systemUTC(),
        50);
    informers.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    http = new HttpApi(vertx, new PrometheusRegistry(), () -> true, List.of(ui));
    http.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + http.port();
  }

  @AfterEach
  void stop() throws Exception {
    http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    informers.stop();
    pool.close();
    vertx.close();
  }

  static Canary canary(String name, int weight) {
    return Serialization.unmarshal("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: %s, namespace: %s}
        spec:
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: %s}
          service: {port: 80}
          analysis:
            interval: 10s
            threshold: 5
            stepWeight: 10
            maxWeight: 50
            webhooks:
            - name: gate
              type: confirm-promotion
              url: http://user:secret@gate.test/approve?token=s3cret
        status:
          phase: Progressing
          canaryWeight: %d
          failedChecks: 1
          lastTransitionTime: "2026-12-04T16:40:05Z"
          gitRevision: {revision: "main@sha1:0123456789abcdef0123456789abcdef01234567", subject: "podinfo 1.2.0"}
          analysis:
            evaluatedAt: "2026-12-04T16:40:05Z"
            result: Passed
            metrics:
            - {name: request-success-rate, result: Passed, value: 99.5, range: ">= 99"}
        """.formatted(name, NS, name, weight), Canary.class);
  }

  private static Event event(String name, String message, String at) {
    return new EventBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
        .withNewInvolvedObject().withApiVersion("flagger.app/v1beta1").withKind("Canary").withName("podinfo")
        .withNamespace(NS).endInvolvedObject().withReason("Synced").withType("Normal").withMessage(message)
        .withCount(1).withLastTimestamp(at).build();
  }

  private HttpResponse<String> post(String action, Map<String, String> headers, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/ui/api/canaries/" + NS + "/podinfo/actions/"
        + action)).POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    return web.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, String> json(String... more) {
    Map<String, String> h = new java.util.HashMap<>(Map.of("Content-Type", "application/json"));
    for (int i = 0; i < more.length; i += 2) {
      h.put(more[i], more[i + 1]);
    }
    return h;
  }

  private String annotation() {
    Map<String, String> a = client.resources(Canary.class).inNamespace(NS).withName("podinfo").get().getMetadata()
        .getAnnotations();
    return a == null ? null : a.get(ActionRequest.ANNOTATION);
  }

  @Test
  void thePageCarriesTheRolloutsAndNoSecrets() throws Exception {
    HttpResponse<String> page = web.send(HttpRequest.newBuilder(URI.create(base + "/ui")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v)
        .contains("script-src 'self'"));
    assertThat(page.body()).contains("\"name\":\"podinfo\"", "\"weight\":10", "main@sha1:0123456789ab");

    HttpResponse<String> detail = web.send(HttpRequest.newBuilder(URI.create(base + "/ui/api/canaries/" + NS
        + "/podinfo")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(detail.statusCode()).isEqualTo(200);
    JsonObject d = new JsonObject(detail.body());
    assertThat(d.getString("phase")).isEqualTo("Progressing");
    assertThat(d.getInteger("failedChecks")).isEqualTo(1);
    assertThat(d.getInteger("threshold")).isEqualTo(5);
    assertThat(d.getJsonObject("analysis").getJsonArray("metrics").getJsonObject(0).getDouble("value"))
        .isEqualTo(99.5);
    assertThat(d.getJsonArray("webhooks").getJsonObject(0).getString("url")).isEqualTo("http://gate.test/approve");
    assertThat(detail.body()).doesNotContain("secret", "s3cret");
    assertThat(d.getJsonArray("history")).isNotEmpty();
    assertThat(d.getJsonArray("history").getJsonObject(0).getString("decision")).isNotNull();
    assertThat(d.getBoolean("eventsShown")).isTrue();
    assertThat(d.getJsonArray("events").stream().map(e -> ((JsonObject) e).getString("message")))
        .as("the canary's Events, listed when asked for, oldest first")
        .containsExactly("New revision detected! Scaling up podinfo.%s".formatted(NS),
            "Advance podinfo.%s canary weight 10".formatted(NS));

    HttpResponse<String> canaryPage = web.send(HttpRequest.newBuilder(URI.create(base + "/ui/canaries/" + NS
        + "/podinfo")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(canaryPage.body()).contains("\"view\":\"canary\"").doesNotContain("s3cret");
    assertThat(web.send(HttpRequest.newBuilder(URI.create(base + "/ui/app.js")).build(),
        HttpResponse.BodyHandlers.ofString()).headers().firstValue("Content-Type")).hasValue(
            "text/javascript; charset=utf-8");
  }

  @Test
  void anActionWithoutATokenIsRefusedWith401() throws Exception {
    HttpResponse<String> r = post("pause", json(), "{}");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertThat(post("pause", json("Authorization", "Bearer nobody-knows-me"), "{}").statusCode()).isEqualTo(401);
    assertThat(annotation()).isNull();
  }

  @Test
  void aUserWhoMayNotPatchCanariesGets403() throws Exception {
    HttpResponse<String> r = post("pause", json("Authorization", "Bearer bob-token"), "{}");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("bob may not patch canaries.flagger.app in namespace test");
    assertThat(annotation()).isNull();
  }

  @Test
  void anAuthorisedUserWritesTheRequest() throws Exception {
    HttpResponse<String> r = post("promote", json("Authorization", "Bearer alice-token"), "{\"force\": true}");
    assertThat(r.statusCode()).isEqualTo(202);
    String value = new JsonObject(r.body()).getString("request");
    assertThat(value).startsWith("promote,force@");
    assertThat(annotation()).isEqualTo(value);
    ActionRequest parsed = ActionRequest.parse(annotation());
    assertThat(parsed.action()).isEqualTo(ActionRequest.Action.PROMOTE);
    assertThat(parsed.force()).isTrue();
  }

  @Test
  void actionsNeedJsonAndTheSameOrigin() throws Exception {
    assertThat(post("abort", Map.of("Authorization", "Bearer alice-token", "Content-Type",
        "application/x-www-form-urlencoded"), "a=b").statusCode()).isEqualTo(415);
    assertThat(post("abort", json("Authorization", "Bearer alice-token", "Origin", "https://evil.example"), "{}")
        .statusCode()).isEqualTo(403);
    assertThat(post("abort", json("Authorization", "Bearer alice-token", "Origin", base), "{}").statusCode())
        .isEqualTo(202);
    assertThat(post("explode", json("Authorization", "Bearer alice-token"), "{}").statusCode()).isEqualTo(404);
    assertThat(post("abort", json("Authorization", "Bearer alice-token"), "{\"force\": true}").statusCode())
        .isEqualTo(400);
    assertThat(annotation()).startsWith("abort@");
  }

  @Test
  void theEventStreamStartsWithASnapshotThenSendsCoalescedChanges() throws Exception {
    HttpResponse<InputStream> r = web.send(HttpRequest.newBuilder(URI.create(base + "/ui/events")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v)
        .startsWith("text/event-stream"));
    BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
    List<String> snapshot = frame(in);
    assertThat(snapshot.get(0)).isEqualTo("event: snapshot");
    assertThat(snapshot.get(1)).startsWith("data: ").contains("\"name\":\"podinfo\"", "\"weight\":10");

    for (int weight : new int[] {20, 30}) {
      Canary c = client.resources(Canary.class).inNamespace(NS).withName("podinfo").get();
      c.getStatus().canaryWeight = weight;
      c.getStatus().phase = CanaryPhase.PROGRESSING;
      client.resource(c).updateStatus();
    }
    List<String> frames = new ArrayList<>();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
      List<String> f = frame(in);
      frames.add(String.join("\n", f));
      return f.get(1).contains("\"weight\":30");
    });
    String last = frames.get(frames.size() - 1);
    assertThat(last).startsWith("event: canary");
    JsonObject row = new JsonObject(last.substring(last.indexOf("data: ") + 6));
    assertThat(row.getJsonObject("latest").getJsonArray("changes").encode()).contains("Weight");
    r.body().close();
  }

  /** The lines of the next SSE frame (comments skipped). */
  private static List<String> frame(BufferedReader in) throws Exception {
    List<String> lines = new ArrayList<>();
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isEmpty()) {
        if (!lines.isEmpty()) {
          return lines;
        }
      } else if (!line.startsWith(":")) {
        lines.add(line);
      }
    }
    return lines;
  }
}
