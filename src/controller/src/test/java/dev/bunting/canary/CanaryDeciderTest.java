package dev.bunting.canary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryGitRevision;
import dev.bunting.api.CanaryAnalysis;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.CanarySpec;
import dev.bunting.api.CanaryStatus;
import dev.bunting.api.Condition;
import dev.bunting.api.HttpMatchRequest;
import dev.bunting.api.ObjectReference;
import dev.bunting.canary.CanaryAction.NotifyHooks;
import dev.bunting.canary.CanaryAction.Promote;
import dev.bunting.canary.CanaryAction.ScaleTarget;
import dev.bunting.canary.CanaryAction.SetRoutes;
import dev.bunting.canary.router.RouterState;
import dev.bunting.canary.router.Weights;
import dev.bunting.canary.workload.Readiness;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The canary state machine over Flagger's phase table, driven tick by tick like the reconciler drives it. */
class CanaryDeciderTest {
  static final String REV1 = "v2:1111";
  static final String REV2 = "v2:2222";
  private static final String REV3 = "v2:3333";

  /**
   * A tiny model of the cluster: status, router weights, readiness and check answers; plans are applied to it. Shared
   * with {@link CanaryDeciderActionsTest}.
   */
  static final class World {
    private final CanaryDecider decider = new CanaryDecider();
    final Canary canary;
    String provider = "gatewayapi:v1";
    String revision = REV1;
    Weights weights = null;
    boolean accepted = true;
    boolean primaryExists = true;
    Readiness primary = Readiness.READY;
    Readiness canaryReadiness = Readiness.READY;
    int targetReplicas = 2;
    int primaryReplicas = 2;
    boolean primaryMatchesTarget = true;
    List<Problem> problems = List.of();
    Map<String, String> configs = Map.of("configmap/podinfo-config", "aaaa");
    boolean slotFree = true;
    Instant now = Instant.parse("2026-11-26T10:00:00Z");
    CanaryGitRevision git;
    final Map<CheckKind, CheckResult> answers = new EnumMap<>(CheckKind.class);
    final List<CheckKind> asked = new ArrayList<>();
    CanaryPlan last;
    final List<String> trace = new ArrayList<>();

    World(CanaryAnalysis analysis) {
      canary = new Canary();
      canary.setMetadata(new ObjectMetaBuilder().withName("podinfo").withNamespace("test").withGeneration(1L)
          .withUid("uid-1").build());
      CanarySpec spec = new CanarySpec();
      spec.targetRef = new ObjectReference("apps/v1", "Deployment", "podinfo");
      spec.analysis = analysis;
      canary.setSpec(spec);
      for (CheckKind k : CheckKind.values()) {
        answers.put(k, CheckResult.PASSED);
      }
    }

    CanaryStatus status() {
      return canary.getStatus() == null ? new CanaryStatus() : canary.getStatus();
    }

    CanarySnapshot snapshot(boolean tickDue) {
      RouterState router = weights == null ? RouterState.absent()
          : new RouterState(Optional.of(weights), accepted, accepted ? "" : "parent gateway/public is not ready");
      if (!provider.startsWith("gatewayapi")) {
        router = RouterState.accepted(Weights.ALL_PRIMARY);
      }
      return new CanarySnapshot(canary, now, tickDue, provider,
          provider.startsWith("gatewayapi"), problems,
          new WorkloadView(targetReplicas, canaryReadiness, primaryExists, primaryReplicas, primary, primaryMatchesTarget),
          router, revision, configs, slotFree, false, SessionCookieValues.NONE, git);
    }

    /** One reconcile: ask the decider until it has a plan, answering checks from {@link #answers}; apply the plan. */
    CanaryPlan reconcile(boolean tickDue) {
      Map<CheckKind, CheckResult> given = new EnumMap<>(CheckKind.class);
      while (true) {
        Decision d = decider.decide(snapshot(tickDue), given);
        if (d instanceof Decision.Needs n) {
          assertThat(given).as("decider asked twice for %s", n.check()).doesNotContainKey(n.check());
          asked.add(n.check());
          given.put(n.check(), answers.get(n.check()));
          continue;
        }
        CanaryPlan plan = ((Decision.Plan) d).plan();
        for (CanaryAction a : plan.actions()) {
          if (a instanceof SetRoutes r && provider.startsWith("gatewayapi")) {
            weights = r.weights();
          } else if (a instanceof ScaleTarget t) {
            targetReplicas = t.replicas();
          }
        }
        canary.setStatus(plan.status());
        last = plan;
        trace.add(plan.status().phase + ":" + plan.status().canaryWeightOrZero());
        return plan;
      }
    }

    CanaryPlan tick() {
      return reconcile(true);
    }

    /** Initialise, then present a new revision. */
    World initialisedThenNewRevision() {
      tick();
      assertThat(status().phase).isEqualTo(CanaryPhase.INITIALIZED);
      revision = REV2;
      return this;
    }
  }

  static CanaryAnalysis canaryAnalysis(int stepWeight, int maxWeight, int threshold) {
    CanaryAnalysis a = new CanaryAnalysis();
    a.interval = "1m";
    a.stepWeight = stepWeight;
    a.maxWeight = maxWeight;
    a.threshold = threshold;
    return a;
  }

  static int weightOf(CanaryPlan plan) {
    return plan.actions().stream().filter(a -> a instanceof SetRoutes).map(a -> ((SetRoutes) a).weights().canary())
        .reduce((a, b) -> b).orElse(-1);
  }

  @Test
  void initialisationCreatesPrimaryRoutesToItAndScalesTargetToZero() {
    World w = new World(canaryAnalysis(20, 50, 5));
    CanaryPlan plan = w.tick();
    assertThat(plan.status().phase).isEqualTo(CanaryPhase.INITIALIZED);
    assertThat(plan.actions()).containsSubsequence(new CanaryAction.EnsurePrimary(), new CanaryAction.EnsureServices(true),
        new SetRoutes(Weights.ALL_PRIMARY), new ScaleTarget(0));
    assertThat(plan.status().lastAppliedSpec).isEqualTo(REV1);
    assertThat(plan.status().lastPromotedSpec).isEqualTo(REV1);
    assertThat(plan.status().trackedConfigs).containsEntry("configmap/podinfo-config", "aaaa");
    assertThat(plan.events()).extracting(CanaryPlan.Note::message).containsExactly("Initialization done! podinfo.test");
    assertThat(plan.alerts()).extracting(CanaryPlan.Note::message)
        .containsExactly("New Deployment detected, initialization completed.");
    assertThat(Condition.find(plan.status().conditions, "Promoted")).get()
        .satisfies(c -> assertThat(c.status).isEqualTo("True"));
    assertThat(Condition.find(plan.status().conditions, "Ready")).get()
        .satisfies(c -> assertThat(c.status).isEqualTo("True"));
    assertThat(plan.status().observedGeneration).isEqualTo(1L);
  }

  @Test
  void initialisationWaitsForThePrimary() {
    World w = new World(canaryAnalysis(20, 50, 5));
    w.primary = Readiness.waiting("waiting for rollout to finish: 0 of 2 updated replicas are available");
    CanaryPlan plan = w.tick();
    assertThat(plan.status().phase).isEqualTo(CanaryPhase.INITIALIZING);
    assertThat(plan.actions()).doesNotContain(new ScaleTarget(0));
    assertThat(Condition.find(plan.status().conditions, "Reconciling").get().message).contains("0 of 2");
    assertThat(plan.tickConsumed()).isFalse();
    assertThat(plan.requeueAfter()).as("no polling: the primary's changes, or the next tick, bring it back").isNull();
  }

  @Test
  void stepWeightOvershootsMaxWeightLikeFlaggerThenPromotesAndFinalises() {
    World w = new World(canaryAnalysis(20, 50, 5)).initialisedThenNewRevision();
    CanaryPlan start = w.reconcile(false);
    assertThat(start.status().phase).isEqualTo(CanaryPhase.PROGRESSING);
    assertThat(start.actions()).contains(new ScaleTarget(2));
    assertThat(start.tickConsumed()).isTrue();
    assertThat(start.status().lastAppliedSpec).isEqualTo(REV2);
    List<Integer> weights = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      weights.add(weightOf(w.tick()));
    }
    assertThat(weights).containsExactly(20, 40, 60);
    CanaryPlan promote = w.tick();
    assertThat(promote.status().phase).isEqualTo(CanaryPhase.PROMOTING);
    assertThat(promote.actions()).contains(new Promote());
    assertThat(promote.status().canaryWeight).isEqualTo(60);
    CanaryPlan fin = w.tick();
    assertThat(fin.status().phase).isEqualTo(CanaryPhase.FINALISING);
    assertThat(w.weights).isEqualTo(Weights.ALL_PRIMARY);
    CanaryPlan done = w.tick();
    assertThat(done.status().phase).isEqualTo(CanaryPhase.SUCCEEDED);
    assertThat(done.status().lastPromotedSpec).isEqualTo(REV2);
    assertThat(done.actions()).contains(new ScaleTarget(0),
        new NotifyHooks(dev.bunting.api.WebhookType.POST_ROLLOUT, CanaryPhase.SUCCEEDED));
    assertThat(done.completion().succeeded()).isTrue();
    assertThat(done.completion().analysisStatus()).isEqualTo("completed");
    assertThat(done.alerts()).extracting(CanaryPlan.Note::message)
        .containsExactly("Canary analysis completed successfully, promotion finished.");
    assertThat(w.tick().actions()).doesNotContain(new ScaleTarget(2));
    assertThat(w.status().phase).isEqualTo(CanaryPhase.SUCCEEDED);
  }

  @Test
  void checksAreAskedInFlaggerOrder() {
    World w = new World(canaryAnalysis(20, 100, 5)).initialisedThenNewRevision();
    w.reconcile(false);
    assertThat(w.asked).containsExactly(CheckKind.CONFIRM_ROLLOUT);
    w.asked.clear();
    w.tick();
    assertThat(w.asked).containsExactly(CheckKind.ROLLBACK, CheckKind.PRE_ROLLOUT, CheckKind.CONFIRM_TRAFFIC_INCREASE);
    w.asked.clear();
    w.tick();
    assertThat(w.asked).containsExactly(CheckKind.ROLLBACK, CheckKind.ANALYSIS, CheckKind.CONFIRM_TRAFFIC_INCREASE);
  }

  @Test
  void stepWeightsFollowTheListAndMaxWeightIsTheLastStep() {
    CanaryAnalysis a = canaryAnalysis(0, 0, 5);
    a.stepWeight = null;
    a.maxWeight = null;
    a.stepWeights = List.of(5, 10, 80);
    World w = new World(a).initialisedThenNewRevision();
    w.reconcile(false);
    List<Integer> weights = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      weights.add(weightOf(w.tick()));
    }
    assertThat(weights).containsExactly(5, 10, 80);
    assertThat(w.tick().status().phase).isEqualTo(CanaryPhase.PROMOTING);
  }

  @Test
  void stepWeightPromotionMovesTrafficBackInSteps() {
    CanaryAnalysis a = canaryAnalysis(50, 50, 5);
    a.stepWeightPromotion = 20;
    World w = new World(a).initialisedThenNewRevision();
    w.reconcile(false);
    w.tick(); // 50
    assertThat(w.tick().status().phase).isEqualTo(CanaryPhase.PROMOTING);
    assertThat(weightOf(w.tick())).isEqualTo(30);
    assertThat(weightOf(w.tick())).isEqualTo(10);
    CanaryPlan fin = w.tick();
    assertThat(fin.status().phase).isEqualTo(CanaryPhase.FINALISING);
    assertThat(w.weights).isEqualTo(Weights.ALL_PRIMARY);
  }

  @Test
  void promotingWaitsForThePrimaryRollout() {
    World w = new World(canaryAnalysis(50, 50, 5)).initialisedThenNewRevision();
    w.reconcile(false);
    w.tick();
    w.tick();
    assertThat(w.status().phase).isEqualTo(CanaryPhase.PROMOTING);
    w.primary = Readiness.waiting("waiting for rollout to finish: 1 out of 2 new replicas have been updated");
    CanaryPlan plan = w.tick();
    assertThat(plan.status().phase).isEqualTo(CanaryPhase.PROMOTING);
    assertThat(plan.status().canaryWeight).isEqualTo(50);
    assertThat(plan.tickConsumed()).isFalse();
    w.primary = Readiness.READY;
    assertThat(w.tick().status().phase).isEqualTo(CanaryPhase.FINALISING);
  }

  @Test
  void failedPromotionKeepsTrafficOnTheCanary() {
    World w = new World(canaryAnalysis(50, 50, 5)).initialisedThenNewRevision();
    w.reconcile(false);
    w.tick();
    w.tick();
    w.primary = Readiness.failed("deployment \"podinfo-primary\" exceeded its progress deadline");
    CanaryPlan plan = w.tick();
    assertThat(plan.status().phase).isEqualTo(CanaryPhase.FAILED);
    assertThat(plan.status().canaryWeight).isEqualTo(100);
    assertThat(w.weights).isEqualTo(Weights.ALL_CANARY);
    assertThat(plan.alerts()).extracting(CanaryPlan.Note::message).anyMatch(m -> m.startsWith("Promotion failed"));
  }

  @Test
  void failedChecksReachThresholdAndRollBack() {
    World w = new World(canaryAnalysis(10, 50, 2)).initialisedThenNewRevision();
    w.reconcile(false);
    w.tick(); // pre-rollout, weight 10
    w.answers.put(CheckKind.ANALYSIS, new CheckResult(false,
        "Halt podinfo.test advancement request-success-rate 80.00 < 99", List.of(
            new CheckResult.MetricReading("request-success-rate", 80, "%", false, "< 99"))));
    CanaryPlan f1 = w.tick();
    assertThat(f1.status().failedChecks).isEqualTo(1);
    assertThat(f1.status().canaryWeight).isEqualTo(10);
    assertThat(f1.events()).extracting(CanaryPlan.Note::severity).containsExactly("Warning");
    CanaryPlan f2 = w.tick();
    assertThat(f2.status().failedChecks).isEqualTo(2);
    assertThat(f2.status().phase).isEqualTo(CanaryPhase.PROGRESSING);
    CanaryPlan rb = w.tick();
    assertThat(rb.status().phase).isEqualTo(CanaryPhase.FAILED);
    assertThat(rb.status().canaryWeight).isZero();
    assertThat(rb.status().failedChecks).as("Bunting keeps the count that failed the release").isEqualTo(2);
    assertThat(w.weights).isEqualTo(Weights.ALL_PRIMARY);
    assertThat(rb.actions()).contains(new ScaleTarget(0));
    assertThat(rb.completion().succeeded()).isFalse();
    assertThat(rb.alerts()).extracting(CanaryPlan.Note::message).containsExactly(
        "Failed checks threshold reached 2; last: Halt podinfo.test advancement request-success-rate 80.00 < 99");
    assertThat(rb.events()).extracting(CanaryPlan.Note::message).contains("Canary failed! Scaling down podinfo.test");
    Condition ready = Condition.find(rb.status().conditions, "Ready").get();
    assertThat(ready.status).isEqualTo("False");
    assertThat(ready.message).contains("failed checks threshold reached 2").contains("request-success-rate 80.00 < 99");
    assertThat(Condition.find(rb.status().conditions, "Stalled").get().status).isEqualTo("True");
    assertThat(Condition.find(rb.status().conditions, "Promoted").get().status).isEqualTo("False");
    // Failed stays Failed while the target does not change: no status churn, no new analysis.
    CanaryPlan idle = w.tick();
    assertThat(idle.status().phase).isEqualTo(CanaryPhase.FAILED);
    assertThat(idle.events()).isEmpty();
    assertThat(idle.actions()).noneMatch(a -> a instanceof ScaleTarget);
    // A new revision after a failure starts a new analysis.
    w.revision = REV3;
    assertThat(w.reconcile(false).status().phase).isEqualTo(CanaryPhase.PROGRESSING);
  }

  @Test
  void aNewRevisionMidAnalysisRestartsTheRun() {
    World w = new World(canaryAnalysis(10, 50, 2)).initialisedThenNewRevision();
    w.reconcile(false);
    w.tick();
    w.tick();
    assertThat(w.status().canaryWeight).isEqualTo(20);
    w.revision = REV3;
    CanaryPlan restart = w.reconcile(false);
    assertThat(restart.status().phase).isEqualTo(CanaryPhase.PROGRESSING);
    assertThat(restart.status().canaryWeight).isZero();
    assertThat(restart.status().lastAppliedSpec).isEqualTo(REV3);
    assertThat(w.weights).isEqualTo(Weights.ALL_PRIMARY);
    assertThat(restart.events()).extracting(CanaryPlan.Note::message)
        .containsExactly("New revision detected! Restarting analysis for podinfo.test");
    assertThat(weightOf(w.tick())).isEqualTo(10);
  }

  @Test
  void confirmPromotionHoldsWaitingPromotionUntilTheGateOpens() {
    World w = new World(canaryAnalysis(50, 50, 5)).initialisedThenNewRevision();
    w.reconcile(false);
    w.tick(); // 50
    w.answers.put(CheckKind.CONFIRM_PROMOTION, CheckResult.failed("gate closed"));
    CanaryPlan wait = w.tick();
    assertThat(wait.status().phase).isEqualTo(CanaryPhase.WAITING_PROMOTION);
    assertThat(wait.status().canaryWeight).as("the real weight, not Flagger's 0").isEqualTo(50);
    assertThat(wait.alerts()).extracting(CanaryPlan.Note::message)
        .containsExactly("Canary promotion is waiting for approval.");
    w.asked.clear();
    CanaryPlan still = w.tick();
    assertThat(still.status().phase).isEqualTo(CanaryPhase.WAITING_PROMOTION);
    assertThat(still.alerts()).isEmpty();
    assertThat(w.asked).contains(CheckKind.ANALYSIS, CheckKind.CONFIRM_PROMOTION);
    w.answers.put(CheckKind.CONFIRM_PROMOTION, CheckResult.PASSED);
    CanaryPlan go = w.tick();
    assertThat(go.status().phase).isEqualTo(CanaryPhase.PROMOTING);
    assertThat(go.actions()).contains(new Promote());
  }

  @Test
  void aRollbackHookAborts() {
    World w = new World(canaryAnalysis(10, 50, 5)).initialisedThenNewRevision();
    w.reconcile(false);
    w.tick();
    w.answers.put(CheckKind.ROLLBACK, CheckResult.failed("rollback gate is open"));
    CanaryPlan rb = w.tick();
    assertThat(rb.status().phase).isEqualTo(CanaryPhase.FAILED);
    assertThat(w.weights).isEqualTo(Weights.ALL_PRIMARY);
    assertThat(rb.alerts()).extracting(CanaryPlan.Note::message)
        .containsExactly("Rolling back podinfo.test manual webhook invoked");
  }

  @Test
  void confirmRolloutClosedKeepsTheCanaryWaiting() {
    World w = new World(canaryAnalysis(10, 50, 5)).initialisedThenNewRevision();
    w.answers.put(CheckKind.CONFIRM_ROLLOUT, CheckResult.failed("closed"));
    CanaryPlan wait = w.reconcile(false);
    assertThat(wait.status().phase).isEqualTo(CanaryPhase.WAITING);
    assertThat(wait.actions()).noneMatch(a -> a instanceof ScaleTarget);
    assertThat(wait.alerts()).extracting(CanaryPlan.Note::message).containsExactly("Canary is waiting for approval.");
    assertThat(w.reconcile(false).status().phase).as("not due: no hook call").isEqualTo(CanaryPhase.WAITING);
    w.answers.put(CheckKind.CONFIRM_ROLLOUT, CheckResult.PASSED);
    CanaryPlan go = w.tick();
    assertThat(go.status().phase).isEqualTo(CanaryPhase.PROGRESSING);
    assertThat(go.actions()).contains(new ScaleTarget(2));
  }

  @Test
  void aNewRevisionWaitsForARolloutSlot() {
    World w = new World(canaryAnalysis(10, 50, 5)).initialisedThenNewRevision();
    w.slotFree = false;
    CanaryPlan wait = w.reconcile(false);
    assertThat(wait.status().phase).isEqualTo(CanaryPhase.WAITING);
    assertThat(wait.actions()).noneMatch(a -> a instanceof ScaleTarget);
    assertThat(w.asked).as("no hook is called while waiting for a slot").isEmpty();
    assertThat(Condition.find(wait.status().conditions, "Reconciling").get().message).contains("rollout slot");
    w.slotFree = true;
    CanaryPlan go = w.tick();
    assertThat(go.status().phase).isEqualTo(CanaryPhase.PROGRESSING);
    assertThat(go.actions()).contains(new ScaleTarget(2));
  }

  @Test
  void mutedConfirmRolloutSendsNoAlert() {
    CanaryAnalysis a = canaryAnalysis(10, 50, 5);
    dev.bunting.api.CanaryWebhook hook = new dev.bunting.api.CanaryWebhook();
    hook.name = "gate";
    hook.type = "confirm-rollout";
    hook.url = "http://gate";
    hook.muteAlert = true;
    a.webhooks = List.of(hook);
    World w = new World(a).initialisedThenNewRevision();
    w.answers.put(CheckKind.CONFIRM_ROLLOUT, CheckResult.failed("closed"));
    assertThat(w.reconcile(false).alerts()).isEmpty();
  }

  @Test
  void noStepBeforeTheIntervalElapses() {
    World w = new World(canaryAnalysis(10, 50, 5)).initialisedThenNewRevision();
    w.reconcile(false);
    w.tick();
    CanaryPlan notDue = w.reconcile(false);
    assertThat(notDue.status().canaryWeight).isEqualTo(10);
    assertThat(notDue.tickConsumed()).isFalse();
    assertThat(notDue.events()).isEmpty();
  }

  @Test
  void anUnacceptedRouteHoldsTheAnalysis() {
    World w = new World(canaryAnalysis(10, 50, 5)).initialisedThenNewRevision();
    w.reconcile(false);
    w.accepted = false;
    CanaryPlan plan = w.tick();
    assertThat(plan.tickConsumed()).isFalse();
    assertThat(plan.status().canaryWeight).isZero();
    assertThat(Condition.find(plan.status().conditions, "Reconciling").get().message)
        .contains("parent gateway/public is not ready");
  }

  @Test
  void theCanaryWeightIsReadBackFromTheRouter() {
    World w = new World(canaryAnalysis(10, 50, 5)).initialisedThenNewRevision();
    w.reconcile(false);
    w.tick();
    w.tick();
    assertThat(w.status().canaryWeight).isEqualTo(20);
    // The status write of the last step was lost, but the router has 30: status follows the router, no step repeats.
    w.weights = Weights.canary(30);
    assertThat(weightOf(w.tick())).isEqualTo(40);
  }

  @Test
  void canaryProgressDeadlineRollsBack() {
    World w = new World(canaryAnalysis(10, 50, 5)).initialisedThenNewRevision();
    w.reconcile(false);
    w.canaryReadiness = Readiness.failed("deployment \"podinfo\" exceeded its progress deadline");
    CanaryPlan plan = w.tick();
    assertThat(plan.status().phase).isEqualTo(CanaryPhase.FAILED);
    assertThat(plan.alerts()).extracting(CanaryPlan.Note::message)
        .containsExactly("Progress deadline exceeded deployment \"podinfo\" exceeded its progress deadline");
  }

  @Test
  void kubernetesProviderRunsBlueGreenIterationsWithoutWeights() {
    CanaryAnalysis a = new CanaryAnalysis();
    a.interval = "30s";
    a.iterations = 3;
    a.threshold = 2;
    World w = new World(a);
    w.provider = "kubernetes";
    w.initialisedThenNewRevision();
    w.reconcile(false);
    for (int i = 1; i <= 3; i++) {
      CanaryPlan p = w.tick();
      assertThat(p.status().iterations).isEqualTo(i);
      assertThat(p.status().canaryWeight).isZero();
    }
    CanaryPlan last = w.tick();
    assertThat(last.status().iterations).isEqualTo(4);
    assertThat(last.status().phase).isEqualTo(CanaryPhase.PROGRESSING);
    assertThat(w.tick().status().phase).isEqualTo(CanaryPhase.PROMOTING);
    assertThat(w.tick().status().phase).isEqualTo(CanaryPhase.FINALISING);
    CanaryPlan done = w.tick();
    assertThat(done.status().phase).isEqualTo(CanaryPhase.SUCCEEDED);
    assertThat(done.completion().strategy()).isEqualTo(dev.bunting.api.DeploymentStrategy.BLUE_GREEN);
  }

  @Test
  void gatewayBlueGreenRoutesAllTrafficToTheCanaryBeforePromotion() {
    CanaryAnalysis a = new CanaryAnalysis();
    a.iterations = 2;
    World w = new World(a).initialisedThenNewRevision();
    w.reconcile(false);
    w.tick();
    w.tick();
    assertThat(w.weights).isEqualTo(Weights.ALL_PRIMARY);
    CanaryPlan all = w.tick();
    assertThat(w.weights).isEqualTo(Weights.ALL_CANARY);
    assertThat(all.status().canaryWeight).isEqualTo(100);
    assertThat(w.tick().status().phase).isEqualTo(CanaryPhase.PROMOTING);
  }

  @Test
  void abTestingSendsMatchedTrafficToTheCanaryForEachIteration() {
    CanaryAnalysis a = new CanaryAnalysis();
    a.iterations = 2;
    HttpMatchRequest m = new HttpMatchRequest();
    m.headers = Map.of("x-canary", HttpMatchRequest.StringMatch.exact("insider"));
    a.match = List.of(m);
    World w = new World(a).initialisedThenNewRevision();
    w.reconcile(false);
    CanaryPlan first = w.tick();
    assertThat(w.weights).isEqualTo(Weights.ALL_CANARY);
    assertThat(first.status().iterations).isEqualTo(1);
    w.tick();
    CanaryPlan promote = w.tick();
    assertThat(promote.status().phase).isEqualTo(CanaryPhase.PROMOTING);
    assertThat(w.tick().status().phase).isEqualTo(CanaryPhase.FINALISING);
    assertThat(w.weights).isEqualTo(Weights.ALL_PRIMARY);
  }

  @Test
  void skipAnalysisPromotesOnceTheCanaryIsReady() {
    CanaryAnalysis a = canaryAnalysis(10, 50, 5);
    World w = new World(a);
    w.canary.getSpec().skipAnalysis = true;
    w.initialisedThenNewRevision();
    w.reconcile(false);
    CanaryPlan plan = w.tick();
    assertThat(plan.status().phase).isEqualTo(CanaryPhase.SUCCEEDED);
    assertThat(plan.actions()).contains(new Promote(), new ScaleTarget(0));
    assertThat(plan.completion().analysisStatus()).isEqualTo("skipped");
    assertThat(w.asked).doesNotContain(CheckKind.ANALYSIS);
  }

  @Test
  void badInputHoldsEverythingWithAStalledCondition() {
    World w = new World(canaryAnalysis(10, 50, 5)).initialisedThenNewRevision();
    w.problems = List.of(new Problem(Problem.METRIC_TEMPLATE_NOT_FOUND,
        "MetricTemplate test/latency referenced by metric latency not found"));
    CanaryPlan plan = w.reconcile(true);
    assertThat(plan.actions()).isEmpty();
    assertThat(plan.status().phase).isEqualTo(CanaryPhase.INITIALIZED);
    Condition stalled = Condition.find(plan.status().conditions, "Stalled").get();
    assertThat(stalled.reason).isEqualTo("MetricTemplateNotFound");
    assertThat(stalled.message).contains("test/latency");
    assertThat(Condition.find(plan.status().conditions, "Ready").get().status).isEqualTo("False");
  }

  @Test
  void suspendFreezesTheAnalysis() {
    World w = new World(canaryAnalysis(10, 50, 5)).initialisedThenNewRevision();
    w.reconcile(false);
    w.tick();
    w.canary.getSpec().suspend = true;
    CanaryPlan plan = w.tick();
    assertThat(plan.status().canaryWeight).isEqualTo(10);
    assertThat(plan.actions()).isEmpty();
    assertThat(Condition.find(plan.status().conditions, "Reconciling").get().reason).isEqualTo("Suspended");
  }

  @Test
  void aCanaryFlaggerRanIsAdoptedWithoutANewAnalysis() {
    World w = new World(canaryAnalysis(10, 50, 5));
    CanaryStatus flagger = new CanaryStatus();
    flagger.phase = CanaryPhase.SUCCEEDED;
    flagger.lastAppliedSpec = "5c8f7d6b9";
    flagger.lastPromotedSpec = "5c8f7d6b9";
    w.canary.setStatus(flagger);
    w.targetReplicas = 0;
    CanaryPlan plan = w.tick();
    assertThat(plan.status().phase).isEqualTo(CanaryPhase.SUCCEEDED);
    assertThat(plan.status().lastAppliedSpec).isEqualTo(REV1);
    assertThat(plan.actions()).noneMatch(a -> a instanceof ScaleTarget || a instanceof Promote);
    // A later image change starts an analysis.
    w.revision = REV2;
    assertThat(w.reconcile(false).status().phase).isEqualTo(CanaryPhase.PROGRESSING);
  }

  @Test
  void aFlaggerCanaryWhoseTargetDiffersFromThePrimaryStartsAnAnalysis() {
    World w = new World(canaryAnalysis(10, 50, 5));
    CanaryStatus flagger = new CanaryStatus();
    flagger.phase = CanaryPhase.SUCCEEDED;
    flagger.lastAppliedSpec = "5c8f7d6b9";
    w.canary.setStatus(flagger);
    w.primaryMatchesTarget = false;
    assertThat(w.tick().status().phase).isEqualTo(CanaryPhase.PROGRESSING);
  }

  @Test
  void deletionWithRevertOnDeletionScalesTheTargetBackAndRemovesTheFinalizer() {
    World w = new World(canaryAnalysis(10, 50, 5));
    w.canary.getSpec().revertOnDeletion = true;
    CanaryPlan init = w.tick();
    assertThat(init.actions()).contains(new CanaryAction.AddFinalizer());
    w.canary.getMetadata().setFinalizers(List.of(Canary.FINALIZER));
    w.canary.getMetadata().setDeletionTimestamp("2026-11-26T10:00:00Z");
    CanaryPlan scale = w.tick();
    assertThat(scale.status().phase).isEqualTo(CanaryPhase.TERMINATING);
    assertThat(scale.actions()).contains(new ScaleTarget(2));
    CanaryPlan done = w.tick();
    assertThat(done.actions()).containsSubsequence(new CanaryAction.RevertApexService(),
        new CanaryAction.RemoveFinalizer());
    assertThat(done.status().phase).isEqualTo(CanaryPhase.TERMINATED);
  }

  @Test
  void conditionTimestampsOnlyMoveWhenTheConditionChanges() {
    World w = new World(canaryAnalysis(10, 50, 5));
    CanaryPlan first = w.tick();
    String t = Condition.find(first.status().conditions, "Ready").get().lastTransitionTime;
    CanaryPlan again = w.tick();
    assertThat(Condition.find(again.status().conditions, "Ready").get().lastTransitionTime).isEqualTo(t);
    assertThat(again.events()).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // Bunting's analysis: status.analysis, noData: wait, the score's immediate rollback

  private static CheckResult analysisResult(CheckResult.Outcome outcome, String message, String metricResult) {
    dev.bunting.api.AnalysisStatus a = new dev.bunting.api.AnalysisStatus();
    dev.bunting.api.AnalysisStatus.Metric m = new dev.bunting.api.AnalysisStatus.Metric();
    m.name = "request-success-rate";
    m.result = metricResult;
    m.message = message;
    a.metrics = List.of(m);
    a.result = outcome == CheckResult.Outcome.PASSED ? "Passed" : outcome == CheckResult.Outcome.WAITING ? "Waiting"
        : "Failed";
    a.message = message;
    return new CheckResult(outcome, message, List.of(), a);
  }

  @Test
  void aNewRevisionStartsItsAnalysisRecordAndEachTickRecordsItsMetrics() {
    World w = new World(canaryAnalysis(10, 50, 2)).initialisedThenNewRevision();
    w.reconcile(false);
    assertThat(w.status().analysis.startedAt).as("the windows of this release start here").isEqualTo("2026-11-26T10:00:00Z");
    assertThat(w.status().analysis.metrics).isNull();
    w.now = w.now.plusSeconds(60);
    w.tick(); // pre-rollout
    w.now = w.now.plusSeconds(60);
    w.answers.put(CheckKind.ANALYSIS, analysisResult(CheckResult.Outcome.PASSED, "every metric passed", "Passed"));
    CanaryPlan plan = w.tick();
    assertThat(plan.status().canaryWeight).isEqualTo(20);
    assertThat(plan.status().analysis.startedAt).isEqualTo("2026-11-26T10:00:00Z");
    assertThat(plan.status().analysis.evaluatedAt).isEqualTo("2026-11-26T10:02:00Z");
    assertThat(plan.status().analysis.result).isEqualTo("Passed");
    assertThat(plan.status().analysis.metrics).extracting(m -> m.name + ":" + m.result)
        .containsExactly("request-success-rate:Passed");
  }

  @Test
  void anIdleCanaryKeepsItsStatusSoNothingIsWritten() {
    World w = new World(canaryAnalysis(50, 50, 5)).initialisedThenNewRevision();
    w.reconcile(false);
    while (w.status().phase != CanaryPhase.SUCCEEDED) {
      w.now = w.now.plusSeconds(60);
      w.tick();
    }
    dev.bunting.api.CanaryStatus before = io.fabric8.kubernetes.client.utils.Serialization.clone(w.status());
    assertThat(before.analysis.startedAt).isNotNull();
    w.now = w.now.plusSeconds(600);
    CanaryPlan idle = w.tick();
    assertThat(CanaryReconciler.changed(before, idle.status())).as("no status write for an idle canary").isFalse();
  }

  @Test
  void waitingForDataHoldsTheAnalysisWithoutFailedChecksUntilTheProgressDeadline() {
    World w = new World(canaryAnalysis(10, 50, 2)).initialisedThenNewRevision();
    w.canary.getSpec().progressDeadlineSeconds = 120;
    w.reconcile(false);
    w.now = w.now.plusSeconds(60);
    w.tick(); // pre-rollout, weight 10
    String waiting = "request-success-rate: not enough data: the canary served 0 requests in 1m (minRequests 10) "
        + "(noData: wait)";
    w.answers.put(CheckKind.ANALYSIS, analysisResult(CheckResult.Outcome.WAITING, waiting, "Waiting"));
    w.now = w.now.plusSeconds(60);
    CanaryPlan first = w.tick();
    assertThat(first.status().phase).isEqualTo(CanaryPhase.PROGRESSING);
    assertThat(first.status().canaryWeight).as("no step while waiting").isEqualTo(10);
    assertThat(first.status().failedChecksOrZero()).as("waiting is not a failed check").isZero();
    assertThat(first.status().analysis.waitingSince).isEqualTo("2026-11-26T10:02:00Z");
    assertThat(first.events()).extracting(CanaryPlan.Note::message)
        .containsExactly("Waiting for data for podinfo.test: " + waiting);
    assertThat(Condition.find(first.status().conditions, "Reconciling").get().message)
        .startsWith("waiting for data (noData: wait, at most 120s from 2026-11-26T10:02:00Z)");
    w.now = w.now.plusSeconds(60);
    assertThat(w.tick().status().phase).as("60s of 120s waited").isEqualTo(CanaryPhase.PROGRESSING);
    w.now = w.now.plusSeconds(60);
    CanaryPlan failed = w.tick();
    assertThat(failed.status().phase).as("never waits forever").isEqualTo(CanaryPhase.FAILED);
    assertThat(Condition.find(failed.status().conditions, "Ready").get().message)
        .isEqualTo("Canary analysis failed: no data within progressDeadlineSeconds (120s) of waiting: " + waiting);
    assertThat(failed.alerts()).extracting(CanaryPlan.Note::message).anyMatch(m -> m.contains("no data within"));
  }

  @Test
  void dataArrivingStopsTheWaitClock() {
    World w = new World(canaryAnalysis(10, 50, 2)).initialisedThenNewRevision();
    w.reconcile(false);
    w.tick();
    w.answers.put(CheckKind.ANALYSIS, analysisResult(CheckResult.Outcome.WAITING, "x: not enough data", "Waiting"));
    assertThat(w.tick().status().analysis.waitingSince).isNotNull();
    w.answers.put(CheckKind.ANALYSIS, analysisResult(CheckResult.Outcome.PASSED, "every metric passed", "Passed"));
    CanaryPlan plan = w.tick();
    assertThat(plan.status().analysis.waitingSince).isNull();
    assertThat(plan.status().canaryWeight).isEqualTo(20);
  }

  @Test
  void aScoreBelowMarginalRollsBackAtOnce() {
    World w = new World(canaryAnalysis(10, 50, 5)).initialisedThenNewRevision();
    w.reconcile(false);
    w.tick();
    w.answers.put(CheckKind.ANALYSIS, analysisResult(CheckResult.Outcome.ABORTED,
        "score below marginal: score 33.33 (pass 95, marginal 75); not passed: a, b", "Failed"));
    CanaryPlan plan = w.tick();
    assertThat(plan.status().phase).isEqualTo(CanaryPhase.FAILED);
    assertThat(plan.status().failedChecksOrZero()).isZero();
    assertThat(Condition.find(plan.status().conditions, "Ready").get().message)
        .isEqualTo("Canary analysis failed: score below marginal: score 33.33 (pass 95, marginal 75); not passed: a, b");
  }

  @Test
  void aRevisionAGitSyncAppliedCarriesItsCommitIntoStatusAndEvents() {
    World w = new World(canaryAnalysis(50, 50, 1));
    w.git = new CanaryGitRevision("main@sha1:" + "a".repeat(40), "podinfo 1.0.0", "apps/podinfo");
    w.tick();
    assertThat(w.status().gitRevision).as("the initialised revision's commit").isEqualTo(w.git);
    CanaryGitRevision bump = new CanaryGitRevision("main@sha1:" + "b".repeat(40), "podinfo 1.1.0-bad",
        "apps/podinfo");
    w.revision = REV2;
    w.git = bump;
    CanaryPlan start = w.reconcile(false);
    assertThat(start.status().gitRevision).isEqualTo(bump);
    assertThat(start.events()).extracting(CanaryPlan.Note::message).containsExactly(
        "New revision detected! Scaling up podinfo.test (git main@sha1:bbbbbbbbbbbb \"podinfo 1.1.0-bad\")");

    // a later commit that changes only the Deployment's labels moves the annotation, not the run's commit
    w.git = new CanaryGitRevision("main@sha1:" + "c".repeat(40), "labels", "apps/podinfo");
    w.answers.put(CheckKind.ANALYSIS, CheckResult.failed("request-success-rate 80 < 99"));
    w.tick(); // pre-rollout passes, weight 50
    w.tick(); // analysis fails: 1 failed check
    CanaryPlan failed = w.tick();
    assertThat(failed.status().phase).isEqualTo(CanaryPhase.FAILED);
    assertThat(failed.status().gitRevision).isEqualTo(bump);
    assertThat(failed.events()).extracting(CanaryPlan.Note::message)
        .contains("Canary failed! Scaling down podinfo.test (git main@sha1:bbbbbbbbbbbb \"podinfo 1.1.0-bad\")");

    w.revision = REV3;
    w.git = null;
    assertThat(w.reconcile(false).status().gitRevision).as("a revision no GitSync applied has none").isNull();
  }
}
