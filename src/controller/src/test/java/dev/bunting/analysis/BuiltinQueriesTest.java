package dev.bunting.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bunting.analysis.FlaggerGoldenQueries.Golden;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class BuiltinQueriesTest {

  static Stream<Golden> goldens() {
    return FlaggerGoldenQueries.ALL.stream();
  }

  @Test
  void everyObserverHasAGoldenTest() {
    Set<BuiltinObserver> covered = FlaggerGoldenQueries.ALL.stream().map(Golden::observer)
        .collect(Collectors.toCollection(() -> EnumSet.noneOf(BuiltinObserver.class)));
    assertThat(covered).containsExactlyInAnyOrder(BuiltinObserver.values());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldens")
  void successRateRendersExactlyAsFlaggerSendsIt(Golden golden) {
    String raw = golden.observer().renderRaw(BuiltinMetric.REQUEST_SUCCESS_RATE, golden.model());
    assertThat(QueryText.collapse(raw)).isEqualTo(golden.successRate());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldens")
  void durationRendersExactlyAsFlaggerSendsIt(Golden golden) {
    String raw = golden.observer().renderRaw(BuiltinMetric.REQUEST_DURATION, golden.model());
    assertThat(QueryText.collapse(raw)).isEqualTo(golden.duration());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldens")
  void bunting_sendsTheGoldenQueryTrimmed(Golden golden) {
    assertThat(golden.observer().query(BuiltinMetric.REQUEST_SUCCESS_RATE, golden.model()))
        .isEqualTo(golden.successRate().strip());
    assertThat(golden.observer().query(BuiltinMetric.REQUEST_DURATION, golden.model()))
        .isEqualTo(golden.duration().strip());
  }

  @Test
  void contourSelectsTheCanaryServiceByServiceName() {
    QueryModel model = QueryModel.of("podinfo", "test", "podinfo").withService("frontend");
    assertThat(BuiltinObserver.CONTOUR.query(BuiltinMetric.REQUEST_DURATION, model))
        .contains("envoy_cluster_name=~\"test_frontend-canary_[0-9a-zA-Z-]+\"")
        .doesNotContain("podinfo");
  }

  @Test
  void skipperReplacesNonWordCharactersInNames() {
    QueryModel model = QueryModel.of("my-app", "team-a.prod", "my-app").withService("my.svc")
        .withIngress("web-ingress");
    assertThat(BuiltinObserver.SKIPPER.query(BuiltinMetric.REQUEST_SUCCESS_RATE, model))
        .contains("route=~\"kube(ew)?_team_a_prod__web_ingress_canary__.*__my_svc_canary(_[0-9]+)?\"");
  }

  @Test
  void knativeUsesTheRoute() {
    QueryModel model = QueryModel.of("hello", "default", "hello").withRoute("hello-00042");
    assertThat(BuiltinObserver.KNATIVE.query(BuiltinMetric.REQUEST_SUCCESS_RATE, model))
        .contains("envoy_cluster_name=~\"default/hello-00042\"");
  }

  @Test
  void theIntervalComesFromTheModel() {
    QueryModel model = QueryModel.of("podinfo", "test", "podinfo").withInterval("30s");
    assertThat(BuiltinObserver.ISTIO.query(BuiltinMetric.REQUEST_DURATION, model)).contains("}[30s]")
        .doesNotContain("[1m]");
  }

  // --- provider selection ----------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource({
      "istio, ISTIO", "linkerd, LINKERD", "nginx, NGINX", "contour, CONTOUR", "gloo, GLOO", "gloo:v2, GLOO",
      "kuma, KUMA", "appmesh, APPMESH", "appmesh:v1beta2, APPMESH", "knative, KNATIVE", "traefik, TRAEFIK",
      "kubernetes, HTTP", "gatewayapi, HTTP", "gatewayapi:v1, HTTP", "gatewayapi:v1beta1, HTTP", "osm, OSM",
      "apisix, APISIX", "skipper, SKIPPER", "istio:service, ISTIO", "kubernetes:service, HTTP",
      "linkerd:service, LINKERD", "smi:v1alpha1:linkerd, LINKERD", "smi:v1alpha3:istio, ISTIO",
      "smi:v1alpha2:osm, OSM"})
  void choosesTheObserverLikeFlagger(String provider, BuiltinObserver expected) {
    assertThat(BuiltinQueries.observerFor(provider)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "crossover", "smi", "smi:linkerd", "smi:v1alpha1", "smi:v1alpha2:cilium",
      "smi:v1alpha1:smi:v1alpha1", "Istio", "cilium", "nginx2"})
  void unknownProvidersAreRejectedInsteadOfFallingBackToIstio(String provider) {
    assertThatThrownBy(() -> BuiltinQueries.observerFor(provider))
        .isInstanceOf(BuiltinQueries.UnsupportedProviderException.class)
        .hasMessageStartingWith("no builtin metric queries for provider \"" + provider + "\"")
        .hasMessageContaining("use a MetricTemplate");
    assertThat(BuiltinQueries.find(provider)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(nullValues = "null", value = {
      "istio, kubernetes, istio",
      "null, istio, istio",
      "'', nginx, nginx",
      "nginx, linkerd, linkerd",
      "kubernetes, smi:linkerd, linkerd",
      "null, smi:crossover, crossover",
      "gatewayapi:v1, crossover, gatewayapi:v1",
      "smi:v1alpha1, linkerd, linkerd",
      "null, smi:v1alpha1:linkerd, smi:v1alpha1:linkerd",
      "linkerd, kubernetes, linkerd"})
  void effectiveProviderFollowsFlaggersOverrides(String canary, String mesh, String expected) {
    assertThat(BuiltinQueries.effectiveProvider(canary, mesh)).isEqualTo(expected);
  }

  // --- units -----------------------------------------------------------------------------------

  @Test
  void successRateIsUnchanged() {
    for (BuiltinObserver o : BuiltinObserver.values()) {
      assertThat(o.toAnalysisValue(BuiltinMetric.REQUEST_SUCCESS_RATE, 99.87)).as(o.name()).isEqualTo(99.87);
    }
  }

  @Test
  void httpObserverConvertsSecondsToWholeMilliseconds() {
    assertThat(BuiltinObserver.HTTP.toAnalysisValue(BuiltinMetric.REQUEST_DURATION, 0.100)).isEqualTo(100.0);
    assertThat(BuiltinObserver.HTTP.toAnalysisValue(BuiltinMetric.REQUEST_DURATION, 0.2509)).isEqualTo(250.0);
    assertThat(BuiltinObserver.HTTP.toAnalysisValue(BuiltinMetric.REQUEST_DURATION, 0.0009)).isEqualTo(0.0);
  }

  @Test
  void otherObserversTruncateTheMillisecondsTheQueryReturns() {
    Map<BuiltinObserver, Double> expected = Arrays.stream(BuiltinObserver.values())
        .filter(o -> o != BuiltinObserver.HTTP)
        .collect(Collectors.toMap(o -> o, o -> 99.0));
    expected.forEach((o, ms) ->
        assertThat(o.toAnalysisValue(BuiltinMetric.REQUEST_DURATION, 99.97)).as(o.name()).isEqualTo(ms));
  }

  @Test
  void builtinMetricsAreRecognisedByExactName() {
    assertThat(BuiltinMetric.byName("request-success-rate")).contains(BuiltinMetric.REQUEST_SUCCESS_RATE);
    assertThat(BuiltinMetric.byName("request-duration")).contains(BuiltinMetric.REQUEST_DURATION);
    assertThat(BuiltinMetric.byName("Request-Duration")).isEmpty();
    assertThat(BuiltinMetric.byName("request-duration-p95")).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // Bunting's release-scoped form (docs/analysis.md): golden strings

  private static final QueryModel RELEASE = QueryModel.of("podinfo", "default", "podinfo").withService("podinfo")
      .withInterval("1m").withRelease(1_790_000_000L, "20s", QueryModel.revisionPods("podinfo", "7d9f6c5b8"));

  @Test
  void theReleaseFormSelectsThisRevisionsPodsOverTheClippedWindow() {
    assertThat(BuiltinObserver.HTTP.query(BuiltinMetric.REQUEST_SUCCESS_RATE, RELEASE)).isEqualTo(
        "sum( rate( http_request_duration_seconds_count{ kubernetes_namespace=\"default\", "
            + "kubernetes_pod_name=~\"podinfo-7d9f6c5b8-[0-9a-zA-Z]+\", status!~\"5.*\" }[20s] ) ) / sum( rate( "
            + "http_request_duration_seconds_count{ kubernetes_namespace=\"default\", "
            + "kubernetes_pod_name=~\"podinfo-7d9f6c5b8-[0-9a-zA-Z]+\" }[20s] ) ) * 100");
    assertThat(BuiltinObserver.HTTP.query(BuiltinMetric.REQUEST_DURATION, RELEASE)).isEqualTo(
        "histogram_quantile( 0.99, sum( rate( http_request_duration_seconds_bucket{ kubernetes_namespace=\"default\", "
            + "kubernetes_pod_name=~\"podinfo-7d9f6c5b8-[0-9a-zA-Z]+\" }[20s] ) ) by (le) )");
    assertThat(BuiltinObserver.APPMESH.query(BuiltinMetric.REQUEST_DURATION, RELEASE))
        .contains("kubernetes_pod_name=~\"podinfo-7d9f6c5b8-[0-9a-zA-Z]+\" }[20s]");
  }

  @Test
  void seriesWithoutPodNamesGetTheClippedWindowOnly() {
    assertThat(BuiltinObserver.ISTIO.query(BuiltinMetric.REQUEST_SUCCESS_RATE, RELEASE)).isEqualTo(
        "sum( rate( istio_requests_total{ reporter=\"destination\", destination_workload_namespace=\"default\", "
            + "destination_workload=~\"podinfo\", response_code!~\"5.*\" }[20s] ) ) / sum( rate( istio_requests_total{ "
            + "reporter=\"destination\", destination_workload_namespace=\"default\", destination_workload=~\"podinfo\" "
            + "}[20s] ) ) * 100");
    for (BuiltinObserver o : BuiltinObserver.values()) {
      String release = o.query(BuiltinMetric.REQUEST_DURATION, RELEASE.withRoute("podinfo"));
      assertThat(release).as(o.name()).contains("[20s]").doesNotContain("[1m]");
    }
  }

  @ParameterizedTest
  @MethodSource("goldens")
  void withoutAReleaseTheScopedFormIsFlaggersString(Golden golden) {
    assertThat(golden.observer().scopedTemplate(BuiltinMetric.REQUEST_SUCCESS_RATE).source())
        .isNotEqualTo(golden.observer().template(BuiltinMetric.REQUEST_SUCCESS_RATE).source());
    assertThat(QueryText.collapse(golden.observer().renderRaw(BuiltinMetric.REQUEST_SUCCESS_RATE, golden.model())))
        .isEqualTo(golden.successRate());
  }

  @Test
  void requestCountsAreTheSuccessRateDenominatorAsIncrease() {
    assertThat(BuiltinObserver.HTTP.requestCountQuery(RELEASE)).isEqualTo(
        "sum( increase( http_request_duration_seconds_count{ kubernetes_namespace=\"default\", "
            + "kubernetes_pod_name=~\"podinfo-7d9f6c5b8-[0-9a-zA-Z]+\" }[20s] ) )");
    assertThat(BuiltinObserver.LINKERD.requestCountQuery(RELEASE)).isEqualTo(
        "sum( increase( response_total{ namespace=\"default\", deployment=~\"podinfo\", direction=\"inbound\" }[20s] ) )");
    assertThat(BuiltinObserver.TRAEFIK.requestCountQuery(RELEASE)).isEqualTo(
        "sum( increase( traefik_service_request_duration_seconds_bucket{ "
            + "service=~\"default-podinfo-canary-[0-9a-zA-Z-]+@kubernetescrd\", le=\"+Inf\" }[20s] ) )");
    assertThat(BuiltinObserver.SKIPPER.requestCountQuery(
        new QueryModel("", "skipper", "", "backend", "skipper-ingress", null, "1m", null))).isEqualTo(
        "sum(increase(skipper_response_duration_seconds_bucket{"
            + "route=~\"kube(ew)?_skipper__skipper_ingress_canary__.*__backend_canary(_[0-9]+)?\",le=\"+Inf\"}[1m]))");
    assertThat(BuiltinObserver.KNATIVE.requestCountQuery(RELEASE.withRoute("podinfo-00001")))
        .as("the / inside a label value is not the ratio's")
        .isEqualTo("sum( increase( envoy_cluster_upstream_rq{ envoy_cluster_name=~\"default/podinfo-00001\", }[20s] ) )");
  }

  @Test
  void comparisonWithThePrimaryIsOfferedWhereTheQueriesSelectTheWorkloadByTarget() {
    assertThat(java.util.Arrays.stream(BuiltinObserver.values()).filter(BuiltinObserver::comparesWithPrimary))
        .containsExactlyInAnyOrder(BuiltinObserver.ISTIO, BuiltinObserver.LINKERD, BuiltinObserver.APPMESH,
            BuiltinObserver.HTTP, BuiltinObserver.OSM);
    QueryModel primary = RELEASE.forPrimary();
    assertThat(BuiltinObserver.HTTP.query(BuiltinMetric.REQUEST_DURATION, primary))
        .contains("kubernetes_pod_name=~\"podinfo-primary-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\" }[20s]");
  }

  @Test
  void podPatternsFallBackToFlaggersWhenTheHashIsUnknownOrCut() {
    assertThat(QueryModel.revisionPods("podinfo", null)).isEqualTo("podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)");
    assertThat(QueryModel.revisionPods("a".repeat(50), "7d9f6c5b8")).as("Kubernetes cuts names at 58 characters")
        .isEqualTo("a".repeat(50) + "-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)");
    assertThat(QueryModel.revisionPods("podinfo", "7d9f6c5b8")).isEqualTo("podinfo-7d9f6c5b8-[0-9a-zA-Z]+");
  }
}
