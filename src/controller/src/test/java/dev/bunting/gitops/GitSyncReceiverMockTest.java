package dev.bunting.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.GitSync;
import dev.bunting.http.HttpApi;
import dev.bunting.kube.BlockingPool;
import dev.bunting.kube.ResourceCache;
import dev.bunting.testing.ManualClock;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fast tier: the Git push receiver under attack. A thousand forged requests (no signature, a wrong HMAC, a wrong
 * GitLab token, another namespace's token, a GitSync that does not exist, path tricks, a 50 MB body) are all refused
 * and none asks for a sync; junk without credentials costs no API request; one address is rate limited and gets
 * {@code Retry-After}; and a correctly signed push still gets through.
 */
@EnableKubernetesMockClient(crud = true)
class GitSyncReceiverMockTest {
  private static final byte[] TOKEN = "s3cret-token".getBytes(StandardCharsets.UTF_8);
  private static final byte[] OTHER_TOKEN = "another-namespaces-token".getBytes(StandardCharsets.UTF_8);
  private static final byte[] PUSH = "{\"ref\":\"refs/heads/main\",\"after\":\"5f3c2a1e\"}"
      .getBytes(StandardCharsets.UTF_8);

  KubernetesMockServer server;
  KubernetesClient client;
  private Vertx vertx;
  private ResourceCache<GitSync> cache;
  private HttpApi http;
  private final AtomicInteger triggered = new AtomicInteger();
  private final HttpClient web = HttpClient.newHttpClient();

  /** Moved by the test, so the rate limit can be held still or refilled. */
  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-04T12:00:00Z"));


  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    gitSync("apps", "site", "hook");
    gitSync("other", "site", "hook");
    secret("apps", "hook", TOKEN);
    secret("other", "hook", OTHER_TOKEN);
    cache = new ResourceCache<>(GitSync.KIND, client.resources(GitSync.class).inAnyNamespace().runnableInformer(0),
        Map.of());
    cache.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
    Function<GitSync, Future<Void>> trigger = gs -> {
      triggered.incrementAndGet();
      return Future.succeededFuture();
    };
    GitSyncReceiver receiver = new GitSyncReceiver(client, new BlockingPool(vertx, "test", 2), cache, trigger, clock);
    http = new HttpApi(vertx, new PrometheusRegistry(), () -> true, List.of(receiver));
    http.listen("127.0.0.1", 0).await(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    cache.stop();
    http.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aThousandForgedRequestsAreRefusedAndNoneAsksForASync() throws Exception {
    Map<Integer, Integer> statuses = new TreeMap<>();
    int requestsBefore = server.getRequestCount();
    for (int i = 0; i < 200; i++) {
      count(statuses, post("/hooks/git/apps/site", PUSH, Map.of()));
    }
    assertThat(server.getRequestCount() - requestsBefore)
        .as("requests without credentials never read the receiver Secret").isZero();
    for (int i = 0; i < 200; i++) {
      byte[] body = ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
      count(statuses, post("/hooks/git/apps/site", body,
          Map.of(WebhookAuth.GITHUB_SIGNATURE, "sha256=" + "0".repeat(64))));
    }
    for (int i = 0; i < 150; i++) {
      count(statuses, post("/hooks/git/apps/site", PUSH, Map.of(WebhookAuth.GITLAB_TOKEN, "guess-" + i)));
    }
    for (int i = 0; i < 150; i++) {
      // signed with the token of namespace "other", sent to "apps": the signature is right for the wrong GitSync
      count(statuses, post("/hooks/git/apps/site", PUSH,
          Map.of(WebhookAuth.GITHUB_SIGNATURE, sign(OTHER_TOKEN, PUSH))));
    }
    for (int i = 0; i < 100; i++) {
      count(statuses, post("/hooks/git/apps/site-" + i, PUSH,
          Map.of(WebhookAuth.GITHUB_SIGNATURE, sign(TOKEN, PUSH))));
    }
    // signed with the token of apps/site, aimed through the path at other GitSyncs: none may reach apps/site's token
    List<String> tricks = List.of("/hooks/git/apps/site/../../other/site", "/hooks/git/apps%2Fsite/x",
        "/hooks/git/apps/site%00", "/hooks/git//site", "/hooks/git/apps/%2e%2e", "/hooks/git/../apps/site",
        "/hooks/git/other/site?namespace=apps", "/hooks/git/APPS/site", "/hooks/git/other/site/",
        "/hooks/git/%61pps/x");
    for (int i = 0; i < 199; i++) {
      count(statuses, post(tricks.get(i % tricks.size()), PUSH,
          Map.of(WebhookAuth.GITHUB_SIGNATURE, sign(TOKEN, PUSH))));
    }
    byte[] huge = new byte[50 * 1024 * 1024];
    try {
      count(statuses, post("/hooks/git/apps/site", huge, Map.of(WebhookAuth.GITHUB_SIGNATURE, sign(TOKEN, huge))));
    } catch (IOException e) {
      // the server answered 413 and closed the connection while the client was still sending: refused as well
      statuses.merge(413, 1, Integer::sum);
    }

    assertThat(statuses.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(1000);
    assertThat(triggered).as("no forged request asked for a sync").hasValue(0);
    assertThat(statuses.keySet()).as("refused: unauthorized, not found, too large; never accepted")
        .isSubsetOf(401, 404, 413).contains(401, 413);
    assertThat(statuses.get(413)).as("the 50 MB body").isEqualTo(1);

    HttpResponse<String> genuine = post("/hooks/git/apps/site", PUSH,
        Map.of(WebhookAuth.GITHUB_SIGNATURE, sign(TOKEN, PUSH)));
    assertThat(genuine.statusCode()).as(genuine.body()).isEqualTo(202);
    assertThat(triggered).as("the genuine push still gets through").hasValue(1);
  }

  @Test
  void oneAddressIsRateLimitedWithRetryAfterAndRecovers() throws Exception {
    Map<Integer, Integer> statuses = new TreeMap<>();
    HttpResponse<String> limited = null;
    for (int i = 0; i < GitSyncReceiver.BURST + 10; i++) {
      HttpResponse<String> r = send("/hooks/git/apps/site", PUSH, Map.of()); // the clock stands still
      count(statuses, r);
      if (r.statusCode() == 429) {
        limited = r;
      }
    }
    assertThat(statuses).containsEntry(401, GitSyncReceiver.BURST).containsEntry(429, 10);
    assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");

    HttpResponse<String> meanwhile = send("/hooks/git/apps/site", PUSH,
        Map.of(WebhookAuth.GITHUB_SIGNATURE, sign(TOKEN, PUSH)));
    assertThat(meanwhile.statusCode()).as("a genuine push from a limited address waits too").isEqualTo(429);
    clock.advance(Duration.ofSeconds(1));
    HttpResponse<String> later = send("/hooks/git/apps/site", PUSH,
        Map.of(WebhookAuth.GITHUB_SIGNATURE, sign(TOKEN, PUSH)));
    assertThat(later.statusCode()).as("a second later it has a token again").isEqualTo(202);
    assertThat(triggered).hasValue(1);
  }

  /** Sends with the clock a second on, so the rate limit never decides (the attack test is about authentication). */
  private HttpResponse<String> post(String path, byte[] body, Map<String, String> headers) throws Exception {
    clock.advance(Duration.ofSeconds(1));
    return send(path, body, headers);
  }

  private HttpResponse<String> send(String path, byte[] body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return web.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void count(Map<Integer, Integer> statuses, HttpResponse<String> r) {
    statuses.merge(r.statusCode(), 1, Integer::sum);
  }

  private static String sign(byte[] token, byte[] body) {
    return "sha256=" + HexFormat.of().formatHex(WebhookAuth.hmac("HmacSHA256", token, body));
  }

  private void gitSync(String namespace, String name, String secret) {
    GitSync gs = Serialization.unmarshal("""
        apiVersion: bunting.dev/v1alpha1
        kind: GitSync
        metadata: {name: %s, namespace: %s}
        spec:
          url: https://git.example.com/site.git
          ref: {branch: main}
          receiver: {secretRef: {name: %s}}
        """.formatted(name, namespace, secret), GitSync.class);
    client.resources(GitSync.class).inNamespace(namespace).resource(gs).create();
  }

  private void secret(String namespace, String name, byte[] token) {
    client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName(name)
        .withNamespace(namespace).endMetadata().addToStringData("token", new String(token, StandardCharsets.UTF_8))
        .build()).create();
  }
}
