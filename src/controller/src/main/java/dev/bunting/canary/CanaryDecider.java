package dev.bunting.canary;

import dev.bunting.api.AnalysisStatus;
import dev.bunting.api.CanaryActionStatus;
import dev.bunting.api.CanaryAnalysis;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.CanarySpec;
import dev.bunting.api.CanaryStatus;
import dev.bunting.api.Condition;
import dev.bunting.api.DeploymentStrategy;
import dev.bunting.api.SessionAffinity;
import dev.bunting.api.WebhookType;
import dev.bunting.canary.ActionRequest.Action;
import dev.bunting.canary.CanaryAction.AddFinalizer;
import dev.bunting.canary.CanaryAction.EnsurePrimary;
import dev.bunting.canary.CanaryAction.EnsureServices;
import dev.bunting.canary.CanaryAction.NotifyHooks;
import dev.bunting.canary.CanaryAction.Promote;
import dev.bunting.canary.CanaryAction.RemoveFinalizer;
import dev.bunting.canary.CanaryAction.RevertApexService;
import dev.bunting.canary.CanaryAction.RevertRoutes;
import dev.bunting.canary.CanaryAction.ScaleTarget;
import dev.bunting.canary.CanaryAction.SetRoutes;
import dev.bunting.canary.CanaryPlan.Completion;
import dev.bunting.canary.CanaryPlan.Note;
import dev.bunting.canary.router.Weights;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The canary state machine, as a pure function: snapshot (+ check results) → plan. It follows Flagger 1.44's tick
 * algorithm (phases, order of hooks and checks, weights, messages) and fixes its documented quirks: the real weight is
 * always reported, a failed canary keeps its failed-check count, bad input holds everything with a condition, and
 * kstatus conditions ({@code Ready}, {@code Reconciling}, {@code Stalled}) sit next to {@code Promoted}.
 *
 * <p>Analysis steps (weight changes, iterations, metric checks, promotion steps) happen only on due ticks, once per
 * {@code analysis.interval}; initialisation, new-revision detection and drift correction happen on any reconcile.
 *
 * <p>Rollout actions ({@link ActionRequest}, the {@code bunting.dev/action} annotation) are handled once each: the
 * request handled is recorded in {@code status.lastAction}, in the same status write as its effect, and only a
 * different annotation value is a new request. A paused canary is remembered by its {@code Paused} condition.
 */
public final class CanaryDecider {
  public static final String REASON_SYNCED = "Synced";
  private static final Duration SHORT_WAIT = Duration.ofSeconds(5);

  /** A status timestamp: RFC 3339 in UTC, whole seconds. */
  static String timestamp(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
  }

  /** Check results gathered so far; a missing entry makes the decider ask for that check. */
  public interface Checks {
    CheckResult get(CheckKind kind);
  }

  private final boolean handlesRequests;

  public CanaryDecider() {
    this(true);
  }

  private CanaryDecider(boolean handlesRequests) {
    this.handlesRequests = handlesRequests;
  }

  /**
   * A decider that leaves {@code bunting.dev/action} requests alone (for when the API server would drop
   * {@code status.lastAction}, so a request could not be recorded as handled).
   */
  public CanaryDecider withoutActions() {
    return new CanaryDecider(false);
  }

  public Decision decide(CanarySnapshot snapshot, Map<CheckKind, CheckResult> results) {
    return decide(snapshot, results::get);
  }

  public Decision decide(CanarySnapshot snapshot, Checks checks) {
    Step step = new Step(snapshot, checks, handlesRequests);
    try {
      step.run();
    } catch (NeedCheck n) {
      return new Decision.Needs(n.kind);
    }
    return new Decision.Plan(step.plan());
  }

  private static final class NeedCheck extends RuntimeException {
    final CheckKind kind;

    NeedCheck(CheckKind kind) {
      super(null, null, false, false);
      this.kind = kind;
    }
  }

  /** One decision: a builder over a copy of the status. */
  private static final class Step {
    private final CanarySnapshot s;
    private final Checks checks;
    /** Whether {@code bunting.dev/action} requests are handled. */
    private final boolean handlesRequests;
    private final CanarySpec spec;
    private final CanaryAnalysis analysis;
    private final CanaryStatus st;
    private final List<CanaryAction> actions = new ArrayList<>();
    private final List<Note> events = new ArrayList<>();
    private final List<Note> alerts = new ArrayList<>();
    private final List<CheckResult.MetricReading> readings = new ArrayList<>();
    private boolean tickConsumed;
    private Duration requeue;
    private Completion completion;
    /** Reason and message of the kstatus conditions, set by the phase handlers. */
    private String progressMessage = "";
    private Problem problem;
    private String failureMessage;
    /** The whole Ready/Stalled message of a failure that is not an analysis failure (an abort). */
    private String failureCondition;
    /** Paused by a {@code pause} action (its memory is the {@code Paused} condition) and the condition's message. */
    private boolean paused;
    private String pausedMessage;

    Step(CanarySnapshot s, Checks checks, boolean handlesRequests) {
      this.s = s;
      this.handlesRequests = handlesRequests;
      this.checks = checks;
      this.spec = s.canary().getSpec();
      this.analysis = spec.effectiveAnalysis();
      CanaryStatus current = s.canary().getStatus();
      this.st = current == null ? new CanaryStatus() : Serialization.clone(current);
      Condition pause = Condition.find(st.conditions, Condition.PAUSED).filter(Condition::isTrue).orElse(null);
      this.paused = pause != null;
      this.pausedMessage = pause == null ? null : pause.message;
    }

    void run() {
      if (s.canary().getMetadata().getDeletionTimestamp() != null) {
        onDeletion();
        return;
      }
      boolean hasFinalizer = hasFinalizer();
      if (spec.revertsOnDeletion() && !hasFinalizer) {
        actions.add(new AddFinalizer());
      } else if (!spec.revertsOnDeletion() && hasFinalizer) {
        actions.add(new RemoveFinalizer());
      }
      ActionRequest request = pendingRequest();
      if (request != null && !request.valid()) {
        record(request, CanaryActionStatus.INVALID, request.problem());
        request = null;
      }
      if (!s.problems().isEmpty()) {
        problem = s.problems().get(0);
        if (request != null) {
          reject(request, "the canary cannot be run: " + problem.message());
        }
        return;
      }
      if (spec.suspended()) {
        progressMessage = "Canary is suspended; analysis is frozen at canary weight " + st.canaryWeightOrZero();
        if (request != null) {
          reject(request, "the canary is suspended (spec.suspend: true)");
        }
        return;
      }
      if (request != null && act(request)) {
        return;
      }
      if (paused) {
        progressMessage = pausedMessage;
        return;
      }
      switch (st.phaseOrNew()) {
        case NEW, INITIALIZING -> initialize();
        case INITIALIZED, SUCCEEDED, FAILED, TERMINATING, TERMINATED -> idle();
        case WAITING -> waiting();
        case PROGRESSING, WAITING_PROMOTION -> progressing();
        case PROMOTING -> promoting();
        case FINALISING -> finalising();
        default -> throw new IllegalStateException("unhandled phase " + st.phaseOrNew());
      }
    }

    // ---------------------------------------------------------------------------------------------
    // phases

    private void initialize() {
      actions.add(new EnsurePrimary());
      actions.add(new EnsureServices(false));
      setPhase(CanaryPhase.INITIALIZING);
      WorkloadView w = s.workload();
      // waits for the primary: a change of it (watched) brings the canary back, else its next tick (no polling)
      if (!w.primaryExists()) {
        progressMessage = "creating primary " + s.targetName() + "-primary";
        return;
      }
      if (!spec.analysisSkipped() && !w.primary().ready()) {
        if (!w.primary().retriable()) {
          rollback("Canary initialization failed: primary not ready: " + w.primary().message(), "error",
              "Progress deadline exceeded " + w.primary().message());
          return;
        }
        progressMessage = w.primary().message();
        return;
      }
      actions.add(new EnsureServices(true));
      actions.add(new SetRoutes(Weights.ALL_PRIMARY));
      actions.add(new ScaleTarget(0));
      setPhase(CanaryPhase.INITIALIZED);
      startRun();
      st.lastPromotedSpec = s.revision();
      event("Normal", "Initialization done! " + s.id());
      alert("info", "New " + s.targetKind() + " detected, initialization completed.");
    }

    private void idle() {
      actions.add(new EnsureServices(true));
      Weights current = s.router().weights().orElse(Weights.ALL_PRIMARY);
      actions.add(new SetRoutes(current));
      if (st.phaseOrNew() == CanaryPhase.TERMINATING || st.phaseOrNew() == CanaryPhase.TERMINATED) {
        setPhase(CanaryPhase.SUCCEEDED);
      }
      if (st.lastAppliedSpec != null && !st.lastAppliedSpec.isEmpty() && !Revision.isBunting(st.lastAppliedSpec)) {
        if (s.workload().primaryMatchesTarget()) {
          // A canary Flagger ran: its hashes are opaque, but the primary already runs the target. Take it over.
          st.lastAppliedSpec = s.revision();
          st.trackedConfigs = s.trackedConfigs().isEmpty() ? null : s.trackedConfigs();
          st.lastPromotedSpec = s.revision();
          event("Normal", "Adopted " + s.id() + ": the primary runs the target's revision; no analysis needed");
          return;
        }
        startRevision();
        return;
      }
      if (Objects.equals(s.revision(), st.lastAppliedSpec) || Objects.equals(s.revision(), st.lastPromotedSpec)) {
        return;
      }
      startRevision();
    }

    /** A new revision of the target: ask confirm-rollout, then scale the canary up and start the analysis. */
    private void startRevision() {
      startRevision("New revision detected! Scaling up " + s.id() + gitSuffix(s.gitRevision()),
          "New revision detected, progressing canary analysis.");
    }

    private void startRevision(String eventMessage, String alertMessage) {
      if (!s.rolloutSlotFree()) {
        setPhase(CanaryPhase.WAITING);
        progressMessage = "waiting for a rollout slot: the limit of canaries in flight at once is reached";
        return;
      }
      if (!need(CheckKind.CONFIRM_ROLLOUT).passed()) {
        setPhase(CanaryPhase.WAITING);
        progressMessage = "waiting for confirm-rollout approval";
        alertUnlessMuted(WebhookType.CONFIRM_ROLLOUT, "warn", "Canary is waiting for approval.");
        return;
      }
      event("Normal", eventMessage);
      alert("info", alertMessage);
      WorkloadView w = s.workload();
      int replicas = w.targetReplicas() > 0 ? w.targetReplicas() : Math.max(1, w.primaryReplicas());
      actions.add(new ScaleTarget(replicas));
      setPhase(CanaryPhase.PROGRESSING);
      startRun();
      startAnalysisRecord();
      progressMessage = "new revision " + shortRevision(s.revision()) + ": scaling up the canary";
      tickConsumed = true;
    }

    private void waiting() {
      actions.add(new EnsureServices(true));
      progressMessage = "waiting for confirm-rollout approval";
      if (!s.tickDue()) {
        return;
      }
      tickConsumed = true;
      startRevision();
    }

    private void progressing() {
      actions.add(new EnsureServices(true));
      int canaryWeight = realCanaryWeight();
      st.canaryWeight = canaryWeight;
      if (!Objects.equals(s.revision(), st.lastAppliedSpec)) {
        event("Normal", "New revision detected! Restarting analysis for " + s.id() + gitSuffix(s.gitRevision()));
        actions.add(new SetRoutes(Weights.ALL_PRIMARY));
        setPhase(CanaryPhase.PROGRESSING);
        startRun();
        startAnalysisRecord();
        progressMessage = "new revision " + shortRevision(s.revision()) + ": analysis restarted";
        tickConsumed = true;
        return;
      }
      actions.add(new SetRoutes(weightsOf(canaryWeight)));
      WorkloadView w = s.workload();
      if (!spec.analysisSkipped() && !w.primary().ready()) {
        if (!w.primary().retriable()) {
          rollback("primary not ready: " + w.primary().message(), "error",
              "Progress deadline exceeded " + w.primary().message());
          return;
        }
        progressMessage = w.primary().message();
        return;
      }
      if (!s.tickDue()) {
        // Between ticks the message stays the same, so transient states (a route being accepted) cost no writes.
        progressMessage = progressDescription();
        return;
      }
      if (s.shiftsWeights() && !s.router().accepted()) {
        progressMessage = "waiting for the router: " + s.router().message();
        requeue = SHORT_WAIT;
        return;
      }
      if (!w.canary().ready()) {
        if (!w.canary().retriable()) {
          rollback("canary not ready: " + w.canary().message(), "error",
              "Progress deadline exceeded " + w.canary().message());
          return;
        }
        progressMessage = w.canary().message();
        return;
      }
      if (spec.analysisSkipped()) {
        skipAnalysis();
        return;
      }
      if (!need(CheckKind.ROLLBACK).passed()) {
        alert("warn", "Rolling back " + s.id() + " manual webhook invoked");
        rollback("rollback webhook invoked: " + need(CheckKind.ROLLBACK).message(), null, null);
        return;
      }
      int threshold = analysis.thresholdOrDefault();
      if (st.failedChecksOrZero() >= threshold) {
        rollback("failed checks threshold reached " + st.failedChecksOrZero() + lastFailureSuffix(), "error",
            "Failed checks threshold reached " + st.failedChecksOrZero() + lastFailureSuffix());
        return;
      }
      tickConsumed = true;
      boolean mirrored = s.router().weights().map(Weights::mirrored).orElse(false);
      if (canaryWeight == 0 && st.iterationsOrZero() == 0 && !(analysis.mirrorEnabled() && mirrored)) {
        event("Normal", "Starting canary analysis for " + s.id());
        CheckResult pre = need(CheckKind.PRE_ROLLOUT);
        if (!pre.passed()) {
          failCheck(pre.message());
          return;
        }
      } else {
        CheckResult result = need(CheckKind.ANALYSIS);
        readings.addAll(result.readings());
        recordAnalysis(result);
        switch (result.outcome()) {
          case WAITING -> {
            waitForData(result.message());
            return;
          }
          case ABORTED -> {
            rollback(result.message(), "error", "Canary analysis failed: " + result.message());
            return;
          }
          case FAILED -> {
            failCheck(result.message());
            return;
          }
          default -> { }
        }
      }
      switch (strategy()) {
        case AB_TESTING -> runAb();
        case BLUE_GREEN -> runBlueGreen(mirrored);
        case CANARY -> runCanary(canaryWeight, mirrored);
        default -> throw new IllegalStateException();
      }
    }

    private void runCanary(int canaryWeight, boolean mirrored) {
      int max = analysis.maxWeightOrDefault();
      if (canaryWeight < max) {
        // as Flagger: the gate is asked before each step taken from unmirrored traffic (the mirrored step included)
        if (!mirrored && !need(CheckKind.CONFIRM_TRAFFIC_INCREASE).passed()) {
          progressMessage = "waiting for confirm-traffic-increase approval at canary weight " + canaryWeight;
          alertUnlessMuted(WebhookType.CONFIRM_TRAFFIC_INCREASE, "warn",
              "Canary traffic increase is waiting for approval.");
          return;
        }
        if (canaryWeight == 0 && !mirrored && analysis.mirrorEnabled() && s.mirrors()) {
          // Flagger's canary with mirroring: one step that copies requests to the canary before shifting any
          replaceSetRoutes(new Weights(100, 0, true));
          event("Normal", "Start traffic mirroring for " + s.id() + readingsSuffix());
          progressMessage = "mirroring requests to the canary before shifting traffic";
          return;
        }
        int next = Math.min(100, canaryWeight + nextStepWeight(canaryWeight));
        replaceSetRoutes(Weights.canary(next));
        st.canaryWeight = next;
        event("Normal", "Advance " + s.id() + " canary weight " + next + readingsSuffix());
        progressMessage = "canary weight " + next + "/" + max;
        return;
      }
      promoteAfterGate();
    }

    private void runBlueGreen(boolean mirrored) {
      int iterations = strategyIterations();
      if (iterations > st.iterationsOrZero()) {
        if (s.shiftsWeights() && analysis.mirrorEnabled() && !mirrored) {
          replaceSetRoutes(new Weights(100, 0, true));
          event("Normal", "Start traffic mirroring for " + s.id());
        }
        st.iterations = st.iterationsOrZero() + 1;
        event("Normal", "Advance " + s.id() + " canary iteration " + st.iterations + "/" + iterations + readingsSuffix());
        progressMessage = "iteration " + st.iterations + "/" + iterations;
        return;
      }
      if (!gateForPromotion()) {
        return;
      }
      if (iterations == st.iterationsOrZero()) {
        if (s.shiftsWeights()) {
          if (analysis.mirrorEnabled()) {
            event("Normal", "Stop traffic mirroring for " + s.id());
          }
          event("Normal", "Routing all traffic to canary " + s.id());
          replaceSetRoutes(Weights.ALL_CANARY);
          st.canaryWeight = 100;
        }
        st.iterations = st.iterationsOrZero() + 1;
        progressMessage = "all traffic routed to the canary before promotion";
        return;
      }
      promote();
    }

    private void runAb() {
      int iterations = strategyIterations();
      if (iterations > st.iterationsOrZero()) {
        replaceSetRoutes(Weights.ALL_CANARY);
        st.canaryWeight = 100;
        st.iterations = st.iterationsOrZero() + 1;
        event("Normal", "Advance " + s.id() + " canary iteration " + st.iterations + "/" + iterations + readingsSuffix());
        progressMessage = "iteration " + st.iterations + "/" + iterations + " (matched requests go to the canary)";
        return;
      }
      promoteAfterGate();
    }

    private void promoteAfterGate() {
      if (gateForPromotion()) {
        promote();
      }
    }

    /** confirm-promotion: closed ⇒ WaitingPromotion (analysis keeps running each tick). */
    private boolean gateForPromotion() {
      if (!need(CheckKind.CONFIRM_PROMOTION).passed()) {
        if (st.phaseOrNew() != CanaryPhase.WAITING_PROMOTION) {
          alertUnlessMuted(WebhookType.CONFIRM_PROMOTION, "warn", "Canary promotion is waiting for approval.");
        }
        setPhase(CanaryPhase.WAITING_PROMOTION);
        progressMessage = "waiting for confirm-promotion approval";
        return false;
      }
      return true;
    }

    private void promote() {
      event("Normal", "Copying " + s.id() + " template spec to " + s.targetName() + "-primary." + s.namespace());
      actions.add(new Promote());
      setPhase(CanaryPhase.PROMOTING);
      progressMessage = "promoting: rolling out the new revision on the primary";
    }

    private void promoting() {
      actions.add(new EnsureServices(true));
      int canaryWeight = realCanaryWeight();
      st.canaryWeight = canaryWeight;
      actions.add(new SetRoutes(weightsOf(canaryWeight)));
      WorkloadView w = s.workload();
      if (!w.primary().ready()) {
        if (!w.primary().retriable()) {
          failPromotion(w.primary().message());
          return;
        }
        progressMessage = "promoting: " + w.primary().message();
        return;
      }
      if (!s.tickDue()) {
        progressMessage = "promoting: primary rolled out, routing traffic back at the next tick";
        return;
      }
      tickConsumed = true;
      int step = analysis.stepWeightPromotionOrZero();
      if (!s.shiftsWeights() || step <= 0 || strategy() != DeploymentStrategy.CANARY) {
        toFinalising();
        return;
      }
      int primary = Math.min(100, (100 - canaryWeight) + step);
      if (primary >= 100) {
        toFinalising();
        return;
      }
      replaceSetRoutes(new Weights(primary, 100 - primary, false));
      st.canaryWeight = 100 - primary;
      event("Normal", "Advance " + s.id() + " primary weight " + primary);
      progressMessage = "promoting: primary weight " + primary + "/100";
    }

    private void toFinalising() {
      replaceSetRoutes(Weights.ALL_PRIMARY);
      st.canaryWeight = 0;
      setPhase(CanaryPhase.FINALISING);
      progressMessage = "all traffic routed to the primary; scaling the canary down";
    }

    private void finalising() {
      actions.add(new EnsureServices(true));
      actions.add(new SetRoutes(Weights.ALL_PRIMARY));
      if (!s.tickDue()) {
        progressMessage = "finalising at the next tick";
        return;
      }
      tickConsumed = true;
      actions.add(new ScaleTarget(0));
      setPhase(CanaryPhase.SUCCEEDED);
      clearCounters();
      st.lastPromotedSpec = st.lastAppliedSpec;
      completion = new Completion(true, strategy(), "completed");
      actions.add(new NotifyHooks(WebhookType.POST_ROLLOUT, CanaryPhase.SUCCEEDED));
      event("Normal", "Promotion completed! Scaling down " + s.targetName() + "." + s.namespace()
          + gitSuffix(st.gitRevision));
      alert("info", "Canary analysis completed successfully, promotion finished.");
    }

    private void skipAnalysis() {
      replaceSetRoutes(Weights.ALL_PRIMARY);
      actions.add(new Promote());
      actions.add(new ScaleTarget(0));
      setPhase(CanaryPhase.SUCCEEDED);
      clearCounters();
      st.lastPromotedSpec = st.lastAppliedSpec;
      tickConsumed = true;
      completion = new Completion(true, strategy(), "skipped");
      actions.add(new NotifyHooks(WebhookType.POST_ROLLOUT, CanaryPhase.SUCCEEDED));
      event("Normal", "Promotion completed! Canary analysis was skipped for " + s.id());
      alert("info", "Canary analysis was skipped, promotion finished.");
    }

    /** Traffic back to the primary, canary to zero, phase Failed. */
    private void rollback(String reason, String alertSeverity, String alertMessage) {
      rollback(reason, alertSeverity, alertMessage, "Canary failed! Scaling down " + s.targetName() + "." + s.namespace()
          + gitSuffix(st.gitRevision));
    }

    /** As above, with {@code eventMessage} as the Warning Event (none when null). */
    private void rollback(String reason, String alertSeverity, String alertMessage, String eventMessage) {
      if (alertSeverity != null) {
        alert(alertSeverity, alertMessage);
      }
      replaceSetRoutes(Weights.ALL_PRIMARY);
      if (eventMessage != null) {
        event("Warning", eventMessage);
      }
      actions.add(new ScaleTarget(0));
      setPhase(CanaryPhase.FAILED);
      st.canaryWeight = 0;
      st.iterations = 0;
      failureMessage = reason;
      completion = new Completion(false, strategy(), "completed");
      actions.add(new NotifyHooks(WebhookType.POST_ROLLOUT, CanaryPhase.FAILED));
      tickConsumed = true;
    }

    /** The primary cannot roll out the promoted revision: keep serving from the canary, as Flagger does. */
    private void failPromotion(String message) {
      alert("error", "Promotion failed, primary not ready: " + message);
      if (s.shiftsWeights()) {
        replaceSetRoutes(Weights.ALL_CANARY);
        st.canaryWeight = 100;
      }
      event("Warning", "Promotion failed! Primary not ready: " + message + "; traffic stays on the canary "
          + s.targetName() + "." + s.namespace());
      setPhase(CanaryPhase.FAILED);
      failureMessage = "promotion failed, primary not ready: " + message;
      completion = new Completion(false, strategy(), "completed");
      actions.add(new NotifyHooks(WebhookType.POST_ROLLOUT, CanaryPhase.FAILED));
      tickConsumed = true;
    }

    private void failCheck(String message) {
      st.failedChecks = st.failedChecksOrZero() + 1;
      event("Warning", message);
      progressMessage = "failed checks " + st.failedChecks + "/" + analysis.thresholdOrDefault() + ": " + message;
    }

    /**
     * {@code noData: wait}: hold the analysis (no step, no failed check) while the canary has too little data, at most
     * {@code progressDeadlineSeconds} from the first tick that waited; then roll back, saying so.
     */
    private void waitForData(String message) {
      Instant since = parseTime(st.analysis.waitingSince).orElse(s.now());
      st.analysis.waitingSince = timestamp(since);
      Duration bound = Duration.ofSeconds(spec.progressDeadlineSecondsOrDefault());
      if (!s.now().isBefore(since.plus(bound))) {
        String why = "no data within progressDeadlineSeconds (" + bound.toSeconds() + "s) of waiting: " + message;
        rollback(why, "error", "Canary analysis failed: " + why);
        return;
      }
      event("Normal", "Waiting for data for " + s.id() + ": " + message);
      progressMessage = "waiting for data (noData: wait, at most " + bound.toSeconds() + "s from "
          + st.analysis.waitingSince + "): " + message;
    }

    /** A release's analysis starts now: its metric windows begin here ({@code status.analysis.startedAt}). */
    private void startAnalysisRecord() {
      st.analysis = new AnalysisStatus();
      st.analysis.startedAt = timestamp(s.now());
    }

    /** What the metric analysis measured this tick, for {@code status.analysis}; the wait clock stops on data. */
    private void recordAnalysis(CheckResult result) {
      if (st.analysis == null) {
        st.analysis = new AnalysisStatus();
      }
      if (result.outcome() != CheckResult.Outcome.WAITING) {
        st.analysis.waitingSince = null;
      }
      AnalysisStatus measured = result.analysis();
      if (measured == null) {
        measured = new AnalysisStatus(); // a rollout hook decided before any metric ran
        measured.result = result.passed() ? "Passed" : "Failed";
        measured.message = result.message().isEmpty() ? null : AnalysisStatus.cut(result.message());
      }
      st.analysis.evaluatedAt = timestamp(s.now());
      st.analysis.result = measured.result;
      st.analysis.score = measured.score;
      st.analysis.message = measured.message;
      st.analysis.metrics = measured.metrics;
      st.analysis.omitted = measured.omitted;
    }

    private static java.util.Optional<Instant> parseTime(String value) {
      try {
        return value == null ? java.util.Optional.empty() : java.util.Optional.of(Instant.parse(value));
      } catch (RuntimeException e) {
        return java.util.Optional.empty();
      }
    }

    private void onDeletion() {
      if (!hasFinalizer()) {
        return;
      }
      if (!spec.revertsOnDeletion() || s.workload() == null) {
        actions.add(new RemoveFinalizer());
        return;
      }
      setPhase(CanaryPhase.TERMINATING);
      WorkloadView w = s.workload();
      int replicas = Math.max(1, w.primaryReplicas());
      if (w.targetReplicas() < replicas) {
        actions.add(new ScaleTarget(replicas));
        progressMessage = "reverting: scaling " + s.targetName() + " back up";
        requeue = SHORT_WAIT;
        return;
      }
      if (!w.canary().ready() && w.canary().retriable()) {
        progressMessage = "reverting: " + w.canary().message();
        requeue = SHORT_WAIT;
        return;
      }
      actions.add(new RevertApexService());
      actions.add(new RevertRoutes());
      setPhase(CanaryPhase.TERMINATED);
      actions.add(new RemoveFinalizer());
      event("Normal", "Terminated " + s.id() + ": traffic reverted to " + s.targetName());
    }

    // ---------------------------------------------------------------------------------------------
    // rollout actions (bunting.dev/action)

    /** The annotation's request when the status does not record it as handled yet; null otherwise. */
    private ActionRequest pendingRequest() {
      return handlesRequests ? ActionRequest.pending(s.canary()).orElse(null) : null;
    }

    /** Carries out a valid request, or rejects it; true when the request's plan is complete. */
    private boolean act(ActionRequest r) {
      CanaryPhase phase = st.phaseOrNew();
      if (phase == CanaryPhase.NEW || phase == CanaryPhase.INITIALIZING) {
        reject(r, "the canary is still initializing");
        return false;
      }
      if (paused && r.action() != Action.RESUME && r.action() != Action.ABORT && r.action() != Action.PAUSE) {
        reject(r, "the canary is paused: resume it first");
        return false;
      }
      return switch (r.action()) {
        case ABORT -> abort(r, phase);
        case RETRY -> retry(r, phase);
        case PROMOTE -> promoteNow(r, phase);
        case PAUSE -> pause(r, phase);
        case RESUME -> resume(r, phase);
      };
    }

    /**
     * Rolls back now. While the primary is being promoted and not rolled out yet, the promotion stops where it is:
     * the primary already has the new pod template and is not reverted (Bunting does not keep the previous one), so
     * traffic goes to the canary, which runs the same revision; the status and the Event say so. Once the primary has
     * rolled the new revision out there is nothing left to abort.
     */
    private boolean abort(ActionRequest r, CanaryPhase phase) {
      String primaryName = s.targetName() + "-primary";
      switch (phase) {
        case PROGRESSING, WAITING_PROMOTION, WAITING -> {
          if (phase == CanaryPhase.WAITING) {
            // the aborted revision is not started again by itself; a new revision or a retry starts it
            st.lastAppliedSpec = s.revision();
            st.trackedConfigs = s.trackedConfigs().isEmpty() ? null : s.trackedConfigs();
          }
          paused = false;
          actions.add(new EnsureServices(true));
          String message = "aborted by user, rolled back: all traffic to " + primaryName + ", " + s.targetName()
              + " scaled to zero";
          rollback("aborted by user", "warn", "Canary aborted by user, rolling back.", null);
          failureCondition = "Canary aborted by user (" + r.shown() + "): " + message;
          accept(r, message, "Warning");
          return true;
        }
        case PROMOTING -> {
          if (!s.workload().primary().ready()) {
            abortPromotion(r, primaryName);
            return true;
          }
          reject(r, "the promotion has rolled out: " + primaryName + " runs the new revision; to go back, revert "
              + s.targetName() + "'s pod template, which Bunting analyses as a new revision");
          return false;
        }
        case FINALISING -> {
          reject(r, "the promotion is finishing: " + primaryName + " runs the new revision and serves all traffic; "
              + "to go back, revert " + s.targetName() + "'s pod template, which Bunting analyses as a new revision");
          return false;
        }
        default -> {
          reject(r, "no release in flight (phase " + phase + "): nothing to abort");
          return false;
        }
      }
    }

    private void abortPromotion(ActionRequest r, String primaryName) {
      WorkloadView w = s.workload();
      actions.add(new EnsureServices(true));
      String traffic;
      if (!s.shiftsWeights()) {
        traffic = "traffic stays on " + primaryName + " (provider " + s.provider() + " routes to the primary only)";
      } else if (w.canary().ready()) {
        replaceSetRoutes(Weights.ALL_CANARY);
        st.canaryWeight = 100;
        traffic = "all traffic goes to the canary " + s.targetName() + ", which runs the same revision";
      } else {
        int canaryWeight = realCanaryWeight();
        replaceSetRoutes(weightsOf(canaryWeight));
        st.canaryWeight = canaryWeight;
        traffic = "traffic stays as it is (canary weight " + canaryWeight + ") because the canary is not ready either ("
            + w.canary().message() + ")";
      }
      String message = "aborted by user during promotion: " + primaryName + " already has the new revision and is "
          + "not reverted (" + w.primary().message() + "); " + traffic + ". To go back, revert " + s.targetName()
          + "'s pod template, which Bunting analyses as a new revision";
      paused = false;
      setPhase(CanaryPhase.FAILED);
      // the primary has the new template: going back to the previous one is a new revision, not the promoted one
      st.lastPromotedSpec = st.lastAppliedSpec;
      failureCondition = "Canary aborted by user (" + r.shown() + "): " + message;
      alert("warn", "Canary aborted by user during promotion; the primary is not reverted.");
      completion = new Completion(false, strategy(), "completed");
      actions.add(new NotifyHooks(WebhookType.POST_ROLLOUT, CanaryPhase.FAILED));
      tickConsumed = true;
      accept(r, message, "Warning");
    }

    /** Runs the analysis of the target's revision again after a failure, as if it were new. */
    private boolean retry(ActionRequest r, CanaryPhase phase) {
      if (phase != CanaryPhase.FAILED) {
        reject(r, "retry runs the analysis of a Failed canary again; the canary is " + phase);
        return false;
      }
      if (!s.workload().primary().ready()) {
        reject(r, "the primary is not ready (" + s.workload().primary().message()
            + "): a new analysis would route traffic to it");
        return false;
      }
      actions.add(new EnsureServices(true));
      replaceSetRoutes(Weights.ALL_PRIMARY);
      st.canaryWeight = 0;
      startRevision("Retrying the analysis of " + s.id() + ": scaling up " + s.targetName(),
          "Retrying canary analysis as requested.");
      accept(r, "analysing revision " + shortRevision(s.revision()) + " again"
          + (st.phaseOrNew() == CanaryPhase.WAITING ? " (" + progressMessage + ")" : ""), "Normal");
      return true;
    }

    /** Skips the rest of the analysis: promotes now, after the confirm-promotion hooks unless forced. */
    private boolean promoteNow(ActionRequest r, CanaryPhase phase) {
      String refusal = switch (phase) {
        case PROGRESSING, WAITING_PROMOTION -> null;
        case PROMOTING, FINALISING -> "the canary is already being promoted";
        case WAITING -> "the new revision has not started yet (" + progressMessageOr("waiting")
            + "); promote once its analysis runs";
        case FAILED -> "the analysis of this revision failed; retry runs it again";
        default -> "nothing to promote: the primary runs the target's revision (phase " + phase + ")";
      };
      WorkloadView w = s.workload();
      if (refusal == null && !Objects.equals(s.revision(), st.lastAppliedSpec)) {
        refusal = "the target changed again; its new revision starts a new analysis";
      } else if (refusal == null && !w.canary().ready()) {
        refusal = "the canary is not ready: " + w.canary().message();
      } else if (refusal == null && !r.force()) {
        CheckResult gate = need(CheckKind.CONFIRM_PROMOTION);
        if (!gate.passed()) {
          refusal = "the confirm-promotion hooks did not approve" + (gate.message().isEmpty() ? ""
              : " (" + gate.message() + ")") + "; approve, or force it with " + ActionRequest.ANNOTATION
              + "=promote,force@<id> (bunting promote --force)";
        }
      }
      if (refusal != null) {
        reject(r, refusal);
        return false;
      }
      actions.add(new EnsureServices(true));
      int canaryWeight = realCanaryWeight();
      st.canaryWeight = canaryWeight;
      actions.add(new SetRoutes(weightsOf(canaryWeight)));
      tickConsumed = true;
      accept(r, "skipping the rest of the analysis" + (r.force() ? " and the confirm-promotion hooks" : "")
          + ": promoting revision " + shortRevision(s.revision()), "Normal");
      promote();
      return true;
    }

    private String progressMessageOr(String fallback) {
      return Condition.find(st.conditions, Condition.RECONCILING).map(c -> c.message).filter(m -> !m.isEmpty())
          .orElse(fallback);
    }

    /** Freezes the canary where it is: no step, no check, no write until resumed (spec.suspend without the edit). */
    private boolean pause(ActionRequest r, CanaryPhase phase) {
      if (paused) {
        reject(r, "already " + pausedMessage);
        return false;
      }
      paused = true;
      String where = phase.inFlight() || phase == CanaryPhase.WAITING
          ? "at canary weight " + st.canaryWeightOrZero() + " in phase " + phase
          : "in phase " + phase + "; a new revision waits";
      where += (phase == CanaryPhase.PROMOTING ? " (the primary's own rollout continues)" : "")
          + "; the resume action continues";
      pausedMessage = "paused by " + r.shown() + " " + where;
      progressMessage = pausedMessage;
      accept(r, "paused " + where, "Normal");
      return true;
    }

    /** Lifts a pause; the canary continues in this same reconcile. */
    private boolean resume(ActionRequest r, CanaryPhase phase) {
      if (!paused) {
        reject(r, "the canary is not paused");
        return false;
      }
      paused = false;
      accept(r, "resumed in phase " + phase, "Normal");
      return false;
    }

    private void accept(ActionRequest r, String message, String eventType) {
      record(r, CanaryActionStatus.ACCEPTED, message);
      event(eventType, r.shown() + ": " + message);
    }

    private void reject(ActionRequest r, String message) {
      record(r, CanaryActionStatus.REJECTED, message);
    }

    /** Records the request as handled; one that was not carried out also gets a Warning Event ("... rejected: why"). */
    private void record(ActionRequest r, String result, String message) {
      st.lastAction = new CanaryActionStatus(r.key(), r.actionName(), result, message, timestamp(s.now()));
      if (!st.lastAction.accepted()) {
        event("Warning", r.shown() + " " + st.lastAction.outcome());
      }
    }

    // ---------------------------------------------------------------------------------------------
    // helpers

    private CheckResult need(CheckKind kind) {
      CheckResult r = checks.get(kind);
      if (r == null) {
        throw new NeedCheck(kind);
      }
      return r;
    }

    private DeploymentStrategy strategy() {
      if ("kubernetes".equals(s.provider())) {
        return DeploymentStrategy.BLUE_GREEN;
      }
      return analysis.strategy();
    }

    /** Flagger forces 10 iterations for the kubernetes provider when none are set. */
    private int strategyIterations() {
      int it = analysis.iterationsOrZero();
      return "kubernetes".equals(s.provider()) && it < 1 ? 10 : it;
    }

    /** Flagger's next step: {@code stepWeight}, or the difference to the next entry of {@code stepWeights}. */
    private int nextStepWeight(int current) {
      List<Integer> steps = analysis.stepWeights;
      int maxStep = 100 - current;
      if (steps == null || steps.isEmpty()) {
        return Math.min(analysis.stepWeightOrZero(), maxStep);
      }
      for (int w : steps) {
        if (w > current) {
          return Math.min(w - current, maxStep);
        }
      }
      return maxStep;
    }

    /** The canary weight the router really has; the status value when the router has no weights. */
    private int realCanaryWeight() {
      if (!s.shiftsWeights()) {
        return 0;
      }
      return s.router().weights().map(Weights::canary).orElse(st.canaryWeightOrZero());
    }

    private Weights weightsOf(int canaryWeight) {
      boolean mirrored = s.router().weights().map(Weights::mirrored).orElse(false);
      return new Weights(100 - canaryWeight, canaryWeight, mirrored);
    }

    /** The last {@link SetRoutes} wins: replace any earlier one so the plan sets weights once. */
    private void replaceSetRoutes(Weights w) {
      actions.removeIf(a -> a instanceof SetRoutes);
      actions.add(new SetRoutes(w));
    }

    private boolean hasFinalizer() {
      List<String> f = s.canary().getMetadata().getFinalizers();
      return f != null && f.contains(dev.bunting.api.Canary.FINALIZER);
    }

    /** A run of the current revision starts: counters at zero, the revision and its configs recorded. */
    private void startRun() {
      clearCounters();
      st.lastAppliedSpec = s.revision();
      st.gitRevision = s.gitRevision();
      st.trackedConfigs = s.trackedConfigs().isEmpty() ? null : s.trackedConfigs();
    }

    private void clearCounters() {
      st.canaryWeight = 0;
      st.failedChecks = 0;
      st.iterations = 0;
    }

    private void setPhase(CanaryPhase phase) {
      st.phase = phase;
    }

    private void event(String type, String message) {
      events.add(new Note(type, message));
    }

    private void alert(String severity, String message) {
      alerts.add(new Note(severity, message));
    }

    private void alertUnlessMuted(WebhookType type, String severity, String message) {
      boolean muted = analysis.webhooks != null && analysis.webhooks.stream()
          .filter(h -> h.webhookType() == type)
          .anyMatch(h -> Boolean.TRUE.equals(h.muteAlert));
      if (!muted) {
        alert(severity, message);
      }
    }

    private String readingsSuffix() {
      if (readings.isEmpty()) {
        return "";
      }
      return " (" + readings.stream().map(CheckResult.MetricReading::describe).collect(Collectors.joining(", ")) + ")";
    }

    private String lastFailureSuffix() {
      if (st.analysis != null && st.analysis.message != null && !st.analysis.message.isEmpty()
          && ("Failed".equals(st.analysis.result) || "Marginal".equals(st.analysis.result))) {
        return "; last: " + st.analysis.message;
      }
      return Condition.find(st.conditions, Condition.RECONCILING)
          .map(c -> c.message)
          .filter(m -> m != null && m.startsWith("failed checks "))
          .map(m -> "; last: " + m.substring(m.indexOf(": ") + 2))
          .orElse("");
    }

    private String progressDescription() {
      return switch (strategy()) {
        case CANARY -> "canary weight " + st.canaryWeightOrZero() + "/" + analysis.maxWeightOrDefault();
        default -> "iteration " + st.iterationsOrZero() + "/" + strategyIterations();
      };
    }

    /** {@code  (git main@sha1:0123456789ab "subject")} when a GitSync applied the revision; empty otherwise. */
    private static String gitSuffix(dev.bunting.api.CanaryGitRevision git) {
      return git == null ? "" : " (git " + git.describe() + ")";
    }

    private static String shortRevision(String revision) {
      if (revision == null) {
        return "";
      }
      return Revision.isBunting(revision) ? revision.substring(0, Math.min(revision.length(), 15)) : revision;
    }

    CanaryPlan plan() {
      rotateSessionCookies();
      writeConditions();
      st.observedGeneration = s.canary().getMetadata().getGeneration();
      return new CanaryPlan(List.copyOf(actions), st, List.copyOf(events), List.copyOf(alerts), tickConsumed, requeue,
          completion, List.copyOf(readings));
    }

    /**
     * Sticky sessions ({@code analysis.sessionAffinity}): the cookies live in the status, as in Flagger. When this plan
     * routes weight to the canary, a canary cookie (and a primary cookie with {@code primaryCookieName}) is started
     * from the snapshot's random values unless one with the configured name is already set; when it routes none, the
     * canary cookie becomes the previous one, which the router then expires.
     */
    private void rotateSessionCookies() {
      SessionAffinity sticky = analysis.sessionAffinity;
      Weights routed = null;
      for (CanaryAction a : actions) {
        if (a instanceof SetRoutes r) {
          routed = r.weights();
        }
      }
      if (sticky == null || routed == null) {
        return;
      }
      if (routed.canary() != 0) {
        st.sessionAffinityCookie = keptOrNew(st.sessionAffinityCookie, sticky.cookieName, s.cookieValues().canary());
        if (sticky.primaryCookieName != null && !sticky.primaryCookieName.isEmpty()) {
          st.primarySessionAffinityCookie = keptOrNew(st.primarySessionAffinityCookie, sticky.primaryCookieName,
              s.cookieValues().primary());
        }
      } else if (st.sessionAffinityCookie != null && !st.sessionAffinityCookie.isEmpty()) {
        st.previousSessionAffinityCookie = st.sessionAffinityCookie;
        st.sessionAffinityCookie = null;
      }
    }

    private static String keptOrNew(String current, String name, String freshValue) {
      if (current != null && current.startsWith(name + "=") && current.length() > name.length() + 1) {
        return current;
      }
      return freshValue == null || freshValue.isEmpty() ? current : name + "=" + freshValue;
    }

    // ---------------------------------------------------------------------------------------------
    // conditions

    private void writeConditions() {
      List<Condition> out = new ArrayList<>();
      CanaryPhase phase = st.phaseOrNew();
      String kind = s.targetKind();
      if (phase != CanaryPhase.NEW) {
        out.add(promoted(phase, kind));
      }
      if (problem != null) {
        out.add(condition(Condition.READY, "False", problem.reason(), problem.message()));
        out.add(condition(Condition.STALLED, "True", problem.reason(), problem.message()));
      } else if (phase == CanaryPhase.FAILED) {
        String message = failureCondition != null ? failureCondition
            : failureMessage != null ? "Canary analysis failed: " + failureMessage
            : Condition.find(st.conditions, Condition.READY).map(c -> c.message)
                .orElse("Canary analysis failed, " + kind + " scaled to zero.");
        out.add(condition(Condition.READY, "False", "Failed", message));
        out.add(condition(Condition.STALLED, "True", "Failed", message));
      } else if (phase == CanaryPhase.INITIALIZED || phase == CanaryPhase.SUCCEEDED
          || phase == CanaryPhase.TERMINATED) {
        out.add(condition(Condition.READY, "True", phase.wire(), promotedMessage(phase, kind)));
      } else if (spec.suspended() || paused) {
        String reason = spec.suspended() ? "Suspended" : "Paused";
        out.add(condition(Condition.READY, "Unknown", reason, progressMessage));
        out.add(condition(Condition.RECONCILING, "False", reason, progressMessage));
      } else {
        String reason = phase == CanaryPhase.NEW ? "Initializing" : phase.wire();
        String message = progressMessage.isEmpty() ? promotedMessage(phase, kind) : progressMessage;
        out.add(condition(Condition.READY, "Unknown", reason, message));
        out.add(condition(Condition.RECONCILING, "True", reason, message));
      }
      if (paused) {
        out.add(condition(Condition.PAUSED, "True", "Paused", pausedMessage));
      }
      CanaryActionStatus action = st.lastAction;
      if (action != null && !action.accepted()) {
        String reason = CanaryActionStatus.INVALID.equals(action.result) ? "InvalidAction" : "ActionNotPossible";
        out.add(condition(Condition.ACTION_REJECTED, "True", reason,
            ActionRequest.ANNOTATION + "=" + action.request + " " + action.outcome()));
      }
      st.conditions = mergeTimestamps(out);
    }

    private Condition promoted(CanaryPhase phase, String kind) {
      String status = switch (phase) {
        case INITIALIZED, SUCCEEDED -> "True";
        case FAILED -> "False";
        default -> "Unknown";
      };
      return condition(Condition.PROMOTED, status, phase.wire(), promotedMessage(phase, kind));
    }

    private static String promotedMessage(CanaryPhase phase, String kind) {
      return switch (phase) {
        case INITIALIZED -> kind + " initialization completed.";
        case WAITING, WAITING_PROMOTION -> "Waiting for approval.";
        case PROGRESSING -> "New revision detected, progressing canary analysis.";
        case PROMOTING -> "Canary analysis completed, starting primary rolling update.";
        case FINALISING -> "Canary analysis completed, routing all traffic to primary.";
        case SUCCEEDED -> "Canary analysis completed successfully, promotion finished.";
        case FAILED -> "Canary analysis failed, " + kind + " scaled to zero.";
        case TERMINATING -> "Canary is being deleted, reverting traffic to " + kind + ".";
        case TERMINATED -> "Canary deleted, traffic reverted to " + kind + ".";
        default -> "New " + kind + " detected, starting initialization.";
      };
    }

    private Condition condition(String type, String status, String reason, String message) {
      Condition c = new Condition(type, status, reason, message);
      c.observedGeneration = s.canary().getMetadata().getGeneration();
      return c;
    }

    /** Keeps {@code lastTransitionTime} when a condition's status did not change; stamps now otherwise. */
    private List<Condition> mergeTimestamps(List<Condition> fresh) {
      String now = timestamp(s.now());
      for (Condition c : fresh) {
        Condition old = Condition.find(st.conditions, c.type).orElse(null);
        if (old != null && old.sameStateAs(c)) {
          c.lastTransitionTime = old.lastTransitionTime;
          c.lastUpdateTime = old.lastUpdateTime;
        } else {
          c.lastTransitionTime = old != null && Objects.equals(old.status, c.status) && old.lastTransitionTime != null
              ? old.lastTransitionTime : now;
          c.lastUpdateTime = now;
        }
      }
      return fresh;
    }
  }
}
