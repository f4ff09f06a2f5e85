package dev.bunting.playground;

import dev.bunting.api.CanaryPhase;
import dev.bunting.testing.LocalRegistry;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * Plays the releases of a {@link Scenario}: for each, a real commit in the demo repository, a sync request to the
 * GitSync, then waiting (watching, not driving) until Bunting has detected the new revision and finished with it,
 * promoted or rolled back. Records what a user would check afterwards. Blocking: runs on the caller's thread.
 */
public final class ScenarioRunner {
  private static final Duration POLL = Duration.ofMillis(250);

  private final Clock clock;
  private final KubernetesClient client;
  private final String namespace;
  private final DemoRepository repo;
  private final GitSyncLink gitSync;
  private final CanaryWatch canary;
  private final Timeline timeline;
  private final Supplier<OptionalInt> routeWeight;
  private final DemoApp.Analysis analysis;
  private Instant canaryTrafficSeen;
  private LocalRegistry registry;
  private ImagePolicyLink imagePolicy;

  public ScenarioRunner(Clock clock, KubernetesClient client, String namespace, DemoRepository repo,
      GitSyncLink gitSync, CanaryWatch canary, Timeline timeline, Supplier<OptionalInt> routeWeight,
      DemoApp.Analysis analysis) {
    this.clock = clock;
    this.client = client;
    this.namespace = namespace;
    this.repo = repo;
    this.gitSync = gitSync;
    this.canary = canary;
    this.timeline = timeline;
    this.routeWeight = routeWeight;
    this.analysis = analysis;
  }

  /**
   * Releases by pushing images instead of committing: each release is an image pushed to {@code registry}, which
   * {@code imagePolicy} commits into the repository; a rolled-back release then waits for the GitSync's revert commit.
   */
  public void releaseByImages(LocalRegistry registry, ImagePolicyLink imagePolicy) {
    this.registry = registry;
    this.imagePolicy = imagePolicy;
  }

  /** How long a release may take before the playground calls it stuck. */
  Duration releaseTimeout() {
    int ticks = analysis.healthyTicks() + analysis.threshold() + 6;
    return analysis.interval().multipliedBy(ticks).plusMinutes(3);
  }

  /** Plays one release and returns its outcome (never throws for a release that goes wrong: that is the outcome). */
  public ReleaseOutcome play(int number, int of, String fromTag, Scenario.Release release) throws InterruptedException {
    String before = canary.current().map(c -> c.getStatus() == null ? null : c.getStatus().lastAppliedSpec)
        .orElse(null);
    timeline.section(String.format("Release %d/%d: podinfo %s -> %s (a working Bunting: %s)", number, of, fromTag,
        release.tag(), release.expectation()));
    Instant started = clock.instant();
    RevCommit commit;
    if (registry == null) {
      commit = repo.release(release.tag());
      timeline.note("git: commit " + commit.abbreviate(7).name() + " \"" + commit.getShortMessage() + "\"");
      gitSync.requestSync(commit.name());
    } else {
      String head = repo.head();
      registry.push(DemoApp.NAME, release.tag());
      timeline.note("registry: pushed " + registry.host() + "/" + DemoApp.NAME + ":" + release.tag());
      imagePolicy.rescan(String.valueOf(clock.millis()));
      if (!await(() -> !repo.head().equals(head), Duration.ofMinutes(1), new ArrayList<>())) {
        return new ReleaseOutcome(release.tag(), "", release.expectPromoted(), canary.phase(),
            Duration.between(started, clock.instant()), List.of(), primaryImage(), "",
            "ImagePolicy " + imagePolicy.name() + " did not commit " + release.tag() + " within 1 min");
      }
      repo.refresh();
      commit = repo.headCommit();
      timeline.note("git: commit " + commit.abbreviate(7).name() + " \"" + commit.getShortMessage() + "\" by "
          + commit.getAuthorIdent().getName() + " (ImagePolicy " + imagePolicy.name() + ")");
    }
    String sha = commit.abbreviate(7).name();
    List<Integer> weights = new ArrayList<>();

    boolean detected = await(() -> {
      String applied = canary.current().map(c -> c.getStatus() == null ? null : c.getStatus().lastAppliedSpec)
          .orElse(null);
      return applied != null && !Objects.equals(applied, before);
    }, Duration.ofMinutes(2).plus(analysis.interval().multipliedBy(2)), weights);
    String problem = "";
    if (!detected) {
      problem = "Bunting did not see the new revision within " + minutes(Duration.ofMinutes(2))
          + " (GitSync: " + gitSync.lastAttemptedRevision().orElse("no revision") + ", "
          + gitSync.readyMessage().orElse("no Ready condition") + ")";
    } else if (!await(() -> terminal(canary.phase()), releaseTimeout(), weights)) {
      problem = "the canary did not finish within " + minutes(releaseTimeout()) + "; it is "
          + canary.current().map(CanaryWatch::activity).orElse("gone");
    }
    String revert = "";
    if (registry != null && problem.isEmpty() && canary.phase() == CanaryPhase.FAILED) {
      // Git says the bad version until the GitSync (rollback: revert) pushes the revert commit
      String failedHead = commit.name();
      if (await(() -> !repo.head().equals(failedHead), Duration.ofMinutes(1), weights)) {
        repo.refresh();
        RevCommit r = repo.headCommit();
        revert = r.abbreviate(7).name() + " \"" + r.getShortMessage() + "\"";
        timeline.note("git: commit " + revert + " by " + r.getAuthorIdent().getName() + " (GitSync "
            + gitSync.name() + ", rollback: revert)");
      } else {
        problem = "the GitSync did not push a revert commit within 1 min (GitSync: "
            + gitSync.readyMessage().orElse("no Ready condition") + ")";
      }
    }
    Thread.sleep(1_500); // let the timeline print the last Events before the outcome is read
    timeline.flush();
    Duration took = Duration.between(started, clock.instant());
    return new ReleaseOutcome(release.tag(), sha, release.expectPromoted(), canary.phase(), took,
        List.copyOf(weights), primaryImage(), decision(started, canary.phase()), problem, revert);
  }

  /** Waits, sampling the route's canary weight, until {@code done} or the timeout. */
  private boolean await(BooleanSupplier done, Duration timeout, List<Integer> weights) throws InterruptedException {
    Instant end = clock.instant().plus(timeout);
    while (clock.instant().isBefore(end)) {
      sample(weights);
      if (done.getAsBoolean()) {
        sample(weights);
        return true;
      }
      Thread.sleep(POLL.toMillis());
    }
    return false;
  }

  private void sample(List<Integer> weights) {
    OptionalInt w = routeWeight.get();
    if (w.isPresent() && (weights.isEmpty() || weights.get(weights.size() - 1) != w.getAsInt())) {
      weights.add(w.getAsInt());
    }
  }

  static boolean terminal(CanaryPhase phase) {
    return phase == CanaryPhase.SUCCEEDED || phase == CanaryPhase.FAILED;
  }

  private String primaryImage() {
    Deployment primary = client.apps().deployments().inNamespace(namespace)
        .withName(DemoApp.NAME + "-primary").get();
    return primary == null ? "(no primary)" : primary.getSpec().getTemplate().getSpec().getContainers().get(0)
        .getImage();
  }

  /** The Event whose readings decided: the last "Advance" for a promotion, the last "Halt" for a rollback. */
  private String decision(Instant since, CanaryPhase phase) {
    String prefix = phase == CanaryPhase.FAILED ? "Halt " : "Advance ";
    return timeline.events().stream()
        .filter(e -> "Canary".equals(e.kind()) && !e.at().isBefore(since.minusSeconds(1))
            && e.message().startsWith(prefix))
        .map(Timeline.RecordedEvent::message)
        .reduce((a, b) -> b)
        .orElse("");
  }

  private static String minutes(Duration d) {
    return d.toSeconds() >= 120 ? d.toMinutes() + " min" : d.toSeconds() + " s";
  }
}
