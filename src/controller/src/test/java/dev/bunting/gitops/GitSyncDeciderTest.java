package dev.bunting.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Condition;
import dev.bunting.api.GitSync;
import dev.bunting.api.GitSyncRelease;
import dev.bunting.api.GitSyncRollbackStatus;
import dev.bunting.api.GitSyncSpec;
import dev.bunting.api.GitSyncStatus;
import dev.bunting.api.NamedReference;
import dev.bunting.gitops.GitSyncDecider.CanaryView;
import dev.bunting.gitops.GitSyncDecider.DeletionPlan;
import dev.bunting.gitops.GitSyncDecider.ReleasePlan;
import dev.bunting.gitops.GitSyncDecider.Mode;
import dev.bunting.gitops.GitSyncPlan.Note;
import dev.bunting.gitops.GitSyncState.LastSync;
import dev.bunting.gitops.GitSyncState.Waiting;
import dev.bunting.gitops.GitSyncState.Wake;
import dev.bunting.gitops.SyncResult.Applied;
import dev.bunting.gitops.SyncResult.Failed;
import dev.bunting.kube.StatusWriter;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The GitSync engine's decisions as scenarios, reconcile after reconcile, the way the reconciler drives the decider: a
 * small world holds the GitSync (its status is what the last plan wrote) and the decider's memory, and each step says
 * what the sync found.
 */
class GitSyncDeciderTest {
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  private static final GitRevision R1 = GitRevision.of("main", "1111111111111111111111111111111111111111");
  private static final GitRevision R2 = GitRevision.of("main", "2222222222222222222222222222222222222222");
  private static final ObjectKey WEB = new ObjectKey("apps", "v1", "Deployment", "shop", "web");
  private static final ObjectKey CONFIG = new ObjectKey("", "v1", "ConfigMap", "shop", "config");
  private static final ObjectKey NS = new ObjectKey("", "v1", "Namespace", "", "shop");

  private final GitSyncDecider decider = new GitSyncDecider(5);

  /** One GitSync and what the reconciler remembers of it; plans are applied to it as the reconciler would. */
  private static final class World {
    final GitSync gs = new GitSync();
    Instant now = T0;
    GitSyncState.HealthClock clock;
    Instant lastFullSync;
    String waitingLog;
    GitSyncPlan last;
    final List<Note> events = new ArrayList<>();
    final List<Note> logs = new ArrayList<>();
    int statusWrites;

    World(GitSyncSpec spec) {
      gs.getMetadata().setName("apps");
      gs.getMetadata().setNamespace("shop");
      gs.getMetadata().setGeneration(1L);
      gs.setSpec(spec);
    }

    GitSyncPlan step(GitSyncDecider decider, SyncResult result) {
      return step(decider, result, null);
    }

    /** A reconcile whose full sync computed {@code releases} (its Canary targets); null: it did not look at them. */
    GitSyncPlan step(GitSyncDecider decider, SyncResult result, List<GitSyncRelease> releases) {
      if (!(result instanceof Applied a && a.healthOnly())) {
        lastFullSync = now;
      }
      GitSyncPlan plan = decider.decide(new GitSyncDecider.Snapshot(gs, now, clock, lastFullSync, waitingLog, 0.5,
          releases), result);
      clock = plan.healthClock();
      waitingLog = plan.waitingLog();
      if (StatusWriter.changed(gs.getStatus(), plan.status())) {
        statusWrites++;
        gs.setStatus(plan.status());
      }
      events.addAll(plan.events());
      logs.addAll(plan.logs());
      last = plan;
      return plan;
    }

    Condition condition(String type) {
      return Condition.find(gs.getStatus().conditions, type).orElse(null);
    }

    void later(Duration d) {
      now = now.plus(d);
    }
  }

  private static GitSyncSpec spec() {
    GitSyncSpec s = new GitSyncSpec();
    s.url = "https://git.example.com/shop.git";
    s.path = "deploy";
    s.interval = "10m";
    s.timeout = "2m";
    s.prune = true;
    return s;
  }

  private static SyncOutcome outcome(int created, int configured, int unchanged, List<String> changes,
      List<String> waiting, ObjectKey... inventory) {
    return new SyncOutcome(List.of(inventory), changes, created, configured, unchanged, 0, 0, List.of(), Set.of(),
        waiting);
  }

  private static Map<ObjectKey, Health> health(Object... keyAndHealth) {
    Map<ObjectKey, Health> m = new LinkedHashMap<>();
    for (int i = 0; i < keyAndHealth.length; i += 2) {
      m.put((ObjectKey) keyAndHealth[i], (Health) keyAndHealth[i + 1]);
    }
    return m;
  }

  private static Applied created(GitRevision rev, Map<ObjectKey, Health> health) {
    return new Applied(rev, outcome(2, 0, 0, List.of(WEB + " created", CONFIG + " created"), List.of(), CONFIG, WEB),
        health, false);
  }

  private static Applied unchanged(GitRevision rev, Map<ObjectKey, Health> health, boolean healthOnly) {
    return new Applied(rev, outcome(0, 0, 2, List.of(), List.of(), CONFIG, WEB), health, healthOnly);
  }

  private static List<String> messages(List<Note> notes) {
    return notes.stream().map(n -> n.severity() + " " + (n.reason() == null ? "" : n.reason() + " ") + n.message())
        .toList();
  }

  @Test
  void aNewRevisionThatIsHealthyAtOnceIsReadyWithOneEvent() {
    World w = new World(spec());
    GitSyncPlan plan = w.step(decider, created(R1, health(CONFIG, Health.current("exists"),
        WEB, Health.current("available"))));

    assertThat(w.condition(Condition.READY)).satisfies(c -> {
      assertThat(c.status).isEqualTo("True");
      assertThat(c.reason).isEqualTo(GitSyncDecider.SUCCEEDED);
      assertThat(c.message).isEqualTo("Applied revision: " + R1);
      assertThat(c.lastTransitionTime).isEqualTo("2026-11-26T10:00:00Z");
    });
    assertThat(w.condition(Condition.RECONCILING)).isNull();
    GitSyncStatus st = w.gs.getStatus();
    assertThat(st.lastAppliedRevision).isEqualTo(R1.toString());
    assertThat(st.lastAttemptedRevision).isEqualTo(R1.toString());
    assertThat(st.observedGeneration).isEqualTo(1L);
    assertThat(st.inventory.entries).extracting(e -> e.id).containsExactly("shop_config__ConfigMap",
        "shop_web_apps_Deployment");
    assertThat(messages(w.events)).containsExactly("Normal ReconciliationSucceeded Applied revision " + R1
        + ": 2 created (Deployment/shop/web created, ConfigMap/shop/config created)");
    assertThat(plan.requeueAfter()).as("the next periodic sync (jitter drawn at the middle)")
        .isEqualTo(Duration.ofMinutes(10));
    assertThat(plan.retry()).isFalse();
    assertThat(plan.waiting()).isEqualTo(Waiting.NOTHING);
    assertThat(plan.result()).isEqualTo("success");
    assertThat(plan.revisionReady()).isTrue();
  }

  @Test
  void aSyncThatChangesNothingWritesNothingAndSaysNothing() {
    World w = new World(spec());
    w.step(decider, created(R1, health(CONFIG, Health.current("exists"), WEB, Health.current("available"))));
    int writes = w.statusWrites;
    int events = w.events.size();
    int logs = w.logs.size();
    w.later(Duration.ofMinutes(10));
    GitSyncPlan plan = w.step(decider, unchanged(R1, health(CONFIG, Health.current("exists"),
        WEB, Health.current("available")), false));
    assertThat(w.statusWrites).isEqualTo(writes);
    assertThat(w.events).hasSize(events);
    assertThat(w.logs).hasSize(logs);
    assertThat(plan.revisionReady()).isFalse();
  }

  @Test
  void driftCorrectedInTheSameRevisionIsAnEventButNotANewReadyEvent() {
    World w = new World(spec());
    w.step(decider, created(R1, health(CONFIG, Health.current("exists"), WEB, Health.current("available"))));
    w.events.clear();
    w.step(decider, new Applied(R1, outcome(0, 1, 1, List.of(CONFIG + " configured"), List.of(), CONFIG, WEB),
        health(CONFIG, Health.current("exists"), WEB, Health.current("available")), false));
    assertThat(messages(w.events)).containsExactly("Normal ReconciliationSucceeded Applied revision " + R1
        + ": 1 configured, 1 unchanged (ConfigMap/shop/config configured)");
    assertThat(w.condition(Condition.READY).status).isEqualTo("True");
  }

  @Test
  void whileObjectsBecomeReadyItIsProgressingAndRecheckedFromTheCachesThenReady() {
    World w = new World(spec());
    GitSyncPlan first = w.step(decider, created(R1, health(CONFIG, Health.current("exists"),
        WEB, Health.inProgress("0 of 2 replicas available"))));
    assertThat(w.condition(Condition.READY)).satisfies(c -> {
      assertThat(c.status).isEqualTo("Unknown");
      assertThat(c.reason).isEqualTo(GitSyncDecider.PROGRESSING);
      assertThat(c.message).isEqualTo("Applied revision " + R1 + ": 2 created; waiting for 1 object to become ready: "
          + "Deployment/shop/web (0 of 2 replicas available)");
    });
    assertThat(w.condition(Condition.RECONCILING).status).isEqualTo("True");
    assertThat(w.gs.getStatus().lastAppliedRevision).isNull();
    assertThat(first.requeueAfter()).isEqualTo(GitSyncDecider.HEALTH_RECHECK);
    assertThat(first.nextWake()).as("the backstop timer only re-reads health").isEqualTo(Wake.HEALTH);
    assertThat(first.waiting()).isEqualTo(Waiting.HEALTH);
    assertThat(first.result()).isEqualTo("progressing");
    assertThat(messages(first.logs())).containsExactly("INFO waiting for Deployment/shop/web (0 of 2 replicas available)");

    // re-checks while nothing moved: no new log line, no new Event
    w.later(Duration.ofSeconds(5));
    GitSyncPlan again = w.step(decider, unchanged(R1, health(CONFIG, Health.current("exists"),
        WEB, Health.inProgress("0 of 2 replicas available")), true));
    assertThat(again.logs()).isEmpty();
    assertThat(again.events()).isEmpty();

    w.later(Duration.ofSeconds(5));
    GitSyncPlan ready = w.step(decider, unchanged(R1, health(CONFIG, Health.current("exists"),
        WEB, Health.current("available")), true));
    assertThat(w.condition(Condition.READY).status).isEqualTo("True");
    assertThat(w.condition(Condition.RECONCILING)).isNull();
    assertThat(w.gs.getStatus().lastAppliedRevision).isEqualTo(R1.toString());
    assertThat(messages(ready.events())).containsExactly("Normal ReconciliationSucceeded Revision " + R1
        + " is ready");
    assertThat(ready.waiting()).isEqualTo(Waiting.NOTHING);
    assertThat(ready.healthClock()).isNull();
  }

  @Test
  void waitingLongerThanTheTimeoutFailsTheHealthCheckOnceAndWaitsForTheNextSync() {
    World w = new World(spec());
    w.step(decider, created(R1, health(WEB, Health.inProgress("0 of 2 replicas available"))));
    w.later(Duration.ofSeconds(100));
    GitSyncPlan near = w.step(decider, unchanged(R1, health(WEB, Health.inProgress("0 of 2 replicas available")),
        true));
    assertThat(near.requeueAfter()).as("never later than the timeout").isEqualTo(GitSyncDecider.HEALTH_RECHECK);
    w.later(Duration.ofSeconds(18));
    assertThat(w.step(decider, unchanged(R1, health(WEB, Health.inProgress("0 of 2 replicas available")), true))
        .requeueAfter()).isEqualTo(Duration.ofSeconds(2));
    w.later(Duration.ofSeconds(2));
    GitSyncPlan failed = w.step(decider, unchanged(R1, health(WEB, Health.inProgress("0 of 2 replicas available")),
        true));
    assertThat(w.condition(Condition.READY)).satisfies(c -> {
      assertThat(c.status).isEqualTo("False");
      assertThat(c.reason).isEqualTo(GitSyncDecider.HEALTH_CHECK_FAILED);
      assertThat(c.message).isEqualTo("timeout after 2m0s waiting for revision " + R1 + " to become ready: "
          + "Deployment/shop/web (0 of 2 replicas available)");
    });
    assertThat(messages(failed.events())).containsExactly("Warning HealthCheckFailed " + w.condition(Condition.READY)
        .message);
    assertThat(failed.requeueAfter()).isEqualTo(Duration.ofMinutes(10));
    assertThat(failed.retry()).isFalse();
    assertThat(failed.errorReason()).isEqualTo(GitSyncDecider.HEALTH_CHECK_FAILED);

    // the periodic sync finds it still not ready: a fresh wait, the Warning is not repeated
    w.later(Duration.ofMinutes(10));
    GitSyncPlan next = w.step(decider, unchanged(R1, health(WEB, Health.failed("progress deadline exceeded")),
        false));
    assertThat(w.condition(Condition.READY).message).isEqualTo("health check failed for revision " + R1
        + ": Deployment/shop/web: progress deadline exceeded");
    assertThat(next.events()).isEmpty();
  }

  @Test
  void theBackstopTimerBringsAFullSyncOnceTheIntervalHasPassed() {
    GitSyncSpec spec = spec();
    spec.interval = "30s";
    World w = new World(spec);
    w.step(decider, created(R1, health(WEB, Health.inProgress("rolling out"))));
    w.later(Duration.ofSeconds(25));
    assertThat(w.step(decider, unchanged(R1, health(WEB, Health.inProgress("rolling out")), true)).nextWake())
        .isEqualTo(Wake.HEALTH);
    w.later(Duration.ofSeconds(5));
    assertThat(w.step(decider, unchanged(R1, health(WEB, Health.inProgress("rolling out")), true)).nextWake())
        .as("a new commit is picked up although the wait goes on").isEqualTo(Wake.NONE);
  }

  @Test
  void anApplyThatStoppedToWaitGoesOnWithAFullSyncSoon() {
    World w = new World(spec());
    GitSyncPlan plan = w.step(decider, new Applied(R1, outcome(1, 0, 0, List.of(NS + " created"),
        List.of(NS + " (not active yet)"), NS), Map.of(), false));
    assertThat(w.condition(Condition.READY).message).isEqualTo("Applying revision " + R1 + ": 1 created so far; "
        + "waiting for 1 object to become ready: Namespace/shop (not active yet)");
    assertThat(w.condition(Condition.RECONCILING).status).isEqualTo("True");
    assertThat(plan.requeueAfter()).isEqualTo(GitSyncDecider.APPLY_RECHECK);
    assertThat(plan.nextWake()).isEqualTo(Wake.NONE);
    assertThat(plan.waiting()).isEqualTo(Waiting.APPLY);
    assertThat(w.gs.getStatus().inventory.entries).extracting(e -> e.id).containsExactly("_shop__Namespace");

    w.later(Duration.ofSeconds(2));
    w.step(decider, new Applied(R1, new SyncOutcome(List.of(NS, CONFIG), List.of(CONFIG + " created"), 1, 0, 1, 0,
        0, List.of(), Set.of(), List.of()), health(NS, Health.current("active"), CONFIG, Health.current("exists")),
        false));
    assertThat(w.condition(Condition.READY).status).isEqualTo("True");
    assertThat(w.gs.getStatus().lastAppliedRevision).isEqualTo(R1.toString());
  }

  @Test
  void anInvalidRevisionIsStalledAndReportedOnceThenTheNextCommitRecovers() {
    World w = new World(spec());
    w.step(decider, created(R1, health(WEB, Health.current("available"))));
    w.events.clear();
    String msg = "1 object is invalid, nothing was applied: broken/svc.yaml (document 1): Service/shop/broken: "
        + "spec.ports[0].port: Invalid value: 70000";
    Failed invalid = new Failed(R2, SyncFailure.VALIDATION_FAILED, msg, true, null);
    GitSyncPlan plan = w.step(decider, invalid);
    assertThat(w.condition(Condition.READY)).satisfies(c -> {
      assertThat(c.status).isEqualTo("False");
      assertThat(c.reason).isEqualTo(SyncFailure.VALIDATION_FAILED);
      assertThat(c.message).isEqualTo("revision " + R2 + ": " + msg);
    });
    assertThat(w.condition(Condition.STALLED).status).isEqualTo("True");
    assertThat(w.gs.getStatus().lastAppliedRevision).isEqualTo(R1.toString());
    assertThat(w.gs.getStatus().lastAttemptedRevision).isEqualTo(R2.toString());
    assertThat(w.gs.getStatus().inventory.entries).as("the inventory stays what it was").hasSize(2);
    assertThat(plan.retry()).as("retrying the same revision cannot help").isFalse();
    assertThat(plan.requeueAfter()).isEqualTo(Duration.ofMinutes(10));
    assertThat(messages(plan.events())).containsExactly("Warning ValidationFailed revision " + R2 + ": " + msg);
    assertThat(messages(plan.logs())).containsExactly("WARN revision " + R2 + ": " + msg + " (ValidationFailed)");

    int writes = w.statusWrites;
    w.later(Duration.ofMinutes(10));
    GitSyncPlan again = w.step(decider, invalid);
    assertThat(again.events()).as("the same failure is not reported twice").isEmpty();
    assertThat(w.statusWrites).isEqualTo(writes);

    w.step(decider, new Applied(R2, outcome(0, 1, 1, List.of(CONFIG + " configured"), List.of(), CONFIG, WEB),
        health(CONFIG, Health.current("exists"), WEB, Health.current("available")), false));
    assertThat(w.condition(Condition.STALLED)).isNull();
    assertThat(w.condition(Condition.READY).status).isEqualTo("True");
  }

  @Test
  void aGitFailureIsRetriedWithBackoffAndItsEventIsNotRepeated() {
    World w = new World(spec());
    Failed down = new Failed(null, GitException.GIT_OPERATION_FAILED, "connection refused", false, null);
    GitSyncPlan plan = w.step(decider, down);
    assertThat(plan.retry()).isTrue();
    assertThat(plan.retryMessage()).isEqualTo("connection refused");
    assertThat(w.condition(Condition.READY).reason).isEqualTo(GitException.GIT_OPERATION_FAILED);
    assertThat(w.condition(Condition.STALLED)).isNull();
    assertThat(w.gs.getStatus().lastAttemptedRevision).isNull();
    assertThat(plan.events()).hasSize(1);
    assertThat(w.step(decider, down).events()).isEmpty();
  }

  @Test
  void anInvalidSpecIsStalledWithAnEventAndNotRetried() {
    GitSyncSpec spec = spec();
    spec.interval = "10";
    World w = new World(spec);
    assertThat(decider.mode(w.gs, Wake.NONE, null, Waiting.NOTHING, false)).isEqualTo(Mode.INVALID);
    String problem = GitSyncDecider.validate(spec);
    GitSyncPlan plan = w.step(decider, new SyncResult.Invalid(problem));
    assertThat(w.condition(Condition.READY).reason).isEqualTo(GitSyncDecider.INVALID_SPEC);
    assertThat(w.condition(Condition.STALLED).message).isEqualTo("spec.interval '10' is not a duration (e.g. 1m, 30s)");
    assertThat(messages(plan.events())).containsExactly("Warning InvalidSpec " + problem);
    assertThat(messages(plan.logs())).containsExactly("WARN invalid spec: " + problem);
    assertThat(plan.requeueAfter()).isNull();
    assertThat(plan.retry()).isFalse();
  }

  @Test
  void theModeOfAReconcile() {
    World w = new World(spec());
    LastSync last = new LastSync(R1, 1L, outcome(0, 0, 1, List.of(), List.of(), WEB));
    assertThat(decider.mode(w.gs, Wake.HEALTH, last, Waiting.HEALTH, false)).isEqualTo(Mode.HEALTH_CHECK);
    assertThat(decider.mode(w.gs, Wake.FULL, last, Waiting.HEALTH, false)).as("a full sync request wins")
        .isEqualTo(Mode.FULL_SYNC);
    assertThat(decider.mode(w.gs, Wake.NONE, last, Waiting.HEALTH, false)).as("the periodic timer")
        .isEqualTo(Mode.FULL_SYNC);
    assertThat(decider.mode(w.gs, Wake.HEALTH, last, Waiting.APPLY, false)).isEqualTo(Mode.FULL_SYNC);
    assertThat(decider.mode(w.gs, Wake.HEALTH, null, Waiting.HEALTH, false)).as("after a restart")
        .isEqualTo(Mode.FULL_SYNC);
    assertThat(decider.mode(w.gs, Wake.HEALTH, last, Waiting.NOTHING, true))
        .as("an object changed while the last sync read health, which found all ready").isEqualTo(Mode.UP_TO_DATE);
    assertThat(decider.mode(w.gs, Wake.HEALTH, last, Waiting.NOTHING, false))
        .as("the same, once the periodic sync is due, or after a failed sync").isEqualTo(Mode.FULL_SYNC);
    assertThat(decider.mode(w.gs, Wake.NONE, last, Waiting.NOTHING, true)).as("a timer or a plain enqueue")
        .isEqualTo(Mode.FULL_SYNC);
    assertThat(decider.mode(w.gs, Wake.FULL, last, Waiting.NOTHING, true)).as("a webhook or a spec change")
        .isEqualTo(Mode.FULL_SYNC);
    assertThat(decider.mode(w.gs, Wake.HEALTH, null, Waiting.NOTHING, true)).as("nothing applied yet")
        .isEqualTo(Mode.FULL_SYNC);
    w.gs.getMetadata().setGeneration(2L);
    assertThat(decider.mode(w.gs, Wake.HEALTH, last, Waiting.HEALTH, false)).as("the spec changed")
        .isEqualTo(Mode.FULL_SYNC);
    assertThat(decider.mode(w.gs, Wake.HEALTH, last, Waiting.NOTHING, true)).as("the spec changed, all ready before")
        .isEqualTo(Mode.FULL_SYNC);
    w.gs.getSpec().suspend = true;
    assertThat(decider.mode(w.gs, Wake.FULL, last, Waiting.HEALTH, false)).isEqualTo(Mode.SUSPENDED);
  }

  @Test
  void aHandledReconcileRequestIsEchoedInTheStatus() {
    World w = new World(spec());
    w.gs.getMetadata().setAnnotations(Map.of(GitSync.REQUESTED_AT, "1764146400"));
    w.step(decider, created(R1, health(WEB, Health.current("available"))));
    assertThat(w.gs.getStatus().lastHandledReconcileAt).isEqualTo("1764146400");
  }

  @Test
  void dependenciesMustBeReadyAndOnTheSameRevision() {
    World apps = new World(spec());
    apps.gs.getSpec().dependsOn = List.of(new NamedReference("infra", null));
    Map<String, GitSync> cluster = new LinkedHashMap<>();
    java.util.function.BiFunction<String, String, Optional<GitSync>> lookup =
        (ns, name) -> Optional.ofNullable(cluster.get(ns + "/" + name));

    assertThat(GitSyncDecider.dependenciesNotReady(apps.gs, R2, lookup)).get()
        .satisfies(f -> assertThat(f.message()).isEqualTo("dependencies not ready: GitSync shop/infra not found"));

    World infra = new World(spec());
    infra.gs.getMetadata().setName("infra");
    cluster.put("shop/infra", infra.gs);
    assertThat(GitSyncDecider.dependenciesNotReady(apps.gs, R2, lookup)).get()
        .satisfies(f -> assertThat(f.message()).contains("GitSync shop/infra is not ready"));

    infra.step(decider, created(R1, health(WEB, Health.current("available"))));
    assertThat(GitSyncDecider.dependenciesNotReady(apps.gs, R2, lookup)).get().satisfies(f -> {
      assertThat(f.reason()).isEqualTo(SyncFailure.DEPENDENCY_NOT_READY);
      assertThat(f.message()).contains("GitSync shop/infra has not applied " + R2 + " yet");
      assertThat(f.stalled()).isFalse();
    });
    assertThat(apps.step(decider, GitSyncDecider.dependenciesNotReady(apps.gs, R2, lookup).get()).waiting())
        .as("a change of the dependency wakes it").isEqualTo(Waiting.DEPENDENCY);

    infra.step(decider, created(R2, health(WEB, Health.current("available"))));
    assertThat(GitSyncDecider.dependenciesNotReady(apps.gs, R2, lookup)).isEmpty();
    assertThat(GitSyncDecider.dependsOn(apps.gs, "shop", "infra")).isTrue();

    apps.gs.getSpec().dependsOn = List.of(new NamedReference("apps", "shop"));
    assertThat(GitSyncDecider.dependenciesNotReady(apps.gs, R2, lookup)).get().satisfies(f -> {
      assertThat(f.reason()).isEqualTo(GitSyncDecider.INVALID_SPEC);
      assertThat(f.stalled()).isTrue();
    });
  }

  @Test
  void aDeletedGitSyncDeletesItsObjectsAndIsReleasedOrRetriedOrKept() {
    World w = new World(spec());
    w.gs.getMetadata().setDeletionTimestamp("2026-11-26T10:00:00Z");
    List<ObjectKey> inventory = List.of(CONFIG, WEB);

    DeletionPlan done = decider.deletion(w.gs, inventory, new ApplyPipeline.Deletion(inventory, List.of(), List.of(),
        List.of(), List.of(), false), T0.plusSeconds(1));
    assertThat(done.release()).isTrue();
    assertThat(done.pruned()).isEqualTo(2);
    assertThat(messages(done.events())).containsExactly("Normal GarbageCollected GitSync deleted (deletionPolicy "
        + "MirrorPrune): deleted 2 objects (ConfigMap/shop/config, Deployment/shop/web)");

    ApplyPipeline.Deletion flaky = new ApplyPipeline.Deletion(List.of(CONFIG), List.of(), List.of(), List.of(WEB),
        List.of("Deployment/shop/web: etcdserver: request timed out"), true);
    DeletionPlan retry = decider.deletion(w.gs, inventory, flaky, T0.plusSeconds(10));
    assertThat(retry.retry()).isTrue();
    assertThat(retry.release()).isFalse();
    DeletionPlan givenUp = decider.deletion(w.gs, inventory, flaky, T0.plus(Duration.ofMinutes(3)));
    assertThat(givenUp.release()).as("after spec.timeout the GitSync is released anyway").isTrue();
    assertThat(messages(givenUp.events())).contains("Warning GarbageCollectionFailed GitSync deleted, but 1 of its "
        + "objects could not be deleted and are left in place: Deployment/shop/web: etcdserver: request timed out");

    w.gs.getSpec().deletionPolicy = GitSyncSpec.WAIT_FOR_TERMINATION;
    DeletionPlan waiting = decider.deletion(w.gs, inventory, new ApplyPipeline.Deletion(List.of(), List.of(WEB),
        List.of(), List.of(), List.of(), false), T0.plusSeconds(10));
    assertThat(waiting.release()).isFalse();
    assertThat(waiting.requeueAfter()).isEqualTo(GitSyncDecider.TERMINATION_POLL);

    w.gs.getSpec().deletionPolicy = GitSyncSpec.ORPHAN;
    DeletionPlan orphan = decider.deletion(w.gs, inventory, null, T0.plusSeconds(1));
    assertThat(orphan.release()).isTrue();
    assertThat(orphan.events()).isEmpty();
    assertThat(messages(orphan.logs())).containsExactly("INFO deleted; its 2 objects are left in place "
        + "(deletionPolicy is Orphan)");
  }

  // ---------------------------------------------------------------------------------------------
  // Canary targets: releases, annotations, spec.rollback

  private static final GitRevision R3 = GitRevision.of("main", "3333333333333333333333333333333333333333");
  private static final GitRevision V = GitRevision.of("main", "4444444444444444444444444444444444444444");

  /** The web Deployment as rendered from {@code deploy/web.yaml} with {@code image}. */
  private static Manifest web(String image) {
    GenericKubernetesResource o = Serialization.unmarshal(Manifests.deployment("web", image, null),
        GenericKubernetesResource.class);
    o.getMetadata().setNamespace("shop");
    return new Manifest("deploy/web.yaml", 1, o);
  }

  private static Manifest config() {
    GenericKubernetesResource o = Serialization.unmarshal(Manifests.configMap("config", "1"),
        GenericKubernetesResource.class);
    o.getMetadata().setNamespace("shop");
    return new Manifest("deploy/config.yaml", 1, o);
  }

  /** The Canary of the web Deployment, in {@code phase}, analysing {@code revision}. */
  private static Function<ObjectKey, Optional<CanaryView>> canary(String phase, GitRevision revision) {
    return k -> k.equals(WEB) ? Optional.of(new CanaryView("web", phase, revision == null ? null
        : revision.toString(), "Failed".equals(phase) ? "Canary analysis failed: failed checks threshold reached 2"
        : null)) : Optional.empty();
  }

  private static GitSyncSpec rollback(String mode) {
    GitSyncSpec s = spec();
    s.rollback = mode;
    return s;
  }

  /** A full sync of {@code rev} rendering {@code manifests}: the decider's release plan, then its status plan. */
  private ReleasePlan sync(World w, GitRevision rev, String subject, List<Manifest> manifests,
      Function<ObjectKey, Optional<CanaryView>> canaries) {
    List<GitSyncRelease> current = w.gs.getStatus() == null ? null : w.gs.getStatus().releases;
    ReleasePlan plan = GitSyncDecider.releases(w.gs, current, rev, subject, manifests, canaries);
    w.step(decider, unchanged(rev, health(CONFIG, Health.current("exists"), WEB, Health.current("available")),
        false), plan.releases());
    return plan;
  }

  private static GitSyncRelease only(World w) {
    assertThat(w.gs.getStatus().releases).hasSize(1);
    return w.gs.getStatus().releases.get(0);
  }

  @Test
  void aCanaryTargetRemembersTheRevisionThatLastChangedItAndItsCanarysOutcome() {
    World w = new World(spec());
    ReleasePlan first = sync(w, R1, "web 1.0.0", List.of(config(), web("web:1.0.0")), canary(null, null));
    assertThat(first.stamps()).as("only the Canary's target is annotated")
        .containsOnlyKeys(WEB.inventoryId()).containsEntry(WEB.inventoryId(), new GitSyncDecider.Stamp(R1.toString(),
            "web 1.0.0"));
    assertThat(only(w)).satisfies(e -> {
      assertThat(e.target).isEqualTo("Deployment/shop/web");
      assertThat(e.canary).isEqualTo("web");
      assertThat(e.revision).isEqualTo(R1.toString());
      assertThat(e.subject).isEqualTo("web 1.0.0");
      assertThat(e.previousRevision).isNull();
      assertThat(e.phase).isNull();
    });

    // a commit that leaves the Deployment alone: its release stays R1, and so do its annotations (no write)
    ReleasePlan unchanged = sync(w, R2, "docs only", List.of(config(), web("web:1.0.0")),
        canary("Succeeded", R1));
    assertThat(unchanged.stamps().get(WEB.inventoryId()).revision()).isEqualTo(R1.toString());
    assertThat(only(w).phase).isEqualTo("Succeeded");

    // the image bump: a new release, coming from R1; the canary runs it and fails
    ReleasePlan bump = sync(w, R3, "web 1.1.0", List.of(config(), web("web:1.1.0")), canary("Initialized", R1));
    assertThat(bump.stamps().get(WEB.inventoryId())).isEqualTo(new GitSyncDecider.Stamp(R3.toString(), "web 1.1.0"));
    assertThat(only(w)).satisfies(e -> {
      assertThat(e.revision).isEqualTo(R3.toString());
      assertThat(e.previousRevision).isEqualTo(R1.toString());
      assertThat(e.phase).as("the canary's run is still for R1").isNull();
    });
    sync(w, R3, "web 1.1.0", List.of(config(), web("web:1.1.0")), canary("Progressing", R3));
    assertThat(only(w).phase).isEqualTo("Progressing");
    ReleasePlan failed = sync(w, R3, "web 1.1.0", List.of(config(), web("web:1.1.0")), canary("Failed", R3));
    assertThat(only(w).phase).isEqualTo("Failed");
    assertThat(only(w).message).isEqualTo("Canary analysis failed: failed checks threshold reached 2");
    assertThat(failed.revert()).as("no spec.rollback: Git is left alone").isNull();
    assertThat(failed.holds()).isEmpty();
    assertThat(only(w).rollback).isNull();

    // the next change comes from the last good revision, not from the failed one
    sync(w, V, "web 1.2.0", List.of(config(), web("web:1.2.0")), canary("Failed", R3));
    assertThat(only(w).previousRevision).isEqualTo(R1.toString());
    assertThat(only(w).phase).isNull();
  }

  @Test
  void revertAsksForOneRevertCommitThenRecognisesItAndLeavesItThere() {
    World w = new World(rollback(GitSyncSpec.ROLLBACK_REVERT));
    sync(w, R1, "web 1.0.0", List.of(web("web:1.0.0")), canary("Succeeded", R1));
    ReleasePlan bump = sync(w, R2, "web 1.1.0-bad", List.of(web("web:1.1.0-bad")), canary("Progressing", R2));
    assertThat(bump.revert()).isNull();

    List<GitSyncRelease> current = w.gs.getStatus().releases;
    ReleasePlan failed = GitSyncDecider.releases(w.gs, current, R2, "web 1.1.0-bad", List.of(web("web:1.1.0-bad")),
        canary("Failed", R2));
    GitSyncDecider.RevertRequest req = failed.revert();
    assertThat(req).isNotNull();
    assertThat(req.target()).isEqualTo(WEB);
    assertThat(req.file()).isEqualTo("deploy/web.yaml");
    assertThat(req.failed()).isEqualTo(R2);
    assertThat(req.previous()).isEqualTo(R1);
    assertThat(GitSyncDecider.revertMessage(w.gs, req)).isEqualTo("""
        Revert "web 1.1.0-bad"

        Canary shop/web failed on main@sha1:222222222222: Canary analysis failed: failed checks threshold reached 2

        This brings Deployment/shop/web in deploy/web.yaml back to its content at main@sha1:\
        1111111111111111111111111111111111111111, undoing the change of main@sha1:\
        2222222222222222222222222222222222222222.
        Pushed by Bunting for GitSync shop/apps (spec.rollback: revert).
        """);

    // the reconciler pushed it (as V) and syncs again from V: the same release, reverted, and no second revert
    List<GitSyncRelease> pushed = GitSyncDecider.reverted(failed.releases(), req, V.sha(), R2.sha());
    ReleasePlan again = GitSyncDecider.releases(w.gs, pushed, V, "Revert \"web 1.1.0-bad\"",
        List.of(web("web:1.0.0")), canary("Failed", R2));
    assertThat(again.revert()).isNull();
    assertThat(again.stamps().get(WEB.inventoryId()).revision()).as("still the failed release").isEqualTo(R2.toString());
    w.step(decider, unchanged(V, health(WEB, Health.current("available")), false), again.releases());
    assertThat(only(w)).satisfies(e -> {
      assertThat(e.revision).isEqualTo(R2.toString());
      assertThat(e.phase).isEqualTo("Failed");
      assertThat(e.rollback.action).isEqualTo(GitSyncRollbackStatus.REVERTED);
      assertThat(e.rollback.commit).isEqualTo(V.sha());
      assertThat(e.rollback.message).isEqualTo("pushed 444444444444, which reverts Deployment/shop/web to its content"
          + " of main@sha1:111111111111");
    });
    assertThat(messages(w.events)).contains("Normal RolledBack pushed 444444444444, which reverts Deployment/shop/web"
        + " to its content of main@sha1:111111111111");
    assertThat(w.condition(GitSyncDecider.ROLLBACK_FAILED)).isNull();

    int events = w.events.size();
    ReleasePlan quiet = sync(w, V, "Revert \"web 1.1.0-bad\"", List.of(web("web:1.0.0")), canary("Failed", R2));
    assertThat(quiet.revert()).isNull();
    assertThat(w.events).as("said once").hasSize(events);
  }

  @Test
  void aRejectedRevertIsAConditionAndIsTriedAgainOnlyOnceTheBranchMoved() {
    World w = new World(rollback(GitSyncSpec.ROLLBACK_REVERT));
    sync(w, R1, "web 1.0.0", List.of(web("web:1.0.0")), canary("Succeeded", R1));
    sync(w, R2, "web 1.1.0-bad", List.of(web("web:1.1.0-bad")), canary("Progressing", R2));
    ReleasePlan failed = GitSyncDecider.releases(w.gs, w.gs.getStatus().releases, R2, "web 1.1.0-bad",
        List.of(web("web:1.1.0-bad")), canary("Failed", R2));
    List<GitSyncRelease> rejected = GitSyncDecider.revertFailed(failed.releases(), failed.revert(),
        GitException.PUSH_REJECTED, "push to https://git.example.com/shop.git branch main rejected by the server:"
            + " protected branch", R2.sha());
    w.step(decider, unchanged(R2, health(WEB, Health.current("available")), false), rejected);

    String msg = "cannot revert Deployment/shop/web to main@sha1:111111111111: push to https://git.example.com/"
        + "shop.git branch main rejected by the server: protected branch (tried again once the branch moves)";
    assertThat(w.condition(GitSyncDecider.ROLLBACK_FAILED)).satisfies(c -> {
      assertThat(c.status).isEqualTo("True");
      assertThat(c.reason).isEqualTo("RollbackPushRejected");
      assertThat(c.message).isEqualTo(msg);
    });
    assertThat(messages(w.events)).contains("Warning RollbackPushRejected " + msg);
    assertThat(w.condition(Condition.READY).status).as("the sync itself is fine").isEqualTo("True");

    ReleasePlan sameHead = GitSyncDecider.releases(w.gs, w.gs.getStatus().releases, R2, "web 1.1.0-bad",
        List.of(web("web:1.1.0-bad")), canary("Failed", R2));
    assertThat(sameHead.revert()).as("no retry storm: the branch did not move").isNull();
    ReleasePlan moved = GitSyncDecider.releases(w.gs, w.gs.getStatus().releases, R3, "README",
        List.of(web("web:1.1.0-bad")), canary("Failed", R2));
    assertThat(moved.revert()).as("the branch moved: one more try").isNotNull();
    assertThat(moved.revert().failed()).isEqualTo(R2);

    // a new image for the target replaces the failed release: the condition goes
    sync(w, V, "web 1.2.0", List.of(web("web:1.2.0")), canary("Failed", R2));
    assertThat(w.condition(GitSyncDecider.ROLLBACK_FAILED)).isNull();
  }

  @Test
  void holdAppliesTheLastGoodContentOfThatObjectUntilANewerCommitChangesIt() {
    World w = new World(rollback(GitSyncSpec.ROLLBACK_HOLD));
    sync(w, R1, "web 1.0.0", List.of(config(), web("web:1.0.0")), canary("Succeeded", R1));
    sync(w, R2, "web 1.1.0-bad", List.of(config(), web("web:1.1.0-bad")), canary("Progressing", R2));
    ReleasePlan held = sync(w, R2, "web 1.1.0-bad", List.of(config(), web("web:1.1.0-bad")), canary("Failed", R2));
    assertThat(held.revert()).isNull();
    assertThat(held.holds()).containsExactly(Map.entry(WEB.inventoryId(), R1));
    String msg = "Deployment/shop/web is applied as of main@sha1:111111111111 (Canary web failed on "
        + "main@sha1:222222222222) until a newer commit changes it";
    assertThat(only(w).rollback.action).isEqualTo(GitSyncRollbackStatus.HELD);
    assertThat(only(w).rollback.message).isEqualTo(msg);
    assertThat(messages(w.events)).contains("Normal RolledBack " + msg);

    // a commit elsewhere: still held
    ReleasePlan other = sync(w, R3, "config", List.of(config(), web("web:1.1.0-bad")), canary("Failed", R2));
    assertThat(other.holds()).containsKey(WEB.inventoryId());
    // a newer commit changes the target: no longer held, and it comes from R1
    ReleasePlan fixed = sync(w, V, "web 1.1.1", List.of(config(), web("web:1.1.1")), canary("Failed", R2));
    assertThat(fixed.holds()).isEmpty();
    assertThat(only(w).revision).isEqualTo(V.toString());
    assertThat(only(w).previousRevision).isEqualTo(R1.toString());
    assertThat(only(w).rollback).isNull();
  }

  @Test
  void aTargetFirstSeenWithNewContentComesFromTheRevisionSyncedBefore() {
    World w = new World(rollback(GitSyncSpec.ROLLBACK_REVERT));
    // R1 synced while the Canary did not exist yet: no release
    sync(w, R1, "web 1.0.0", List.of(web("web:1.0.0")), k -> Optional.empty());
    assertThat(w.gs.getStatus().releases).isNull();
    sync(w, R2, "web 1.1.0-bad", List.of(web("web:1.1.0-bad")), canary("Progressing", R2));
    assertThat(only(w).previousRevision).isEqualTo(R1.toString());
    ReleasePlan failed = GitSyncDecider.releases(w.gs, w.gs.getStatus().releases, R2, "web 1.1.0-bad",
        List.of(web("web:1.1.0-bad")), canary("Failed", R2));
    assertThat(failed.revert().previous()).isEqualTo(R1);
  }

  @Test
  void aFailedTargetWithNothingToGoBackToSaysSo() {
    World w = new World(rollback(GitSyncSpec.ROLLBACK_REVERT));
    ReleasePlan plan = sync(w, R1, "web 1.0.0", List.of(web("web:1.0.0")), canary("Failed", R1));
    assertThat(plan.revert()).isNull();
    assertThat(w.condition(GitSyncDecider.ROLLBACK_FAILED).reason).isEqualTo("NoPreviousRevision");
  }
}
