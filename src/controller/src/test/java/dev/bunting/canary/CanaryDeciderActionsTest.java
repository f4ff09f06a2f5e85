package dev.bunting.canary;

import static dev.bunting.canary.CanaryDeciderTest.REV1;
import static dev.bunting.canary.CanaryDeciderTest.REV2;
import static dev.bunting.canary.CanaryDeciderTest.canaryAnalysis;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.CanaryActionStatus;
import dev.bunting.api.CanaryStatus;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.Condition;
import dev.bunting.api.WebhookType;
import dev.bunting.canary.CanaryAction.NotifyHooks;
import dev.bunting.canary.CanaryAction.Promote;
import dev.bunting.canary.CanaryAction.ScaleTarget;
import dev.bunting.canary.CanaryDeciderTest.World;
import dev.bunting.canary.router.Weights;
import dev.bunting.canary.workload.Readiness;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Rollout actions (the {@code bunting.dev/action} annotation) in the canary state machine: each action in the phases
 * where it acts and where it is refused, the bad value, and that a handled request never acts twice.
 */
class CanaryDeciderActionsTest {

  private static void annotate(World w, String value) {
    w.canary.getMetadata().setAnnotations(Map.of(ActionRequest.ANNOTATION, value));
  }

  /** A canary release of REV2 in Progressing at canary weight 10 (of 50, steps of 10). */
  private static World progressingAt10() {
    World w = new World(canaryAnalysis(10, 50, 2)).initialisedThenNewRevision();
    w.reconcile(false);
    w.tick();
    assertThat(w.status().phase).isEqualTo(CanaryPhase.PROGRESSING);
    assertThat(w.weights.canary()).isEqualTo(10);
    return w;
  }

  private static Condition condition(CanaryPlan plan, String type) {
    return Condition.find(plan.status().conditions, type).orElse(null);
  }

  private static List<String> events(CanaryPlan plan) {
    return plan.events().stream().map(n -> n.severity() + " " + n.message()).toList();
  }

  private static void assertRejected(CanaryPlan plan, String request, String reason) {
    CanaryActionStatus last = plan.status().lastAction;
    assertThat(last.request).isEqualTo(request);
    assertThat(last.result).isEqualTo(CanaryActionStatus.REJECTED);
    assertThat(last.message).contains(reason);
    Condition c = condition(plan, Condition.ACTION_REJECTED);
    assertThat(c.status).isEqualTo("True");
    assertThat(c.reason).isEqualTo("ActionNotPossible");
    assertThat(c.message).isEqualTo("bunting.dev/action=" + request + " rejected: " + last.message);
    assertThat(events(plan)).contains("Warning bunting.dev/action=" + request + " rejected: " + last.message);
  }

  // ---------------------------------------------------------------------------------------------
  // abort

  @Test
  void abortRollsBackAtOnceAndIsHandledOnce() {
    World w = progressingAt10();
    annotate(w, "abort");
    CanaryPlan plan = w.reconcile(false);

    assertThat(plan.status().phase).isEqualTo(CanaryPhase.FAILED);
    assertThat(plan.status().canaryWeight).isZero();
    assertThat(w.weights).isEqualTo(Weights.ALL_PRIMARY);
    assertThat(plan.actions()).contains(new ScaleTarget(0),
        new NotifyHooks(WebhookType.POST_ROLLOUT, CanaryPhase.FAILED));
    assertThat(plan.actions()).doesNotContain(new Promote());
    assertThat(plan.completion().succeeded()).isFalse();
    assertThat(events(plan)).containsExactly("Warning bunting.dev/action=abort: aborted by user, rolled back: all "
        + "traffic to podinfo-primary, podinfo scaled to zero");
    assertThat(plan.alerts()).extracting(CanaryPlan.Note::message).containsExactly("Canary aborted by user, rolling back.");
    CanaryActionStatus last = plan.status().lastAction;
    assertThat(last.request).isEqualTo("abort");
    assertThat(last.name).isEqualTo("abort");
    assertThat(last.result).isEqualTo(CanaryActionStatus.ACCEPTED);
    assertThat(last.handledAt).isEqualTo("2026-11-26T10:00:00Z");
    assertThat(condition(plan, Condition.READY).message).startsWith("Canary aborted by user (bunting.dev/action=abort)");
    assertThat(condition(plan, Condition.PROMOTED).status).isEqualTo("False");
    assertThat(condition(plan, Condition.ACTION_REJECTED)).isNull();

    // The annotation stays; the status says it was handled: no reconcile acts on it again (the decider has no other
    // memory, so this is also what a restarted controller does).
    for (int i = 0; i < 3; i++) {
      CanaryPlan again = w.tick();
      assertThat(again.events()).isEmpty();
      assertThat(again.actions()).doesNotContain(new ScaleTarget(0));
      assertThat(again.status().lastAction.handledAt).isEqualTo("2026-11-26T10:00:00Z");
      assertThat(again.status().phase).isEqualTo(CanaryPhase.FAILED);
    }
    assertThat(condition(w.last, Condition.READY).message).startsWith("Canary aborted by user");
  }

  @Test
  void abortWhileWaitingForApprovalFailsThatRevisionWithoutStartingIt() {
    World w = new World(canaryAnalysis(10, 50, 2)).initialisedThenNewRevision();
    w.answers.put(CheckKind.CONFIRM_ROLLOUT, CheckResult.failed("not approved"));
    assertThat(w.reconcile(false).status().phase).isEqualTo(CanaryPhase.WAITING);
    annotate(w, "abort@1");
    CanaryPlan plan = w.reconcile(false);
    assertThat(plan.status().phase).isEqualTo(CanaryPhase.FAILED);
    assertThat(plan.status().lastAppliedSpec).as("the aborted revision").isEqualTo(REV2);
    assertThat(plan.status().lastAction.result).isEqualTo(CanaryActionStatus.ACCEPTED);
    w.answers.put(CheckKind.CONFIRM_ROLLOUT, CheckResult.PASSED);
    assertThat(w.tick().status().phase).as("it does not start again by itself").isEqualTo(CanaryPhase.FAILED);
    assertThat(w.targetReplicas).isZero();
  }

  @Test
  void abortDuringPromotionKeepsTrafficOnTheCanaryAndSaysThePrimaryIsNotReverted() {
    World w = new World(canaryAnalysis(25, 50, 2)).initialisedThenNewRevision();
    w.reconcile(false);
    w.tick();
    w.tick();
    assertThat(w.tick().status().phase).isEqualTo(CanaryPhase.PROMOTING);
    w.primary = Readiness.waiting("waiting for rollout to finish: 1 out of 2 new replicas have been updated");
    annotate(w, "abort@2");
    CanaryPlan plan = w.reconcile(false);

    assertThat(plan.status().phase).isEqualTo(CanaryPhase.FAILED);
    assertThat(w.weights).isEqualTo(Weights.ALL_CANARY);
    assertThat(plan.status().canaryWeight).isEqualTo(100);
    assertThat(plan.actions()).as("the canary keeps serving").doesNotContain(new ScaleTarget(0));
    assertThat(plan.actions()).contains(new NotifyHooks(WebhookType.POST_ROLLOUT, CanaryPhase.FAILED));
    String ready = condition(plan, Condition.READY).message;
    assertThat(ready).startsWith("Canary aborted by user (bunting.dev/action=abort@2): aborted by user during "
        + "promotion: podinfo-primary already has the new revision and is not reverted (waiting for rollout to "
        + "finish: 1 out of 2 new replicas have been updated); all traffic goes to the canary podinfo");
    assertThat(ready).endsWith("To go back, revert podinfo's pod template, which Bunting analyses as a new revision");
    assertThat(events(plan)).singleElement().asString().startsWith("Warning bunting.dev/action=abort@2: aborted by "
        + "user during promotion");

    // going back: the previous pod template is a new revision to analyse, although it was the one promoted before
    w.revision = REV1;
    CanaryPlan back = w.reconcile(false);
    assertThat(back.status().phase).isEqualTo(CanaryPhase.PROGRESSING);
    assertThat(back.status().lastAppliedSpec).isEqualTo(REV1);
  }

  @Test
  void abortIsRefusedOnceThePrimaryHasRolledOutAndWithoutARelease() {
    World w = new World(canaryAnalysis(25, 50, 2)).initialisedThenNewRevision();
    w.reconcile(false);
    w.tick();
    w.tick();
    w.tick();
    assertThat(w.status().phase).isEqualTo(CanaryPhase.PROMOTING);
    annotate(w, "abort@3");
    CanaryPlan plan = w.reconcile(false);
    assertThat(plan.status().phase).isEqualTo(CanaryPhase.PROMOTING);
    assertThat(w.weights.canary()).isEqualTo(50);
    assertRejected(plan, "abort@3", "the promotion has rolled out: podinfo-primary runs the new revision");

    World idle = new World(canaryAnalysis(10, 50, 2));
    idle.tick();
    annotate(idle, "abort");
    CanaryPlan nothing = idle.reconcile(false);
    assertThat(nothing.status().phase).isEqualTo(CanaryPhase.INITIALIZED);
    assertThat(nothing.actions()).doesNotContain(new ScaleTarget(0));
    assertRejected(nothing, "abort", "no release in flight (phase Initialized): nothing to abort");
  }

  // ---------------------------------------------------------------------------------------------
  // retry

  @Test
  void retryRunsTheAnalysisOfTheFailedRevisionAgainWithoutAPodTemplateChange() {
    World w = progressingAt10();
    w.answers.put(CheckKind.ANALYSIS, CheckResult.failed("Halt podinfo.test advancement success rate 80% < 99%"));
    w.tick();
    w.tick();
    assertThat(w.tick().status().phase).isEqualTo(CanaryPhase.FAILED);
    assertThat(w.tick().status().phase).as("a failed revision stays failed").isEqualTo(CanaryPhase.FAILED);
    w.answers.put(CheckKind.ANALYSIS, CheckResult.PASSED);
    w.asked.clear();

    annotate(w, "retry@1");
    CanaryPlan plan = w.reconcile(false);
    assertThat(plan.status().phase).isEqualTo(CanaryPhase.PROGRESSING);
    assertThat(plan.status().lastAppliedSpec).isEqualTo(REV2);
    assertThat(plan.status().failedChecks).isZero();
    assertThat(plan.actions()).contains(new ScaleTarget(2));
    assertThat(w.weights).isEqualTo(Weights.ALL_PRIMARY);
    assertThat(w.asked).as("confirm-rollout still asked").containsExactly(CheckKind.CONFIRM_ROLLOUT);
    assertThat(events(plan)).containsExactly("Normal Retrying the analysis of podinfo.test: scaling up podinfo",
        "Normal bunting.dev/action=retry@1: analysing revision v2:2222 again");
    CanaryPlan last = plan;
    for (int i = 0; i < 10 && last.status().phase != CanaryPhase.SUCCEEDED; i++) {
      last = w.tick();
    }
    assertThat(last.status().phase).isEqualTo(CanaryPhase.SUCCEEDED);
    assertThat(last.status().lastPromotedSpec).isEqualTo(REV2);
  }

  @Test
  void retryIsRefusedUnlessTheCanaryFailed() {
    World w = progressingAt10();
    annotate(w, "retry");
    CanaryPlan plan = w.reconcile(false);
    assertThat(plan.status().phase).isEqualTo(CanaryPhase.PROGRESSING);
    assertThat(plan.actions()).doesNotContain(new ScaleTarget(2));
    assertRejected(plan, "retry", "retry runs the analysis of a Failed canary again; the canary is Progressing");
  }

  // ---------------------------------------------------------------------------------------------
  // promote

  @Test
  void promoteSkipsTheRemainingStepsAfterAskingConfirmPromotion() {
    World w = progressingAt10();
    w.asked.clear();
    annotate(w, "promote@1");
    CanaryPlan plan = w.reconcile(false);
    assertThat(w.asked).containsExactly(CheckKind.CONFIRM_PROMOTION);
    assertThat(plan.status().phase).isEqualTo(CanaryPhase.PROMOTING);
    assertThat(plan.actions()).contains(new Promote());
    assertThat(w.weights.canary()).as("the weight stays until the primary has rolled out").isEqualTo(10);
    assertThat(plan.status().lastAction.result).isEqualTo(CanaryActionStatus.ACCEPTED);
    assertThat(events(plan)).containsExactly(
        "Normal bunting.dev/action=promote@1: skipping the rest of the analysis: promoting revision v2:2222",
        "Normal Copying podinfo.test template spec to podinfo-primary.test");
    assertThat(w.tick().status().phase).isEqualTo(CanaryPhase.FINALISING);
    assertThat(w.tick().status().phase).isEqualTo(CanaryPhase.SUCCEEDED);
    assertThat(w.status().lastPromotedSpec).isEqualTo(REV2);
  }

  @Test
  void promoteIsRefusedWhileConfirmPromotionIsClosedAndForceSkipsTheHooks() {
    World w = progressingAt10();
    w.answers.put(CheckKind.CONFIRM_PROMOTION, CheckResult.failed("gate closed"));
    annotate(w, "promote@1");
    CanaryPlan refused = w.reconcile(false);
    assertThat(refused.status().phase).isEqualTo(CanaryPhase.PROGRESSING);
    assertThat(refused.actions()).doesNotContain(new Promote());
    assertRejected(refused, "promote@1", "the confirm-promotion hooks did not approve (gate closed); approve, or "
        + "force it with bunting.dev/action=promote,force@<id> (bunting promote --force)");
    assertThat(w.tick().status().canaryWeight).as("the analysis goes on").isEqualTo(20);

    w.asked.clear();
    annotate(w, "promote,force@2");
    CanaryPlan forced = w.reconcile(false);
    assertThat(w.asked).isEmpty();
    assertThat(forced.status().phase).isEqualTo(CanaryPhase.PROMOTING);
    assertThat(forced.actions()).contains(new Promote());
    assertThat(forced.status().lastAction.name).isEqualTo("promote");
    assertThat(forced.status().lastAction.message).contains("and the confirm-promotion hooks");
    assertThat(condition(forced, Condition.ACTION_REJECTED)).as("cleared by an accepted request").isNull();
  }

  @Test
  void promoteIsRefusedForAnUnreadyCanaryAndOutsideAnAnalysis() {
    World w = progressingAt10();
    w.canaryReadiness = Readiness.waiting("waiting for rollout to finish: 0 of 2 updated replicas are available");
    annotate(w, "promote,force");
    CanaryPlan plan = w.reconcile(false);
    assertThat(plan.actions()).doesNotContain(new Promote());
    assertRejected(plan, "promote,force", "the canary is not ready: waiting for rollout to finish");

    World idle = new World(canaryAnalysis(10, 50, 2));
    idle.tick();
    annotate(idle, "promote");
    CanaryPlan nothing = idle.reconcile(false);
    assertThat(nothing.actions()).doesNotContain(new Promote());
    assertRejected(nothing, "promote", "nothing to promote: the primary runs the target's revision");
  }

  // ---------------------------------------------------------------------------------------------
  // pause and resume

  @Test
  void pauseFreezesTheCanaryWhereItIsAndResumeContinues() {
    World w = progressingAt10();
    w.asked.clear();
    annotate(w, "pause@1");
    CanaryPlan paused = w.reconcile(true);
    assertThat(paused.actions()).isEmpty();
    assertThat(paused.tickConsumed()).isFalse();
    assertThat(paused.status().phase).as("no new phase value").isEqualTo(CanaryPhase.PROGRESSING);
    assertThat(paused.status().canaryWeight).isEqualTo(10);
    Condition pause = condition(paused, Condition.PAUSED);
    assertThat(pause.status).isEqualTo("True");
    assertThat(pause.message).isEqualTo("paused by bunting.dev/action=pause@1 at canary weight 10 in phase "
        + "Progressing; the resume action continues");
    assertThat(condition(paused, Condition.RECONCILING).status).isEqualTo("False");
    assertThat(condition(paused, Condition.RECONCILING).reason).isEqualTo("Paused");
    assertThat(condition(paused, Condition.READY).status).isEqualTo("Unknown");
    assertThat(events(paused)).containsExactly("Normal bunting.dev/action=pause@1: paused at canary weight 10 in phase "
        + "Progressing; the resume action continues");
    for (int i = 0; i < 3; i++) {
      CanaryPlan frozen = w.tick();
      assertThat(frozen.actions()).isEmpty();
      assertThat(frozen.events()).isEmpty();
      assertThat(frozen.status().canaryWeight).isEqualTo(10);
      assertThat(frozen.status().conditions).usingRecursiveFieldByFieldElementComparator()
          .isEqualTo(paused.status().conditions);
    }
    assertThat(w.asked).as("no checks while paused").isEmpty();

    annotate(w, "resume@2");
    CanaryPlan resumed = w.reconcile(true);
    assertThat(resumed.status().canaryWeight).as("continues in the same reconcile").isEqualTo(20);
    assertThat(condition(resumed, Condition.PAUSED)).isNull();
    assertThat(condition(resumed, Condition.RECONCILING).status).isEqualTo("True");
    assertThat(resumed.status().lastAction.name).isEqualTo("resume");
    assertThat(events(resumed)).startsWith("Normal bunting.dev/action=resume@2: resumed in phase Progressing");
  }

  @Test
  void pauseHoldsANewRevisionOfAFinishedCanary() {
    World w = new World(canaryAnalysis(10, 50, 2));
    w.tick();
    annotate(w, "pause");
    CanaryPlan paused = w.reconcile(false);
    assertThat(condition(paused, Condition.PAUSED).message).contains("in phase Initialized; a new revision waits");
    assertThat(condition(paused, Condition.READY).status).as("nothing is wrong").isEqualTo("True");
    w.revision = REV2;
    CanaryPlan held = w.tick();
    assertThat(held.status().phase).isEqualTo(CanaryPhase.INITIALIZED);
    assertThat(held.status().lastAppliedSpec).isEqualTo(REV1);
    assertThat(held.actions()).isEmpty();
    annotate(w, "resume");
    CanaryPlan started = w.reconcile(false);
    assertThat(started.status().phase).isEqualTo(CanaryPhase.PROGRESSING);
    assertThat(started.actions()).contains(new ScaleTarget(2));
  }

  @Test
  void whilePausedOnlyResumeAndAbortAct() {
    World w = progressingAt10();
    annotate(w, "pause");
    w.reconcile(false);
    annotate(w, "promote");
    assertRejected(w.reconcile(false), "promote", "the canary is paused: resume it first");
    annotate(w, "pause@again");
    CanaryPlan twice = w.reconcile(false);
    assertRejected(twice, "pause@again", "already paused by bunting.dev/action=pause at canary weight 10");
    assertThat(condition(twice, Condition.PAUSED).message).as("the first pause stands")
        .startsWith("paused by bunting.dev/action=pause ");
    annotate(w, "abort");
    CanaryPlan aborted = w.reconcile(false);
    assertThat(aborted.status().phase).isEqualTo(CanaryPhase.FAILED);
    assertThat(w.weights).isEqualTo(Weights.ALL_PRIMARY);
    assertThat(condition(aborted, Condition.PAUSED)).as("an abort ends the pause").isNull();
  }

  @Test
  void theSameActionIsANewRequestOnlyWithANewValue() {
    World w = progressingAt10();
    annotate(w, "pause");
    w.reconcile(false);
    annotate(w, "resume");
    w.reconcile(false);
    annotate(w, "PAUSE");
    CanaryPlan again = w.reconcile(false);
    assertThat(again.status().lastAction.request).isEqualTo("PAUSE");
    assertThat(condition(again, Condition.PAUSED).status).as("case does not matter").isEqualTo("True");
    annotate(w, "");
    assertThat(w.reconcile(false).status().lastAction.request).as("an empty value asks nothing").isEqualTo("PAUSE");
  }

  // ---------------------------------------------------------------------------------------------
  // bad values, suspended and broken canaries

  @Test
  void anInvalidValueGetsAConditionAndAnEventAndChangesNothingElse() {
    for (String value : List.of("explode", "abort,force", "promote,now@1", "x".repeat(300))) {
      World w = progressingAt10();
      CanaryPlan without = ((Decision.Plan) new CanaryDecider().decide(w.snapshot(true), w.answers)).plan();
      annotate(w, value);
      CanaryPlan plan = w.reconcile(true);

      assertThat(plan.actions()).as(value).isEqualTo(without.actions());
      assertThat(plan.status().canaryWeight).as("the analysis goes on").isEqualTo(20);
      CanaryStatus rest = Serialization.clone(plan.status());
      rest.lastAction = null;
      rest.conditions = rest.conditions.stream().filter(c -> !c.type.equals(Condition.ACTION_REJECTED)).toList();
      assertThat(rest).as(value).usingRecursiveComparison().isEqualTo(without.status());

      CanaryActionStatus last = plan.status().lastAction;
      assertThat(last.result).isEqualTo(CanaryActionStatus.INVALID);
      assertThat(last.name).isEmpty();
      assertThat(last.message).endsWith("; " + ActionRequest.USAGE);
      Condition c = condition(plan, Condition.ACTION_REJECTED);
      assertThat(c.reason).isEqualTo("InvalidAction");
      assertThat(c.message).endsWith(" invalid: " + last.message);
      assertThat(events(plan)).anyMatch(e -> e.startsWith("Warning bunting.dev/action=")
          && e.endsWith(" invalid: " + last.message));
      assertThat(w.reconcile(false).events()).as("reported once").isEmpty();
    }
  }

  @Test
  void theInvalidValueMessagesNameTheProblem() {
    assertThat(ActionRequest.parse("explode").problem()).startsWith("unknown action 'explode'");
    assertThat(ActionRequest.parse("abort,force").problem()).startsWith("force applies to promote only");
    assertThat(ActionRequest.parse("promote,now@1").problem()).startsWith("unknown option 'now'");
    ActionRequest tooLong = ActionRequest.parse("x".repeat(300));
    assertThat(tooLong.problem()).startsWith("the value is longer than 253 characters");
    assertThat(tooLong.key()).startsWith("sha256:").hasSize(71);
    assertThat(tooLong.shown()).hasSize("bunting.dev/action=".length() + 64);
    ActionRequest forced = ActionRequest.parse(" Promote , FORCE @2026-12-04T16:40:05.123Z");
    assertThat(forced.action()).isEqualTo(ActionRequest.Action.PROMOTE);
    assertThat(forced.force()).isTrue();
    assertThat(ActionRequest.format(ActionRequest.Action.PROMOTE, true, "7")).isEqualTo("promote,force@7");
  }

  @Test
  void aSuspendedOrBrokenCanaryRefusesActionsWithTheReason() {
    World suspended = progressingAt10();
    suspended.canary.getSpec().suspend = true;
    annotate(suspended, "abort");
    CanaryPlan plan = suspended.reconcile(false);
    assertThat(plan.status().phase).isEqualTo(CanaryPhase.PROGRESSING);
    assertThat(plan.actions()).isEmpty();
    assertRejected(plan, "abort", "the canary is suspended (spec.suspend: true)");

    World broken = progressingAt10();
    broken.problems = List.of(new Problem(Problem.TARGET_NOT_FOUND, "Deployment test/podinfo not found"));
    annotate(broken, "abort");
    CanaryPlan stalled = broken.reconcile(false);
    assertThat(stalled.status().phase).isEqualTo(CanaryPhase.PROGRESSING);
    assertRejected(stalled, "abort", "the canary cannot be run: Deployment test/podinfo not found");
    assertThat(condition(stalled, Condition.STALLED).reason).isEqualTo("TargetNotFound");
  }

  @Test
  void aDeciderWithoutActionsLeavesRequestsAloneAndKeepsAPause() {
    World w = progressingAt10();
    annotate(w, "pause");
    w.reconcile(false);
    annotate(w, "resume");
    CanaryPlan plan = ((Decision.Plan) new CanaryDecider().withoutActions().decide(w.snapshot(true), w.answers)).plan();
    assertThat(plan.status().lastAction.request).isEqualTo("pause");
    assertThat(condition(plan, Condition.PAUSED).status).isEqualTo("True");
    assertThat(plan.actions()).isEmpty();
    assertThat(plan.events()).isEmpty();
  }
}
