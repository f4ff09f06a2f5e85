package dev.bunting.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bunting.testing.LocalRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry client against a real CNCF distribution registry (Debian's {@code docker-registry}, basic auth, images
 * pushed by the test) and, for the bearer-token challenge, against a small registry stand-in on Vert.x.
 */
class RegistryClientTest {
  private static final Duration T = Duration.ofSeconds(20);
  private static final Optional<DockerConfig.Credentials> GOOD = Optional.of(new DockerConfig.Credentials("bunting",
      "reg-secret-1"));
  @TempDir
  static Path tmp;
  private static Vertx vertx;
  private static LocalRegistry registry;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    if (LocalRegistry.isAvailable()) {
      registry = LocalRegistry.start(tmp.resolve("registry"), "bunting", "reg-secret-1");
      for (String tag : List.of("1.0.0", "1.1.0", "1.2.0-rc.1", "0.9.0", "latest")) {
        registry.push("team/app", tag);
      }
    }
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
    vertx.close().await();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static RegistryClient.RegistryException failure(Future<?> f) {
    try {
      await(f);
    } catch (Exception e) {
      Throwable cause = e.getCause();
      assertThat(cause).isInstanceOf(RegistryClient.RegistryException.class);
      return (RegistryClient.RegistryException) cause;
    }
    throw new AssertionError("expected a failure");
  }

  @Test
  void listsEveryTagOfARealRegistryPageByPageWithBasicAuth() throws Exception {
    assumeTrue(LocalRegistry.isAvailable(), LocalRegistry.UNAVAILABLE);
    ImageReference image = ImageReference.parse(registry.host() + "/team/app");
    try (RegistryClient client = new RegistryClient(vertx, 2)) {
      List<String> tags = await(client.tags(image, true, GOOD, T));
      assertThat(tags).as("three pages of two").containsExactlyInAnyOrder("1.0.0", "1.1.0", "1.2.0-rc.1", "0.9.0",
          "latest");
    }
  }

  @Test
  void wrongCredentialsAMissingRepositoryAndAnUnreachableRegistrySaySoWithoutTheSecret() throws Exception {
    assumeTrue(LocalRegistry.isAvailable(), LocalRegistry.UNAVAILABLE);
    try (RegistryClient client = new RegistryClient(vertx, 0)) {
      ImageReference image = ImageReference.parse(registry.host() + "/team/app");
      RegistryClient.RegistryException wrong = failure(client.tags(image, true,
          Optional.of(new DockerConfig.Credentials("bunting", "not-the-password")), T));
      assertThat(wrong.reason()).isEqualTo("AuthenticationFailed");
      assertThat(wrong.getMessage()).doesNotContain("not-the-password")
          .contains("refused the credentials of spec.secretRef to team/app");
      RegistryClient.RegistryException anonymous = failure(client.tags(image, true, Optional.empty(), T));
      assertThat(anonymous.getMessage()).contains("wants credentials for team/app; set spec.secretRef");
      RegistryClient.RegistryException missing = failure(client.tags(ImageReference.parse(registry.host()
          + "/team/nothing"), true, GOOD, T));
      assertThat(missing.reason()).isEqualTo("RepositoryNotFound");
      RegistryClient.RegistryException down = failure(client.tags(ImageReference.parse("127.0.0.1:9/team/app"), true,
          GOOD, Duration.ofSeconds(5)));
      assertThat(down.reason()).isEqualTo("ScanFailed");
      assertThat(down.getMessage()).startsWith("listing the tags of 127.0.0.1:9/team/app: ");
    }
  }

  @Test
  void aBearerChallengeIsAnsweredWithATokenFromTheRealm() throws Exception {
    List<String> seen = new ArrayList<>();
    String basic = "Basic " + Base64.getEncoder().encodeToString("bunting:reg-secret-1".getBytes());
    HttpServer server = vertx.createHttpServer().requestHandler(req -> {
      synchronized (seen) {
        seen.add(req.method() + " " + req.uri());
      }
      if (req.path().equals("/token")) {
        boolean ok = basic.equals(req.getHeader("Authorization"))
            && "repository:team/app:pull".equals(req.getParam("scope")) && "test-registry".equals(req.getParam("service"));
        req.response().setStatusCode(ok ? 200 : 401).end(ok ? "{\"token\":\"tok-123456\"}" : "");
      } else if (!"Bearer tok-123456".equals(req.getHeader("Authorization"))) {
        req.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer realm=\"http://127.0.0.1:"
            + req.localAddress().port() + "/token\",service=\"test-registry\",scope=\"repository:team/app:pull\"")
            .end();
      } else if (req.getParam("last") == null) {
        req.response().putHeader("Link", "</v2/team/app/tags/list?last=b&n=2>; rel=\"next\"")
            .end("{\"name\":\"team/app\",\"tags\":[\"a\",\"b\"]}");
      } else {
        req.response().end("{\"name\":\"team/app\",\"tags\":[\"c\"]}");
      }
    }).listen(0, "127.0.0.1").await();
    try (RegistryClient client = new RegistryClient(vertx, 2)) {
      ImageReference image = ImageReference.parse("127.0.0.1:" + server.actualPort() + "/team/app");
      assertThat(await(client.tags(image, true, GOOD, T))).containsExactly("a", "b", "c");
      assertThat(seen).as("one token for every page").filteredOn(s -> s.startsWith("GET /token")).hasSize(1);
      RegistryClient.RegistryException refused = failure(client.tags(image, true,
          Optional.of(new DockerConfig.Credentials("bunting", "wrong-one")), T));
      assertThat(refused.reason()).isEqualTo("AuthenticationFailed");
      assertThat(refused.getMessage()).contains("token service").doesNotContain("wrong-one");
    } finally {
      server.close().await();
    }
  }
}
