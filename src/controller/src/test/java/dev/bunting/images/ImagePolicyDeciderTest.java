package dev.bunting.images;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Condition;
import dev.bunting.api.ImagePolicy;
import dev.bunting.api.ImagePolicyChoice;
import dev.bunting.api.ImagePolicySpec;
import dev.bunting.api.ImagePolicyUpdate;
import dev.bunting.images.ImagePolicyDecider.Plan;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The ImagePolicy decisions as a scenario: scans, writes and failures, each applied to the policy's status. */
class ImagePolicyDeciderTest {
  private static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");
  private static final String V1 = "127.0.0.1:5000/shop/web:1.0.0";
  private static final String V2 = "127.0.0.1:5000/shop/web:1.1.0";

  private static ImagePolicy policy() {
    ImagePolicy p = new ImagePolicy();
    p.getMetadata().setName("web");
    p.getMetadata().setNamespace("shop");
    p.getMetadata().setGeneration(1L);
    ImagePolicySpec spec = new ImagePolicySpec();
    spec.image = "127.0.0.1:5000/shop/web";
    spec.policy = new ImagePolicyChoice();
    spec.policy.semver = new ImagePolicyChoice.SemverPolicy();
    spec.policy.semver.range = ">=1.0.0";
    spec.interval = "1m";
    spec.update = new ImagePolicyUpdate();
    spec.update.gitSyncRef = new ImagePolicyUpdate.LocalReference();
    spec.update.gitSyncRef.name = "apps";
    p.setSpec(spec);
    return p;
  }

  private static Plan step(ImagePolicy p, ImagePolicyDecider.Result r) {
    Plan plan = ImagePolicyDecider.decide(p, T0, r);
    p.setStatus(plan.status());
    return plan;
  }

  private static List<String> events(Plan plan) {
    return plan.events().stream().map(e -> e.severity() + " " + e.reason() + " " + e.message()).toList();
  }

  private static Condition ready(ImagePolicy p) {
    return Condition.find(p.getStatus().conditions, Condition.READY).orElseThrow();
  }

  @Test
  void aNewImageIsWrittenOnceAndARevertOfItIsLeftAlone() {
    ImagePolicy p = policy();
    assertThat(ImagePolicyDecider.needsWrite(p, V1)).isTrue();
    Plan first = step(p, new ImagePolicyDecider.Scanned(3, Optional.of(V1), new ImagePolicyDecider.Pushed(
        "a".repeat(40), "file:///repo branch main", List.of("apps/web.yaml"), 1, false)));
    assertThat(events(first)).containsExactly("Normal NewImage Latest image: " + V1,
        "Normal Pushed pushed aaaaaaaaaaaa to file:///repo branch main: " + V1 + " in apps/web.yaml (1 line)");
    assertThat(p.getStatus().writtenImage).isEqualTo(V1);
    assertThat(p.getStatus().lastPushCommit).isEqualTo("a".repeat(40));
    assertThat(p.getStatus().tagCount).isEqualTo(3);
    assertThat(ready(p).status).isEqualTo("True");
    assertThat(first.requeueAfter()).hasMinutes(1);

    assertThat(ImagePolicyDecider.needsWrite(p, V1)).as("written once: a revert of it is left alone").isFalse();
    Plan quiet = step(p, new ImagePolicyDecider.Scanned(3, Optional.of(V1), new ImagePolicyDecider.NotNeeded()));
    assertThat(quiet.events()).isEmpty();

    assertThat(ImagePolicyDecider.needsWrite(p, V2)).isTrue();
    Plan there = step(p, new ImagePolicyDecider.Scanned(4, Optional.of(V2), new ImagePolicyDecider.AlreadyThere(2)));
    assertThat(events(there)).containsExactly("Normal NewImage Latest image: " + V2 + " (was " + V1 + ")");
    assertThat(p.getStatus().writtenImage).isEqualTo(V2);
    assertThat(ready(p).message).isEqualTo("Latest image " + V2 + " (4 tags); the 2 marked lines have it already");
  }

  @Test
  void failuresAreOneWarningEachAndChangeNothingElse() {
    ImagePolicy p = policy();
    step(p, new ImagePolicyDecider.Scanned(3, Optional.of(V1), new ImagePolicyDecider.Pushed("b".repeat(40), "x",
        List.of("a.yaml"), 1, false)));
    String scanTime = p.getStatus().lastScanTime;
    Plan down = step(p, new ImagePolicyDecider.ScanFailed("ScanFailed", "listing the tags of x: no answer in time"));
    assertThat(events(down)).containsExactly("Warning ScanFailed listing the tags of x: no answer in time");
    assertThat(ready(p).status).isEqualTo("False");
    assertThat(p.getStatus().latestImage).as("the last good scan stays").isEqualTo(V1);
    assertThat(p.getStatus().lastScanTime).isEqualTo(scanTime);
    assertThat(step(p, new ImagePolicyDecider.ScanFailed("ScanFailed", "listing the tags of x: no answer in time"))
        .events()).as("said once").isEmpty();

    Plan refused = step(p, new ImagePolicyDecider.Scanned(4, Optional.of(V2), new ImagePolicyDecider.WriteFailed(
        "PushRejected", "protected branch")));
    assertThat(events(refused)).contains("Warning PushRejected Latest image " + V2 + " (4 tags); cannot write it to"
        + " Git: protected branch");
    assertThat(p.getStatus().writtenImage).as("tried again at the next scan").isEqualTo(V1);

    Plan invalid = step(p, new ImagePolicyDecider.Invalid("spec.policy.semver.range: cannot read 'two'"));
    assertThat(invalid.requeueAfter()).as("waits for a spec change").isNull();
    assertThat(Condition.find(p.getStatus().conditions, Condition.STALLED)).get()
        .satisfies(c -> assertThat(c.reason).isEqualTo("InvalidSpec"));
  }

  @Test
  void specValidation() {
    ImagePolicy p = policy();
    assertThat(ImagePolicyDecider.validate(p.getSpec())).isNull();
    p.getSpec().policy.semver.range = ">=1.0 <two";
    assertThat(ImagePolicyDecider.validate(p.getSpec())).startsWith("spec.policy.semver.range: ");
    p.getSpec().policy.semver.range = ">=1";
    p.getSpec().image = "ghcr.io/x/y:1.0";
    assertThat(ImagePolicyDecider.validate(p.getSpec())).contains("must not carry a tag");
    p.getSpec().image = "ghcr.io/x/y";
    p.getSpec().update.gitSyncRef.name = null;
    assertThat(ImagePolicyDecider.validate(p.getSpec())).isEqualTo("spec.update.gitSyncRef.name is required");
  }
}
