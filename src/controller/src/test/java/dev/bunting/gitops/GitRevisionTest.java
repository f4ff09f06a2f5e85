package dev.bunting.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GitRevisionTest {
  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

  @Test
  void printsAsFluxDoes() {
    assertThat(GitRevision.of("main", SHA)).hasToString("main@sha1:" + SHA);
    assertThat(GitRevision.of("v1.2.0", SHA)).hasToString("v1.2.0@sha1:" + SHA);
    assertThat(GitRevision.of(null, SHA)).hasToString("sha1:" + SHA);
    assertThat(GitRevision.of("main", SHA.toUpperCase()).sha()).isEqualTo(SHA);
    assertThat(GitRevision.of("main", SHA).shortString()).isEqualTo("main@sha1:0123456789ab");
  }

  @Test
  void parsesCurrentAndLegacyForms() {
    assertThat(GitRevision.parse("main@sha1:" + SHA)).contains(GitRevision.of("main", SHA));
    assertThat(GitRevision.parse("feature/x@sha1:" + SHA)).contains(GitRevision.of("feature/x", SHA));
    assertThat(GitRevision.parse("sha1:" + SHA)).contains(GitRevision.of(null, SHA));
    assertThat(GitRevision.parse("main/" + SHA)).contains(GitRevision.of("main", SHA));
    assertThat(GitRevision.parse("main@sha256:" + SHA)).isEmpty();
    assertThat(GitRevision.parse(null)).isEmpty();
  }

  @Test
  void rejectsShortShas() {
    assertThatThrownBy(() -> GitRevision.of("main", "abc")).hasMessageContaining("not a sha1");
  }
}
