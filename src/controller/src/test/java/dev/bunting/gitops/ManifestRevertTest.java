package dev.bunting.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reverting one object's change in a multi-document file, everything else kept byte for byte. */
class ManifestRevertTest {
  private static final ObjectKey WEB = new ObjectKey("apps", "v1", "Deployment", "shop", "web");

  private static String file(String webImage, String replicas, String config) {
    return "# web and its config\n"
        + "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config}\ndata: {level: " + config + "}\n"
        + "---\n"
        + "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: " + replicas + "\n"
        + "  template:\n    spec:\n      containers:\n      - name: app\n        image: " + webImage
        + "  # {\"$imagepolicy\": \"shop:web\"}\n"
        + "--- # the next one\n"
        + "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n";
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void onlyTheTargetsDocumentIsRevertedAndLaterChangesSurvive() throws Exception {
    String previous = file("web:1.0.0", "2", "info");
    String failed = file("web:1.1.0", "2", "info");
    // later on the branch: the config changed, and so did the Deployment's replicas (not the image)
    String head = file("web:1.1.0", "3", "debug");
    Optional<byte[]> out = ManifestRevert.revert(WEB, "apps/web.yaml", b(failed), b(previous), b(head));
    assertThat(out).isPresent();
    assertThat(new String(out.get(), StandardCharsets.UTF_8)).isEqualTo(file("web:1.0.0", "3", "debug"));
  }

  @Test
  void aHeadThatAlreadyHasThePreviousContentNeedsNoCommit() throws Exception {
    String previous = file("web:1.0.0", "2", "info");
    assertThat(ManifestRevert.revert(WEB, "apps/web.yaml", b(file("web:1.1.0", "2", "info")), b(previous),
        b(previous))).isEmpty();
  }

  @Test
  void aConflictWithALaterChangeOfTheSameLinesIsRefused() {
    assertThatThrownBy(() -> ManifestRevert.revert(WEB, "apps/web.yaml", b(file("web:1.1.0", "2", "info")),
        b(file("web:1.0.0", "2", "info")), b(file("web:1.2.0", "2", "info"))))
        .isInstanceOf(GitException.class)
        .satisfies(e -> assertThat(((GitException) e).reason()).isEqualTo(GitException.CONFLICT))
        .hasMessage("reverting Deployment/shop/web in apps/web.yaml conflicts with later changes of it on the branch");
  }

  @Test
  void documentsSplitAndJoinBackToTheSameText() {
    String text = file("web:1.0.0", "2", "info") + "---\n";
    assertThat(String.join("", ManifestRevert.documents(text))).isEqualTo(text);
    assertThat(ManifestRevert.documents(text)).hasSize(4);
  }
}
