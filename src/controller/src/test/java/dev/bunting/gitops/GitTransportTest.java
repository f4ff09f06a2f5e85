package dev.bunting.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bunting.api.GitSyncRef;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GitMirror against real servers: https with basic auth, bearer token and a private CA; ssh with known_hosts. */
class GitTransportTest {
  private static final Duration T = Duration.ofSeconds(30);
  private static Vertx vertx;
  @TempDir
  static Path tmp;
  private static TestRepo repo;
  private static String head;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
    repo = TestRepo.create(tmp.resolve("origin"));
    repo.write("deploy/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
    head = repo.commit("first");
  }

  @AfterAll
  static void tearDown() {
    repo.close();
    vertx.close().await();
  }

  @Test
  void httpsBasicAuthWithAPrivateCa() throws Exception {
    try (GitHttpServer server = GitHttpServer.basicAuth(vertx, repo.dir(), "bunting", "hunter2-pw",
        java.nio.file.Files.createTempDirectory(tmp, "tls"));
        GitMirror mirror = new GitMirror(tmp.resolve("cache-basic"))) {
      GitCredentials good = GitCredentials.fromSecret("git", Map.of("username", "bunting", "password", "hunter2-pw",
          "ca.crt", server.caPem()));
      GitRevision rev = mirror.resolve(server.url(), GitSyncRef.branch("main"), good, T);
      assertThat(rev.sha()).isEqualTo(head);
      assertThat(mirror.ensure(server.url(), GitSyncRef.branch("main"), rev, good, T)).isTrue();
      assertThat(mirror.read(server.url(), good, rev.sha(), "deploy")).hasSize(1);
      int fetches = server.uploads();
      assertThat(mirror.ensure(server.url(), GitSyncRef.branch("main"), rev, good, T)).isFalse();
      assertThat(server.uploads()).as("no fetch when the ref did not move").isEqualTo(fetches);

      GitCredentials wrong = GitCredentials.fromSecret("git", Map.of("username", "bunting", "password", "wrong-pw",
          "ca.crt", server.caPem()));
      assertThatThrownBy(() -> mirror.resolve(server.url(), GitSyncRef.branch("main"), wrong, T))
          .isInstanceOf(GitException.class)
          .satisfies(e -> assertThat(((GitException) e).reason()).isEqualTo(GitException.AUTHENTICATION_FAILED))
          .hasMessageNotContaining("wrong-pw");

      GitCredentials untrusted = GitCredentials.fromSecret("git", Map.of("username", "bunting",
          "password", "hunter2-pw"));
      assertThatThrownBy(() -> mirror.resolve(server.url(), GitSyncRef.branch("main"), untrusted, T))
          .isInstanceOf(GitException.class).hasMessageNotContaining("hunter2-pw");
    }
  }

  @Test
  void httpsBearerToken() throws Exception {
    try (GitHttpServer server = GitHttpServer.bearer(vertx, repo.dir(), "tok-abcdef",
        java.nio.file.Files.createTempDirectory(tmp, "tls"));
        GitMirror mirror = new GitMirror(tmp.resolve("cache-bearer"))) {
      GitCredentials token = GitCredentials.fromSecret("git", Map.of("bearerToken", "tok-abcdef",
          "ca.crt", server.caPem()));
      GitRevision rev = mirror.resolve(server.url(), GitSyncRef.branch("main"), token, T);
      assertThat(mirror.ensure(server.url(), GitSyncRef.branch("main"), rev, token, T)).isTrue();
      assertThat(mirror.read(server.url(), token, rev.sha(), "")).hasSize(1);
    }
  }

  @Test
  void sshWithTheRightKnownHostsWorks() throws Exception {
    try (GitSshServer ssh = new GitSshServer(repo.dir()); GitMirror mirror = new GitMirror(tmp.resolve("cache-ssh"))) {
      GitCredentials creds = GitCredentials.fromSecret("git-ssh", Map.of("identity", ssh.identityPem(),
          "known_hosts", ssh.knownHosts()));
      GitRevision rev = mirror.resolve(ssh.url(), GitSyncRef.branch("main"), creds, T);
      assertThat(rev.sha()).isEqualTo(head);
      assertThat(mirror.ensure(ssh.url(), GitSyncRef.branch("main"), rev, creds, T)).isTrue();
      assertThat(mirror.read(ssh.url(), creds, rev.sha(), "deploy")).hasSize(1);
    }
  }

  @Test
  void sshHostKeyMismatchIsRefusedNamingTheProblem() throws Exception {
    try (GitSshServer ssh = new GitSshServer(repo.dir()); GitMirror mirror = new GitMirror(tmp.resolve("cache-mitm"))) {
      GitCredentials creds = GitCredentials.fromSecret("git-ssh", Map.of("identity", ssh.identityPem(),
          "known_hosts", ssh.wrongKnownHosts()));
      assertThatThrownBy(() -> mirror.resolve(ssh.url(), GitSyncRef.branch("main"), creds, T))
          .isInstanceOf(GitException.class)
          .hasMessageContaining("ssh host key verification failed: host key mismatch for [127.0.0.1]:" + ssh.port())
          .hasMessageContaining("the server presented ecdsa-sha2-nistp256 SHA256:")
          .satisfies(e -> assertThat(((GitException) e).reason()).isEqualTo(GitException.GIT_OPERATION_FAILED));

      GitCredentials otherHost = GitCredentials.fromSecret("git-ssh", Map.of("identity", ssh.identityPem(),
          "known_hosts", ssh.knownHosts().replace("127.0.0.1", "10.9.9.9")));
      assertThatThrownBy(() -> mirror.resolve(ssh.url(), GitSyncRef.branch("main"), otherHost, T))
          .hasMessageContaining("host [127.0.0.1]:" + ssh.port() + " is not in known_hosts");
    }
  }
}
