package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import org.junit.jupiter.api.Test;

/** The apisix router against Flagger 1.44's {@code apisix.go} ({@code flagger/apisix.cases.json}). */
class ApisixRouterTest {
  private static final ApisixRouter ROUTER = new ApisixRouter();

  /**
   * Bunting copies the user's http entry as written: Flagger's Go types add {@code websocket: false}. Bunting leaves
   * out the user's {@code last-applied-configuration} and adds the Flux opt-out annotations (Flagger copies the
   * user's annotations as they are).
   */
  private static OracleReplay replay() {
    return OracleReplay.of("apisix", ROUTER)
        .ignoring("/spec/http/0/websocket", "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration",
            "/metadata/annotations/kustomize.toolkit.fluxcd.io~1reconcile",
            "/metadata/annotations/helm.toolkit.fluxcd.io~1driftDetection");
  }

  @Test
  void theCanaryRouteIsFlaggersAtEveryStep() {
    assertThat(replay().replay("canary")).isEqualTo(4);
    assertThat(replay().replay("second-http-entry")).isEqualTo(2);
  }

  @Test
  void anEntryWithMoreThanOneBackendIsAProblem() {
    FlaggerOracle oracle = FlaggerOracle.load("apisix");
    assertThat(oracle.step("two-backends", 0).error()).contains("only one http backend is supported");
    Canary canary = oracle.canary("two-backends");
    assertThat(ROUTER.problems(canary, Cached.of(oracle.seeded("two-backends")))).containsExactly("spec.routeRef:"
        + " ApisixRoute test/podinfo http entry m has 2 backends; only an entry with exactly one (podinfo) can be"
        + " split between primary and canary");
    assertThat(ROUTER.problems(canary, CachedObjects.none()))
        .containsExactly("spec.routeRef: ApisixRoute test/podinfo not found");
  }

  @Test
  void validation() {
    Canary canary = Manifests.canary("apisix", "{port: 80}", "{iterations: 2, match: [{headers: {x: {exact: y}}}]}");
    assertThat(ROUTER.validate(canary)).containsExactly("spec.routeRef.name is required for provider apisix",
        "spec.analysis.match (A/B testing) is not supported by provider apisix: it cannot route by request, so every"
            + " request would reach the canary");
    assertThat(ROUTER.objects(canary)).isEmpty();
  }
}
