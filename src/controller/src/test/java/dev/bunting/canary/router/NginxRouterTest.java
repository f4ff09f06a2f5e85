package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The nginx router against Flagger 1.44's {@code ingress.go} ({@code flagger/nginx.cases.json}), and its checks. */
class NginxRouterTest {
  private static final NginxRouter ROUTER = new NginxRouter(RouterSettings.defaults());

  @ParameterizedTest
  @ValueSource(strings = {"canary", "ab-header-and-cookie", "ab-header-regex", "ab-cookie-only", "service-name"})
  void theCanaryIngressIsFlaggersAtEveryStep(String caseName) {
    OracleReplay replay = OracleReplay.of("nginx", ROUTER)
        // the user edited their Ingress (a label, an annotation, a path): Flagger copies metadata only when it
        // creates the clone, Bunting keeps it in step with the user's Ingress
        .ignoringAt(9, "/metadata/labels/tier", "/metadata/annotations/nginx.ingress.kubernetes.io~1proxy-body-size");
    assertThat(replay.replay(caseName)).isPositive();
  }

  @Test
  void theAnnotationPrefixIsTheFlags() {
    NginxRouter custom = new NginxRouter(new RouterSettings("custom.nginx.org", ""));
    assertThat(OracleReplay.of("nginx", custom).replay("annotations-prefix")).isEqualTo(3);
  }

  @Test
  void theUsersEditsReachTheClone() {
    FlaggerOracle oracle = FlaggerOracle.load("nginx");
    Canary canary = oracle.canary("canary");
    GenericKubernetesResource clone = (GenericKubernetesResource) ROUTER.desiredObjects(canary, Weights.ALL_PRIMARY,
        oracle.step("canary", 9).cached()).get(0);
    assertThat(clone.getMetadata().getLabels()).containsEntry("tier", "frontend");
    assertThat(clone.getMetadata().getAnnotations()).containsEntry("nginx.ingress.kubernetes.io/proxy-body-size", "8m")
        .doesNotContainKeys("kubectl.kubernetes.io/last-applied-configuration",
            "nginx.ingress.kubernetes.io/canary-by-header");
  }

  @Test
  void anIngressWithoutTheApexBackendIsAProblemAndNothingIsBuilt() {
    FlaggerOracle oracle = FlaggerOracle.load("nginx");
    assertThat(oracle.step("no-apex-backend", 0).error()).isEqualTo("backend podinfo not found in ingress podinfo");
    Canary canary = oracle.canary("no-apex-backend");
    CachedObjects cached = Cached.of(oracle.seeded("no-apex-backend"));

    assertThat(ROUTER.problems(canary, cached)).containsExactly("spec.ingressRef: Ingress test/podinfo has no path"
        + " with backend service podinfo (the apex Service) to route to the canary");
    assertThat(ROUTER.problems(canary, CachedObjects.none()))
        .containsExactly("spec.ingressRef: Ingress test/podinfo not found");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ROUTER.desiredObjects(canary, Weights.ALL_PRIMARY, cached))
        .hasMessageContaining("has no path with backend service podinfo");
  }

  @Test
  void readsAndWatchesTheUsersIngressAndItsClone() {
    Canary canary = FlaggerOracle.load("nginx").canary("canary");
    assertThat(ROUTER.objects(canary)).extracting(RoutedObject::key).containsExactly(
        "networking.k8s.io/v1/ingresses/test/podinfo", "networking.k8s.io/v1/ingresses/test/podinfo-canary");
    assertThat(ROUTER.state(canary, CachedObjects.none())).isEqualTo(RouterState.absent());
  }

  @Test
  void weightsThatCannotBeReadAreSaidSo() {
    Canary canary = FlaggerOracle.load("nginx").canary("canary");
    RouterState bad = ROUTER.state(canary, Cached.of(clone(Map.of("nginx.ingress.kubernetes.io/canary-weight", "ten"))));
    assertThat(bad.weights()).isEmpty();
    assertThat(bad.message()).isEqualTo("Ingress test/podinfo-canary has nginx.ingress.kubernetes.io/canary-weight"
        + " \"ten\", which is not a number");
    assertThat(ROUTER.state(canary, Cached.of(clone(Map.of("nginx.ingress.kubernetes.io/canary-weight", "120"))))
        .message()).isEqualTo("Ingress test/podinfo-canary has weights -20/120 for podinfo-primary/podinfo-canary,"
            + " which do not add up to 100");
  }

  private static GenericKubernetesResource clone(Map<String, String> annotations) {
    return Manifests.resource("""
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: podinfo-canary, namespace: test, annotations: %s}
        """.formatted(io.fabric8.kubernetes.client.utils.Serialization.asJson(annotations)));
  }

  @Test
  void validation() {
    String service = "{port: 80}";
    assertThat(ROUTER.validate(Manifests.canary("nginx", service, "{stepWeight: 10}")))
        .containsExactly("spec.ingressRef.name is required for provider nginx");
    assertThat(ROUTER.validate(withIngress(service, "{stepWeight: 10, mirror: true}")))
        .containsExactly("spec.analysis.mirror (traffic mirroring) is not supported by provider nginx: its routing"
            + " objects cannot mirror requests");
    assertThat(ROUTER.validate(withIngress(service, """
        {stepWeight: 10, match: [{headers: {x-canary: {exact: insider}}}]}"""))).containsExactly(
        "spec.analysis.match needs spec.analysis.iterations for provider nginx: a canary Ingress routes either by"
            + " header and cookie (A/B testing) or by weight, not both");
    assertThat(ROUTER.validate(withIngress(service, """
        {iterations: 5, match: [{headers: {x-canary: {prefix: insider}}, uri: {prefix: /api}},
                                {headers: {x-other: {exact: a}}}, {headers: {cookie: {regex: c.*}}}, {}]}""")))
        .containsExactly(
            "spec.analysis.match[0].uri: nginx A/B testing routes on a header and a cookie only",
            "spec.analysis.match[0].headers.x-canary: nginx matches a header by one exact value or one regex",
            "spec.analysis.match[2].headers.cookie: nginx matches a cookie by its name, given as exact (requests whose"
                + " cookie of that name is \"always\" reach the canary)",
            "spec.analysis.match[3] has no headers: nginx A/B testing routes on a header and a cookie",
            "spec.analysis.match: nginx routes on one header, and these entries name x-canary, x-other");
    assertThat(ROUTER.validate(withIngress(service, """
        {iterations: 5, match: [{headers: {x-canary: {exact: insider}}}, {headers: {cookie: {exact: canary}}}]}""")))
        .isEmpty();
  }

  private static Canary withIngress(String service, String analysis) {
    Canary canary = Manifests.canary("nginx", service, analysis);
    canary.getSpec().ingressRef = new dev.bunting.api.ObjectReference("networking.k8s.io/v1", "Ingress", "podinfo");
    return canary;
  }

  @Test
  void kinds() {
    assertThat(ROUTER.kinds()).extracting(k -> k.getGroup() + "/" + k.getVersion() + "/" + k.getPlural())
        .isEqualTo(List.of("networking.k8s.io/v1/ingresses"));
    assertThat(ROUTER.supportsWeights()).isTrue();
  }
}
