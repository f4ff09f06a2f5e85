package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.api.ObjectReference;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import org.junit.jupiter.api.Test;

/** The skipper router against Flagger 1.44's {@code skipper.go} ({@code flagger/skipper.cases.json}). */
class SkipperRouterTest {
  private static final SkipperRouter ROUTER = new SkipperRouter();

  /**
   * Bunting leaves out the user's {@code last-applied-configuration} (it describes the user's Ingress) and always
   * writes the Flux opt-out annotations (Flagger adds them only when it updates the clone).
   */
  private static OracleReplay replay() {
    return OracleReplay.of("skipper", ROUTER)
        .ignoring("/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration",
            "/metadata/annotations/kustomize.toolkit.fluxcd.io~1reconcile",
            "/metadata/annotations/helm.toolkit.fluxcd.io~1driftDetection");
  }

  @Test
  void theCanaryIngressIsFlaggersAtEveryStep() {
    // Flagger's Reconcile (step 0, and step 11 after the user changed their Ingress) builds the clone at 100/0 with
    // Weight(100): the canary route on, all of it to the primary, until its SetRoutes(100, 0) of the same tick turns
    // it off with False(). Bunting builds the clone for the weights at hand, so at 100/0 it is False() from the start.
    String predicate = "/metadata/annotations/zalando.org~1skipper-predicate";
    assertThat(replay().ignoringAt(0, predicate).ignoringAt(11, predicate).replay("canary")).isEqualTo(6);
    assertThat(replay().ignoringAt(0, predicate).replay("only-ingress-class")).isEqualTo(3);
  }

  @Test
  void theRoutesAreOffAtWeightZeroAndWinOverTheUsersOtherwise() {
    FlaggerOracle oracle = FlaggerOracle.load("skipper");
    Canary canary = oracle.canary("canary");
    CachedObjects cached = Cached.of(oracle.seeded("canary"));

    GenericKubernetesResource idle = clone(canary, Weights.ALL_PRIMARY, cached);
    assertThat(idle.getMetadata().getAnnotations())
        .containsEntry("zalando.org/skipper-predicate", "False() && Header(\"X-Tenant\", \"blue\")")
        .containsEntry("zalando.org/backend-weights", "{\"podinfo-canary\":0,\"podinfo-primary\":100}")
        .doesNotContainKey("kubectl.kubernetes.io/last-applied-configuration");
    assertThat(clone(canary, Weights.canary(30), cached).getMetadata().getAnnotations())
        .containsEntry("zalando.org/skipper-predicate", "Weight(100) && Header(\"X-Tenant\", \"blue\")")
        .containsEntry("zalando.org/backend-weights", "{\"podinfo-canary\":30,\"podinfo-primary\":70}");
    assertThat(SkipperRouter.predicate("Weight(100) && False() &&  Path(\"/x\") && ", "False()"))
        .isEqualTo("False() && Path(\"/x\")");
  }

  private static GenericKubernetesResource clone(Canary canary, Weights weights, CachedObjects cached) {
    return (GenericKubernetesResource) ROUTER.desiredObjects(canary, weights, cached).get(0);
  }

  @Test
  void aUserIngressWithoutTheApexBackendIsAProblem() {
    FlaggerOracle oracle = FlaggerOracle.load("skipper");
    Canary canary = oracle.canary("canary");
    canary.getSpec().service.name = "elsewhere";
    assertThat(ROUTER.problems(canary, Cached.of(oracle.seeded("canary")))).containsExactly("spec.ingressRef: Ingress"
        + " test/podinfo has no path with backend service elsewhere (the apex Service) to route to the canary");
  }

  @Test
  void weightsAreReadFromTheBackendWeights() {
    Canary canary = FlaggerOracle.load("skipper").canary("canary");
    RouterState none = ROUTER.state(canary, Cached.of(Manifests.resource("""
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: podinfo-canary, namespace: test, annotations: {zalando.org/backend-weights: '{"podinfo-primary": 100}'}}
        """)));
    assertThat(none.weights()).isEmpty();
    assertThat(none.message()).isEqualTo("Ingress test/podinfo-canary has no weight for podinfo-canary");
  }

  @Test
  void abTestingIsRejected() {
    Canary canary = Manifests.canary("skipper", "{port: 80}", "{iterations: 3, match: [{headers: {x: {exact: y}}}]}");
    assertThat(ROUTER.validate(canary)).containsExactly("spec.ingressRef.name is required for provider skipper",
        "spec.analysis.match (A/B testing) is not supported by provider skipper: it cannot route by request, so every"
            + " request would reach the canary");
    canary.getSpec().ingressRef = new ObjectReference("networking.k8s.io/v1", "Ingress", "podinfo");
    canary.getSpec().analysis.match = null;
    assertThat(ROUTER.validate(canary)).isEmpty();
  }
}
