package dev.bunting.playground;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class AppBehaviourTest {

  @Test
  void healthyTagsNeverFailAndAddNoLatency() {
    for (String image : new String[] {"ghcr.io/stefanprodan/podinfo:1.0.0", "ghcr.io/stefanprodan/podinfo:1.1.0"}) {
      AppBehaviour b = AppBehaviour.of(image);
      assertThat(LongStream.rangeClosed(1, 1000).filter(b::fails)).as(image).isEmpty();
      assertThat(b.extraLatency()).isZero();
    }
  }

  @Test
  void aBadTagFailsExactlyOneRequestInFive() {
    AppBehaviour b = AppBehaviour.of("ghcr.io/stefanprodan/podinfo:1.2.0-bad");
    assertThat(b.version()).isEqualTo("1.2.0-bad");
    assertThat(LongStream.rangeClosed(1, 100).filter(b::fails).count()).isEqualTo(20);
    assertThat(b.errorPercent()).isEqualTo(20.0);
    assertThat(b.extraLatency()).isZero();
  }

  @Test
  void aSlowTagAddsHalfASecond() {
    AppBehaviour b = AppBehaviour.of("ghcr.io/stefanprodan/podinfo:1.1.0-SLOW");
    assertThat(b.extraLatency()).isEqualTo(Duration.ofMillis(500));
    assertThat(LongStream.rangeClosed(1, 100).filter(b::fails)).isEmpty();
  }

  @Test
  void theTagIsReadFromTheLastPathSegment() {
    assertThat(AppBehaviour.tag("registry:5000/podinfo")).isEqualTo("latest");
    assertThat(AppBehaviour.tag("registry:5000/podinfo:2.0-bad")).isEqualTo("2.0-bad");
    assertThat(AppBehaviour.tag("podinfo@sha256:abc")).isEqualTo("latest");
    assertThat(AppBehaviour.tag("podinfo:1.0.0@sha256:abc")).isEqualTo("1.0.0");
  }
}
