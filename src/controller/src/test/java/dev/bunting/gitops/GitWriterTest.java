package dev.bunting.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GitWriter against real Git servers: {@code file://} repositories and the JGit smart-HTTP server with basic auth. What
 * a user sees is the repository: the commit (message, author, parent), the files, and a clear refusal when the branch
 * is protected or keeps moving.
 */
class GitWriterTest {
  private static final Duration T = Duration.ofSeconds(30);
  private static final PersonIdent BOT = new PersonIdent("Bunting", "bunting@bunting.dev");
  private static final Instant NOW = Instant.parse("2026-05-01T10:00:00Z");
  private static Vertx vertx;
  @TempDir
  static Path tmp;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void tearDown() {
    vertx.close().await();
  }

  private static TestRepo origin(String name) {
    TestRepo repo = TestRepo.create(tmp.resolve(name));
    repo.write("apps/web.yaml", "# the web app\nimage: web:1.0.0  # keep me\r\nother: line\n")
        .write("apps/db.yaml", "image: db:1.0.0\n");
    repo.commit("first");
    return repo;
  }

  /** Replaces {@code from} with {@code to} in {@code path}; nothing when the head has no {@code from}. */
  private static GitWriter.Change replace(String path, String from, String to) {
    return head -> {
      String text = new String(head.file(path).orElseThrow(), StandardCharsets.UTF_8);
      return text.contains(from) ? Optional.of(new GitWriter.Edit(Map.of(path, text.replace(from, to)
          .getBytes(StandardCharsets.UTF_8)), "web: " + to + "\n\nBecause a test said so.")) : Optional.empty();
    };
  }

  @Test
  void aCommitChangesOnlyTheEditedFileByteForByteOnTopOfTheBranchHead() throws Exception {
    try (TestRepo repo = origin("file"); GitMirror mirror = new GitMirror(tmp.resolve("cache-file"))) {
      String before = repo.head();
      GitWriter.Result r = new GitWriter(mirror).commit(repo.url(), "main", GitCredentials.NONE, T, BOT, NOW,
          replace("apps/web.yaml", "web:1.0.0", "web:1.1.0"));

      assertThat(r.pushed()).isTrue();
      assertThat(r.rebuilt()).isFalse();
      RevCommit head = repo.headCommit();
      assertThat(head.getName()).isEqualTo(r.commit());
      assertThat(head.getParent(0).getName()).isEqualTo(before).isEqualTo(r.head());
      assertThat(head.getFullMessage()).isEqualTo("web: web:1.1.0\n\nBecause a test said so.\n");
      assertThat(head.getAuthorIdent().getName()).isEqualTo("Bunting");
      assertThat(head.getAuthorIdent().getEmailAddress()).isEqualTo("bunting@bunting.dev");
      assertThat(head.getCommitterIdent().getWhenAsInstant()).isEqualTo(NOW);
      assertThat(repo.fileAtHead("apps/web.yaml")).isEqualTo("# the web app\nimage: web:1.1.0  # keep me\r\nother: line\n");
      assertThat(repo.fileAtHead("apps/db.yaml")).isEqualTo("image: db:1.0.0\n");

      GitWriter.Result again = new GitWriter(mirror).commit(repo.url(), "main", GitCredentials.NONE, T, BOT, NOW,
          replace("apps/web.yaml", "web:1.0.0", "web:1.1.0"));
      assertThat(again.pushed()).as("nothing to change: no commit").isFalse();
      assertThat(repo.head()).isEqualTo(r.commit());
    }
  }

  @Test
  void httpsWithBasicAuthPushesAndAProtectedBranchIsRefusedWithTheServersMessage() throws Exception {
    try (TestRepo repo = origin("https");
        GitHttpServer server = GitHttpServer.basicAuth(vertx, repo.dir(), "bunting", "s3cret-pw",
            Files.createTempDirectory(tmp, "tls"));
        GitMirror mirror = new GitMirror(tmp.resolve("cache-https"))) {
      GitCredentials creds = GitCredentials.fromSecret("git", Map.of("username", "bunting", "password", "s3cret-pw",
          "ca.crt", server.caPem()));
      GitWriter writer = new GitWriter(mirror);
      GitWriter.Result r = writer.commit(server.url(), "main", creds, T, BOT, NOW,
          replace("apps/web.yaml", "web:1.0.0", "web:1.1.0"));
      assertThat(repo.head()).isEqualTo(r.commit());
      assertThat(repo.fileAtHead("apps/web.yaml")).contains("image: web:1.1.0  # keep me");

      server.refusePushes("protected branch main: changes must be made through a pull request");
      String head = repo.head();
      assertThatThrownBy(() -> writer.commit(server.url(), "main", creds, T, BOT, NOW,
          replace("apps/web.yaml", "web:1.1.0", "web:1.2.0")))
          .isInstanceOf(GitException.class)
          .satisfies(e -> assertThat(((GitException) e).reason()).isEqualTo(GitException.PUSH_REJECTED))
          .hasMessageContaining("protected branch main: changes must be made through a pull request")
          .hasMessageNotContaining("s3cret-pw");
      assertThat(repo.head()).as("nothing reached the branch").isEqualTo(head);

      GitCredentials wrong = GitCredentials.fromSecret("git", Map.of("username", "bunting", "password", "wrong-pw",
          "ca.crt", server.caPem()));
      assertThatThrownBy(() -> writer.commit(server.url(), "main", wrong, T, BOT, NOW,
          replace("apps/web.yaml", "web:1.1.0", "web:1.2.0")))
          .isInstanceOf(GitException.class)
          .satisfies(e -> assertThat(((GitException) e).reason()).isEqualTo(GitException.AUTHENTICATION_FAILED))
          .hasMessageNotContaining("wrong-pw");
    }
  }

  @Test
  void aConcurrentPushIsAbsorbedOnceByBuildingTheChangeAgainOnTheNewHead() throws Exception {
    try (TestRepo repo = origin("race");
        GitHttpServer server = GitHttpServer.basicAuth(vertx, repo.dir(), "bunting", "pw-race",
            Files.createTempDirectory(tmp, "tls"));
        GitMirror mirror = new GitMirror(tmp.resolve("cache-race"))) {
      GitCredentials creds = GitCredentials.fromSecret("git", Map.of("username", "bunting", "password", "pw-race",
          "ca.crt", server.caPem()));
      AtomicInteger calls = new AtomicInteger();
      GitWriter.Change change = head -> {
        if (calls.incrementAndGet() == 1) {
          // someone else pushes between our ls-remote and our push
          repo.write("apps/db.yaml", "image: db:2.0.0\n").commit("db 2.0.0 by a person");
        }
        return replace("apps/web.yaml", "web:1.0.0", "web:1.1.0").on(head);
      };
      GitWriter.Result r = new GitWriter(mirror).commit(server.url(), "main", creds, T, BOT, NOW, change);
      String theirs = r.head();

      assertThat(r.rebuilt()).isTrue();
      assertThat(calls).hasValue(2);
      RevCommit head = repo.headCommit();
      assertThat(head.getName()).isEqualTo(r.commit());
      assertThat(repo.parse(head.getParent(0).getName()).getFullMessage()).as("built on the person's commit")
          .startsWith("db 2.0.0");
      assertThat(head.getParent(0).getName()).isEqualTo(theirs);
      assertThat(repo.fileAtHead("apps/db.yaml")).isEqualTo("image: db:2.0.0\n");
      assertThat(repo.fileAtHead("apps/web.yaml")).contains("web:1.1.0");

      // a branch that moves again during the second attempt: a clear refusal, no third try
      repo.refresh();
      AtomicInteger busy = new AtomicInteger();
      GitWriter.Change racing = h -> {
        repo.write("apps/db.yaml", "image: db:" + (3 + busy.incrementAndGet()) + ".0.0\n").commit("busy");
        return replace("apps/web.yaml", "web:1.1.0", "web:1.2.0").on(h);
      };
      assertThatThrownBy(() -> new GitWriter(mirror).commit(server.url(), "main", creds, T, BOT, NOW, racing))
          .isInstanceOf(GitException.class)
          .satisfies(e -> assertThat(((GitException) e).reason()).isEqualTo(GitException.PUSH_REJECTED))
          .hasMessageContaining("the branch moved again");
      assertThat(busy).hasValue(2);
      assertThat(repo.fileAtHead("apps/web.yaml")).contains("web:1.1.0");
    }
  }
}
