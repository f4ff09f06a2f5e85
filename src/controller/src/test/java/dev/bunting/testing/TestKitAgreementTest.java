package dev.bunting.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.GitSync;
import org.junit.jupiter.api.Test;

/** The test kit does not depend on the API module; the names it repeats must stay the API's. */
class TestKitAgreementTest {

  @Test
  void namespaceTeardownReleasesGitSyncsOwnFinalizer() {
    assertThat(NamespaceTeardown.GITSYNC_FINALIZER).isEqualTo(GitSync.FINALIZER);
  }
}
