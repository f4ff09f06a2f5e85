package dev.bunting.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SemverRangeTest {
  private static final List<String> TAGS = List.of("v0.9.0", "v1.0.0", "v1.2.0", "v1.2.7", "v1.10.1", "1.11.0-rc.1",
      "v2.0.0", "v2.1.0-beta", "latest", "release-3", "v3.0.0+build.5");

  private static Optional<String> highest(String range) {
    SemverRange r = SemverRange.parse(range);
    return r.highest(TAGS.stream().map(Semver::parse).flatMap(Optional::stream).toList()).map(Semver::original);
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      ">=1.2.0 <2.0.0 ; v1.10.1",
      ">=1.2.0, <2.0.0 ; v1.10.1",
      "1.x ; v1.10.1",
      "1.2.x ; v1.2.7",
      "1.2 ; v1.2.7",
      "~1.2 ; v1.2.7",
      "~1.2.3 ; v1.2.7",
      "^1.2.0 ; v1.10.1",
      "^0.9 ; v0.9.0",
      "* ; v3.0.0+build.5",
      "<1.0.0 ; v0.9.0",
      "<=1.2 ; v1.2.7",
      ">1.2 ; v3.0.0+build.5",
      "1.0.0 - 1.2 ; v1.2.7",
      "=2.0.0 ; v2.0.0",
      "v2.0.0 ; v2.0.0",
      "<1.0.0 || 2.x ; v2.0.0",
      ">=1.0.0 <2 !=1.10.1 ; v1.2.7",
      ">=1.11.0-rc.0 <1.12 ; 1.11.0-rc.1",
      ">=2.1.0-alpha ; v3.0.0+build.5",
  })
  void selectsTheHighestMatchingTag(String range, String expected) {
    assertThat(highest(range)).contains(expected);
  }

  @Test
  void preReleasesOnlyMatchWhenTheRangeNamesOne() {
    assertThat(highest(">=1.11.0 <2.0.0")).isEmpty();
    assertThat(highest("2.1.x")).isEmpty();
    assertThat(SemverRange.parse(">=2.1.0-0 <2.2.0").matches(Semver.parse("v2.1.0-beta").orElseThrow())).isTrue();
  }

  @Test
  void noMatchIsEmpty() {
    assertThat(highest(">=4.0.0")).isEmpty();
  }

  @Test
  void tagsThatAreNotVersionsAreIgnored() {
    assertThat(Semver.parse("latest")).isEmpty();
    assertThat(Semver.parse("release-3")).isEmpty();
    assertThat(Semver.parse("v1.2")).get().hasToString("1.2.0");
  }

  @Test
  void orderingFollowsSemver() {
    List<String> sorted = List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
        "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0");
    for (int i = 1; i < sorted.size(); i++) {
      assertThat(Semver.parse(sorted.get(i - 1)).orElseThrow()).isLessThan(Semver.parse(sorted.get(i)).orElseThrow());
    }
  }

  @Test
  void badRangesSayWhatIsWrong() {
    assertThatThrownBy(() -> SemverRange.parse(">=1.2.0 <two")).hasMessageContaining("'<two'");
    assertThatThrownBy(() -> SemverRange.parse("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> SemverRange.parse("1.0 ||")).hasMessageContaining("empty alternative");
  }
}
