package dev.bunting.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bunting.api.ImagePolicyChoice;
import dev.bunting.api.ImagePolicyFilterTags;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure parts of image updates: image names, Docker configs, tag policies, marker updates. */
class ImagePolicyPartsTest {
  private static final List<String> TAGS = List.of("1.0.0", "v1.2.0", "1.10.0-rc.1", "1.9.3", "latest",
      "main-abc123-1700000100", "main-def456-1700000200", "2.0.0", "sha-1a2b3c");

  private static ImagePolicyChoice semver(String range) {
    ImagePolicyChoice c = new ImagePolicyChoice();
    c.semver = new ImagePolicyChoice.SemverPolicy();
    c.semver.range = range;
    return c;
  }

  private static ImagePolicyChoice order(boolean numerical, String order) {
    ImagePolicyChoice c = new ImagePolicyChoice();
    ImagePolicyChoice.OrderPolicy o = new ImagePolicyChoice.OrderPolicy();
    o.order = order;
    if (numerical) {
      c.numerical = o;
    } else {
      c.alphabetical = o;
    }
    return c;
  }

  private static ImagePolicyFilterTags filter(String pattern, String extract) {
    ImagePolicyFilterTags f = new ImagePolicyFilterTags();
    f.pattern = pattern;
    f.extract = extract;
    return f;
  }

  @Test
  void semverRangesNumericalAndAlphabeticalOrdersWithFilters() {
    assertThat(TagPolicy.of(semver(">=1.0.0 <2.0.0"), null).newest(TAGS)).contains("1.9.3");
    assertThat(TagPolicy.of(semver(">=1.0.0-0 <2.0.0"), null).newest(TAGS)).as("pre-releases when asked")
        .contains("1.10.0-rc.1");
    assertThat(TagPolicy.of(semver("^1.2"), null).newest(List.of("v1.2.0", "1.1.9"))).contains("v1.2.0");
    assertThat(TagPolicy.of(semver(">=3"), null).newest(TAGS)).isEmpty();
    assertThat(TagPolicy.of(order(true, "asc"), filter("^main-[a-f0-9]+-(?P<ts>[0-9]+)$", "$ts")).newest(TAGS))
        .contains("main-def456-1700000200");
    assertThat(TagPolicy.of(order(true, "desc"), filter("^main-[a-f0-9]+-(?P<ts>[0-9]+)$", "${ts}")).newest(TAGS))
        .contains("main-abc123-1700000100");
    assertThat(TagPolicy.of(order(false, "asc"), filter("^sha-", null)).newest(TAGS)).contains("sha-1a2b3c");
    assertThat(TagPolicy.of(order(false, null), null).newest(TAGS)).contains("v1.2.0");
  }

  @Test
  void badPoliciesSayWhatIsWrong() {
    assertThatThrownBy(() -> TagPolicy.of(semver(">=1.0 <two"), null))
        .hasMessageStartingWith("spec.policy.semver.range: ");
    assertThatThrownBy(() -> TagPolicy.of(order(true, "up"), null))
        .hasMessage("spec.policy order must be asc or desc (got 'up')");
    assertThatThrownBy(() -> TagPolicy.of(order(true, "asc"), filter("main-(", "$1")))
        .hasMessageStartingWith("spec.filterTags.pattern is not a regular expression");
    assertThatThrownBy(() -> TagPolicy.of(new ImagePolicyChoice(), null))
        .hasMessage("spec.policy must set exactly one of semver, alphabetical or numerical");
  }

  @Test
  void imageNamesFollowDockersDefaults() {
    assertThat(ImageReference.parse("nginx")).isEqualTo(new ImageReference("nginx", "registry-1.docker.io",
        "library/nginx"));
    assertThat(ImageReference.parse("stefanprodan/podinfo").host()).isEqualTo("registry-1.docker.io");
    assertThat(ImageReference.parse("ghcr.io/stefanprodan/podinfo")).isEqualTo(new ImageReference(
        "ghcr.io/stefanprodan/podinfo", "ghcr.io", "stefanprodan/podinfo"));
    assertThat(ImageReference.parse("127.0.0.1:5000/app").host()).isEqualTo("127.0.0.1:5000");
    assertThat(ImageReference.parse("localhost/app").host()).isEqualTo("localhost");
    assertThatThrownBy(() -> ImageReference.parse("ghcr.io/app:1.0")).hasMessageContaining("must not carry a tag");
    assertThatThrownBy(() -> ImageReference.parse("https://ghcr.io/app")).hasMessageContaining("without scheme");
  }

  @Test
  void dockerConfigsByHostAndDockerHubUnderItsNames() {
    DockerConfig c = DockerConfig.fromSecretData("regcred", Map.of(".dockerconfigjson", """
        {"auths": {"https://index.docker.io/v1/": {"auth": "aHViOmh1Yi1wdw=="},
                   "127.0.0.1:5000": {"username": "bunting", "password": "pw"}}}"""));
    assertThat(c.forHost("127.0.0.1:5000", false)).contains(new DockerConfig.Credentials("bunting", "pw"));
    assertThat(c.forHost("registry-1.docker.io", true)).contains(new DockerConfig.Credentials("hub", "hub-pw"));
    assertThat(c.forHost("ghcr.io", false)).isEmpty();
    assertThat(c.forHost("127.0.0.1:5000", false).orElseThrow().toString()).doesNotContain("pw]");
    assertThatThrownBy(() -> DockerConfig.fromSecretData("regcred", Map.of("password", "x")))
        .hasMessage("Secret regcred has no .dockerconfigjson key (make it with kubectl create secret docker-registry)");
  }

  @Test
  void markersChangeOnlyTheMarkedValuesByteForByte() {
    ImageReference image = ImageReference.parse("127.0.0.1:5000/shop/web");
    String file = "# web\r\n"
        + "spec:\r\n"
        + "  containers:\r\n"
        + "  - name: web\r\n"
        + "    image: 127.0.0.1:5000/shop/web:1.0.0 # {\"$imagepolicy\": \"shop:web\"}\r\n"
        + "  - name: sidecar\r\n"
        + "    image: \"127.0.0.1:5000/shop/web:1.0.0\"   # {\"$imagepolicy\": \"shop:other\"}\r\n"
        + "values:\n"
        + "  repository: old/name # {\"$imagepolicy\": \"shop:web:name\"}\n"
        + "  tag: '1.0.0'  #{\"$imagepolicy\":\"shop:web:tag\"} trailing words\n"
        + "  image: none # a comment that is not a marker\n"
        + "last: line without newline";
    ImageMarkers.Update u = ImageMarkers.update(file, "shop:web", image, "1.1.0");
    assertThat(u.marked()).isEqualTo(3);
    assertThat(u.changed()).isEqualTo(3);
    assertThat(u.text()).isEqualTo(file
        .replace("image: 127.0.0.1:5000/shop/web:1.0.0 #", "image: 127.0.0.1:5000/shop/web:1.1.0 #")
        .replace("repository: old/name #", "repository: 127.0.0.1:5000/shop/web #")
        .replace("tag: '1.0.0'  #", "tag: '1.1.0'  #"));
    ImageMarkers.Update again = ImageMarkers.update(u.text(), "shop:web", image, "1.1.0");
    assertThat(again.changed()).isZero();
    assertThat(again.text()).isEqualTo(u.text());
  }
}
