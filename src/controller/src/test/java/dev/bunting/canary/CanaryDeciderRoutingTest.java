package dev.bunting.canary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.CanaryStatus;
import dev.bunting.canary.CanaryAction.SetRoutes;
import dev.bunting.canary.router.RouterState;
import dev.bunting.canary.router.Weights;
import dev.bunting.canary.workload.Readiness;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The engine's side of mirroring and sticky sessions: the mirrored first step of a canary release
 * ({@code analysis.mirror}) on providers that mirror, and the cookies of {@code analysis.sessionAffinity} chosen,
 * kept and rotated in the status from the snapshot's random values, in the sequence Flagger's routers leave them.
 */
class CanaryDeciderRoutingTest {
  private static final String REV = "v2:aaaa";
  private final CanaryDecider decider = new CanaryDecider();

  /** A canary in {@code Progressing} on a weighted provider, and what its router reports. */
  private static final class Run {
    final Canary canary;
    Weights routed;
    boolean mirrors = true;
    SessionCookieValues values = new SessionCookieValues("first", "primary1");
    final List<CheckKind> asked = new ArrayList<>();

    Run(String analysis) {
      canary = Serialization.unmarshal("""
          apiVersion: flagger.app/v1beta1
          kind: Canary
          metadata: {name: podinfo, namespace: test, uid: uid-1, generation: 1}
          spec:
            provider: istio
            targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
            service: {port: 9898}
            analysis:
          %s
          """.formatted(analysis.indent(4).stripTrailing()), Canary.class);
      CanaryStatus st = new CanaryStatus();
      st.phase = CanaryPhase.PROGRESSING;
      st.canaryWeight = 0;
      st.failedChecks = 0;
      st.iterations = 0;
      st.lastAppliedSpec = REV;
      st.lastPromotedSpec = "v2:0000";
      canary.setStatus(st);
      routed = Weights.ALL_PRIMARY;
    }

    CanarySnapshot snapshot() {
      return new CanarySnapshot(canary, Instant.parse("2026-11-26T10:00:00Z"), true, "istio", true, List.of(),
          new WorkloadView(2, Readiness.READY, true, 2, Readiness.READY, false),
          RouterState.accepted(routed), REV, Map.of(), true, mirrors, values);
    }
  }

  /** One analysis tick with every check passing (or {@code failing} failed); the plan's weights become the router's. */
  private CanaryPlan tick(Run run, CheckKind... failing) {
    Map<CheckKind, CheckResult> given = new EnumMap<>(CheckKind.class);
    while (true) {
      Decision d = decider.decide(run.snapshot(), given);
      if (d instanceof Decision.Needs n) {
        run.asked.add(n.check());
        given.put(n.check(), List.of(failing).contains(n.check()) ? CheckResult.failed("failed") : CheckResult.PASSED);
        continue;
      }
      CanaryPlan plan = ((Decision.Plan) d).plan();
      routes(plan).ifPresent(w -> run.routed = w);
      run.canary.setStatus(plan.status());
      return plan;
    }
  }

  private static Optional<Weights> routes(CanaryPlan plan) {
    return plan.actions().stream().filter(a -> a instanceof SetRoutes).map(a -> ((SetRoutes) a).weights())
        .reduce((a, b) -> b);
  }

  @Test
  void aCanaryReleaseWithMirroringMirrorsOneStepBeforeShiftingWeight() {
    Run run = new Run("{interval: 1m, threshold: 2, stepWeight: 20, maxWeight: 40, mirror: true}");

    CanaryPlan first = tick(run);
    assertThat(routes(first)).contains(new Weights(100, 0, true));
    assertThat(first.status().canaryWeight).isZero();
    assertThat(first.events()).extracting(CanaryPlan.Note::message)
        .contains("Starting canary analysis for podinfo.test", "Start traffic mirroring for podinfo.test");
    assertThat(run.asked).containsExactly(CheckKind.ROLLBACK, CheckKind.PRE_ROLLOUT,
        CheckKind.CONFIRM_TRAFFIC_INCREASE);

    run.asked.clear();
    CanaryPlan second = tick(run);
    assertThat(routes(second)).contains(Weights.canary(20));
    assertThat(second.status().canaryWeight).isEqualTo(20);
    assertThat(run.asked).as("the mirrored tick is analysed; as in Flagger its step is not gated")
        .containsExactly(CheckKind.ROLLBACK, CheckKind.ANALYSIS);

    assertThat(routes(tick(run))).contains(Weights.canary(40));
  }

  @Test
  void withoutAMirroringProviderTheCanaryReleaseShiftsWeightAtOnce() {
    Run run = new Run("{interval: 1m, threshold: 2, stepWeight: 20, maxWeight: 40, mirror: true}");
    run.mirrors = false;

    assertThat(routes(tick(run))).contains(Weights.canary(20));
  }

  @Test
  void aFailedMirroredStepRollsBackWithoutTheMirror() {
    Run run = new Run("{interval: 1m, threshold: 1, iterations: 3, mirror: true}");
    assertThat(routes(tick(run))).contains(new Weights(100, 0, true));

    tick(run, CheckKind.ANALYSIS);
    CanaryPlan rollback = tick(run);

    assertThat(rollback.status().phase).isEqualTo(CanaryPhase.FAILED);
    assertThat(routes(rollback)).contains(Weights.ALL_PRIMARY);
  }

  @Test
  void stickySessionsStartACookieAtTheFirstWeightKeepItAndExpireItAtTheEnd() {
    Run run = new Run("""
        {interval: 1m, threshold: 2, stepWeight: 25, maxWeight: 50,
         sessionAffinity: {cookieName: canary-session, primaryCookieName: primary-session}}""");

    CanaryPlan first = tick(run);
    assertThat(routes(first)).contains(Weights.canary(25));
    assertThat(first.status().sessionAffinityCookie).isEqualTo("canary-session=first");
    assertThat(first.status().primarySessionAffinityCookie).isEqualTo("primary-session=primary1");

    run.values = new SessionCookieValues("second", "primary2");
    CanaryPlan step = tick(run);
    assertThat(routes(step)).contains(Weights.canary(50));
    assertThat(step.status().sessionAffinityCookie).as("kept for the whole run").isEqualTo("canary-session=first");
    assertThat(step.status().primarySessionAffinityCookie).isEqualTo("primary-session=primary1");

    CanaryPlan promote = tick(run);
    assertThat(promote.status().phase).isEqualTo(CanaryPhase.PROMOTING);
    assertThat(promote.status().sessionAffinityCookie).as("routes unchanged while promoting").isEqualTo(
        "canary-session=first");

    CanaryPlan allPrimary = tick(run);
    assertThat(routes(allPrimary)).contains(Weights.ALL_PRIMARY);
    assertThat(allPrimary.status().sessionAffinityCookie).isNull();
    assertThat(allPrimary.status().previousSessionAffinityCookie).isEqualTo("canary-session=first");
    assertThat(allPrimary.status().primarySessionAffinityCookie).as("the primary cookie lives on")
        .isEqualTo("primary-session=primary1");
  }

  @Test
  void withoutAPrimaryCookieNameNoPrimaryCookieIsKept() {
    Run run = new Run("{interval: 1m, threshold: 2, stepWeight: 25, sessionAffinity: {cookieName: flagger-cookie}}");

    CanaryStatus st = tick(run).status();

    assertThat(st.sessionAffinityCookie).isEqualTo("flagger-cookie=first");
    assertThat(st.primarySessionAffinityCookie).as("Flagger would store \"=<random>\"").isNull();
  }

  @Test
  void aRenamedCookieStartsAFreshOne() {
    Run run = new Run("{interval: 1m, threshold: 2, stepWeight: 25, sessionAffinity: {cookieName: new-name}}");
    run.canary.getStatus().sessionAffinityCookie = "old-name=abcdefghij";

    assertThat(tick(run).status().sessionAffinityCookie).isEqualTo("new-name=first");
  }

  /**
   * The status sequence of Flagger's session-affinity case ({@code flagger/istio.cases.json}): a run to 10 % and 50 %,
   * back to 0, and a new run to 10 %; random values are {@code random1}, {@code random2}, ... there, and the snapshot
   * supplies the same ones here. Flagger also stores a primary cookie named {@code ""} that it never uses.
   */
  @Test
  void theCookiesFollowFlaggersSequence() {
    var oracle = dev.bunting.canary.router.OracleStatus.istio("session-affinity");
    Run run = new Run("{interval: 1m, threshold: 5, stepWeight: 40, maxWeight: 50,"
        + " sessionAffinity: {cookieName: flagger-cookie, maxAge: 21600}}");
    run.values = new SessionCookieValues("random1", "random2");

    CanaryStatus at10 = tick(run).status(); // Bunting steps 0 -> 40; the cookie rule only sees "weight > 0"
    assertThat(at10.sessionAffinityCookie).isEqualTo(oracle.get(1).sessionAffinityCookie);
    run.values = new SessionCookieValues("random3", "random4");
    CanaryStatus at50 = tick(run).status();
    assertThat(at50.sessionAffinityCookie).isEqualTo(oracle.get(3).sessionAffinityCookie);
    tick(run); // promotion starts
    CanaryStatus at0 = tick(run).status();
    assertThat(at0.sessionAffinityCookie).isEqualTo(oracle.get(5).sessionAffinityCookie);
    assertThat(at0.previousSessionAffinityCookie).isEqualTo(oracle.get(5).previousSessionAffinityCookie);

    run.canary.getStatus().phase = CanaryPhase.PROGRESSING; // a new revision's run
    run.canary.getStatus().lastAppliedSpec = REV;
    CanaryStatus again = tick(run).status();
    assertThat(again.sessionAffinityCookie).isEqualTo(oracle.get(8).sessionAffinityCookie);
    assertThat(again.previousSessionAffinityCookie).isEqualTo(oracle.get(8).previousSessionAffinityCookie);
  }
}
