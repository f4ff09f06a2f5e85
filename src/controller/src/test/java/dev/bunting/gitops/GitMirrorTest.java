package dev.bunting.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bunting.api.GitSyncRef;
import dev.bunting.gitops.ManifestRenderer.SourceFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitMirrorTest {
  private static final Duration T = Duration.ofSeconds(30);
  @TempDir
  Path tmp;
  private TestRepo repo;
  private GitMirror mirror;

  @BeforeEach
  void setUp() {
    repo = TestRepo.create(tmp.resolve("origin"));
    mirror = new GitMirror(tmp.resolve("cache"));
  }

  @AfterEach
  void tearDown() {
    mirror.close();
    repo.close();
  }

  @Test
  void aMissingRepositoryWhosePathHasA403InItIsAGitFailureNotAnAuthenticationOne() throws Exception {
    // a CI run's temporary directory was junit-5915433936344033486: its "403" made a moved repository read as a 403
    Path gone = tmp.resolve("junit-5915433936344033486").resolve("repo-401");
    String url = gone.toUri().toString();
    assertThatThrownBy(() -> mirror.resolve(url, GitSyncRef.branch("main"), GitCredentials.NONE, T))
        .isInstanceOf(GitException.class).hasMessageContaining("repo-401")
        .satisfies(e -> assertThat(((GitException) e).reason()).isEqualTo(GitException.GIT_OPERATION_FAILED));
  }

  @Test
  void theServersRefusalsAreAuthenticationFailures() {
    assertThat(GitMirror.isAuthFailure(new Exception("https://git.example.com/a.git: 401 Unauthorized"))).isTrue();
    assertThat(GitMirror.isAuthFailure(new Exception("https://git.example.com/a.git: 403 Forbidden"))).isTrue();
    assertThat(GitMirror.isAuthFailure(new Exception("https://git.example.com/a.git: not authorized"))).isTrue();
    assertThat(GitMirror.isAuthFailure(new Exception("Auth fail"))).isTrue();
    assertThat(GitMirror.isAuthFailure(new Exception("https://git.example.com:4030/team-403.git: not found")))
        .as("digits of the URL").isFalse();
    assertThat(GitMirror.isAuthFailure(new Exception("/srv/git/release-2403: not found"))).as("digits of a path")
        .isFalse();
  }

  @Test
  void branchResolvesFetchesOnceAndReadsTreesWithoutCheckout() throws Exception {
    repo.write("deploy/a.yaml", "a: 1\n").write("deploy/sub/b.yml", "b: 2\n").write("deploy/notes.txt", "x")
        .write("other/c.yaml", "c: 3\n").write("deploy/.hidden/d.yaml", "d: 4\n");
    String c1 = repo.commit("first");
    GitSyncRef main = GitSyncRef.branch("main");

    GitRevision rev = mirror.resolve(repo.url(), main, GitCredentials.NONE, T);
    assertThat(rev).hasToString("main@sha1:" + c1);
    assertThat(mirror.ensure(repo.url(), main, rev, GitCredentials.NONE, T)).isTrue();
    assertThat(mirror.ensure(repo.url(), main, rev, GitCredentials.NONE, T)).as("no fetch when the ref did not move")
        .isFalse();

    List<SourceFile> files = mirror.read(repo.url(), GitCredentials.NONE, rev.sha(), "./deploy/");
    assertThat(files).extracting(SourceFile::path).containsExactly("deploy/a.yaml", "deploy/sub/b.yml");
    assertThat(new String(files.get(0).content(), StandardCharsets.UTF_8)).isEqualTo("a: 1\n");
    assertThat(mirror.read(repo.url(), GitCredentials.NONE, rev.sha(), "")).extracting(SourceFile::path)
        .containsExactly("deploy/a.yaml", "deploy/sub/b.yml", "other/c.yaml");

    // the mirror is bare: no work tree files anywhere in the cache
    try (Stream<Path> s = Files.walk(tmp.resolve("cache"))) {
      assertThat(s.filter(p -> p.toString().endsWith(".yaml"))).isEmpty();
    }

    repo.write("deploy/a.yaml", "a: 2\n");
    String c2 = repo.commit("second");
    GitRevision rev2 = mirror.resolve(repo.url(), main, GitCredentials.NONE, T);
    assertThat(rev2.sha()).isEqualTo(c2);
    assertThat(mirror.ensure(repo.url(), main, rev2, GitCredentials.NONE, T)).isTrue();
    assertThat(new String(mirror.read(repo.url(), GitCredentials.NONE, c2, "deploy").get(0).content(),
        StandardCharsets.UTF_8)).isEqualTo("a: 2\n");
  }

  @Test
  void fetchesAreShallow() throws Exception {
    for (int i = 0; i < 5; i++) {
      repo.write("a.yaml", "n: " + i + "\n").commit("c" + i);
    }
    GitRevision rev = mirror.resolve(repo.url(), GitSyncRef.branch("main"), GitCredentials.NONE, T);
    mirror.ensure(repo.url(), GitSyncRef.branch("main"), rev, GitCredentials.NONE, T);
    Path shallow = mirror.mirrorDir(repo.url(), GitCredentials.NONE).resolve("shallow");
    assertThat(shallow).exists();
    assertThat(Files.readString(shallow).trim()).isEqualTo(rev.sha());
  }

  @Test
  void tagsSemverAndCommits() throws Exception {
    String c1 = repo.write("a.yaml", "v: 1\n").commit("one");
    repo.tag("v1.0.0", true);
    String c2 = repo.write("a.yaml", "v: 2\n").commit("two");
    repo.tag("v1.2.0", false);
    String c3 = repo.write("a.yaml", "v: 3\n").commit("three");
    repo.tag("v2.0.0-rc.1", true).tag("latest", false);
    repo.write("a.yaml", "v: 4\n").commit("four");

    assertThat(mirror.resolve(repo.url(), GitSyncRef.tag("v1.0.0"), GitCredentials.NONE, T))
        .as("annotated tags resolve to their commit").hasToString("v1.0.0@sha1:" + c1);
    GitRevision semver = mirror.resolve(repo.url(), GitSyncRef.semver(">=1.0.0 <2.0.0"), GitCredentials.NONE, T);
    assertThat(semver).hasToString("v1.2.0@sha1:" + c2);
    assertThat(mirror.resolve(repo.url(), GitSyncRef.semver(">=2.0.0-0"), GitCredentials.NONE, T))
        .hasToString("v2.0.0-rc.1@sha1:" + c3);
    assertThat(mirror.ensure(repo.url(), GitSyncRef.semver(">=1.0.0 <2.0.0"), semver, GitCredentials.NONE, T))
        .isTrue();
    assertThat(new String(mirror.read(repo.url(), GitCredentials.NONE, c2, "").get(0).content())).isEqualTo("v: 2\n");

    GitRevision commit = mirror.resolve(repo.url(), GitSyncRef.commit(c1), GitCredentials.NONE, T);
    assertThat(commit).hasToString("sha1:" + c1);
    mirror.ensure(repo.url(), GitSyncRef.commit(c1), commit, GitCredentials.NONE, T);
    assertThat(new String(mirror.read(repo.url(), GitCredentials.NONE, c1, "").get(0).content())).isEqualTo("v: 1\n");
  }

  @Test
  void clearErrorsForMissingRefsAndPaths() throws Exception {
    repo.write("a/x.yaml", "x: 1\n").commit("one");
    assertThatThrownBy(() -> mirror.resolve(repo.url(), GitSyncRef.branch("nope"), GitCredentials.NONE, T))
        .isInstanceOf(GitException.class).hasMessageContaining("branch 'nope' not found")
        .extracting(e -> ((GitException) e).reason()).isEqualTo(GitException.REVISION_NOT_FOUND);
    assertThatThrownBy(() -> mirror.resolve(repo.url(), GitSyncRef.semver(">=5"), GitCredentials.NONE, T))
        .hasMessageContaining("no tag").hasMessageContaining(">=5");
    GitRevision rev = mirror.resolve(repo.url(), GitSyncRef.branch("main"), GitCredentials.NONE, T);
    mirror.ensure(repo.url(), GitSyncRef.branch("main"), rev, GitCredentials.NONE, T);
    assertThatThrownBy(() -> mirror.read(repo.url(), GitCredentials.NONE, rev.sha(), "b"))
        .hasMessageContaining("path 'b' is not a directory");
    assertThatThrownBy(() -> mirror.read(repo.url(), GitCredentials.NONE, rev.sha(), "a/../../etc"))
        .hasMessageContaining("leaves the repository");
    assertThatThrownBy(() -> mirror.resolve("file:///does/not/exist", GitSyncRef.branch("main"), GitCredentials.NONE,
        T)).isInstanceOf(GitException.class).hasMessageContaining("ls-remote file:///does/not/exist");
  }

  @Test
  void sshNeedsKnownHostsAndHttpNeverCarriesCredentials() {
    GitCredentials keyOnly = GitCredentials.fromSecret("git", java.util.Map.of("identity", "KEY"));
    assertThatThrownBy(() -> keyOnly.validateFor("ssh://git@example.com/repo.git"))
        .hasMessageContaining("'known_hosts' is required in Secret git");
    GitCredentials basic = GitCredentials.fromSecret("git", java.util.Map.of("username", "u", "password", "pw"));
    assertThatThrownBy(() -> basic.validateFor("http://example.com/repo.git"))
        .hasMessageContaining("refusing to send credentials over plain http");
    assertThat(basic.toString()).doesNotContain("pw");
    assertThat(basic.redact("error for pw: x")).isEqualTo("error for pw: x"); // too short to redact safely
    GitCredentials token = GitCredentials.fromSecret("git", java.util.Map.of("bearerToken", "tok-123456"));
    assertThat(token.redact("bad token tok-123456")).isEqualTo("bad token ***");
    assertThat(GitCredentials.safeUrl("https://user:pw@example.com/r.git")).isEqualTo("https://example.com/r.git");
    assertThat(GitCredentials.safeUrl("ssh://git@example.com:2222/r.git")).isEqualTo("ssh://git@example.com:2222/r.git");
  }
}
