package dev.bunting.analysis;

import java.util.List;

/**
 * The expected query strings of Flagger's observer tests ({@code pkg/metrics/observers/*_test.go} in
 * fluxcd/flagger), copied verbatim, with the model each test uses. These are the strings Flagger's Prometheus
 * provider sends: whitespace runs collapsed to one space, the leading space kept.
 *
 * <p>Sources (file at commit): istio_test.go, linkerd_test.go, contour_test.go, appmesh_test.go at 1535f7a;
 * http_test.go at a616199; gloo_test.go at 3ad55c9; kuma_test.go at 90054b3; knative_test.go at f1c8807;
 * traefik_test.go at c812dcf; osm_test.go at 11375b6; apisix_test.go at 2dd48c6; skipper_test.go at
 * cd75c5f; nginx_test.go at 01d4780 with its duration query updated for fluxcd/flagger#1686 (Flagger 1.38,
 * "Fix Nginx request-duration query": {@code response_duration_seconds} replaced
 * {@code ingress_upstream_latency_seconds}), the one change the stored test file predates.
 */
final class FlaggerGoldenQueries {

  /** One observer test: the model it renders with and the two expected queries. */
  record Golden(BuiltinObserver observer, QueryModel model, String successRate, String duration) {}

  private static final QueryModel PODINFO = QueryModel.of("podinfo", "default", "podinfo")
      .withService("podinfo").withInterval("1m");

  static final List<Golden> ALL = List.of(
      new Golden(BuiltinObserver.ISTIO, PODINFO,
          " sum( rate( istio_requests_total{ reporter=\"destination\", destination_workload_namespace=\"default\", destination_workload=~\"podinfo\", response_code!~\"5.*\" }[1m] ) ) / sum( rate( istio_requests_total{ reporter=\"destination\", destination_workload_namespace=\"default\", destination_workload=~\"podinfo\" }[1m] ) ) * 100",
          " histogram_quantile( 0.99, sum( rate( istio_request_duration_milliseconds_bucket{ reporter=\"destination\", destination_workload_namespace=\"default\", destination_workload=~\"podinfo\" }[1m] ) ) by (le) )"),
      new Golden(BuiltinObserver.LINKERD, PODINFO,
          " sum( rate( response_total{ namespace=\"default\", deployment=~\"podinfo\", classification!=\"failure\", direction=\"inbound\" }[1m] ) ) / sum( rate( response_total{ namespace=\"default\", deployment=~\"podinfo\", direction=\"inbound\" }[1m] ) ) * 100",
          " histogram_quantile( 0.99, sum( rate( response_latency_ms_bucket{ namespace=\"default\", deployment=~\"podinfo\", direction=\"inbound\" }[1m] ) ) by (le) )"),
      new Golden(BuiltinObserver.NGINX,
          QueryModel.of("podinfo", "nginx", "podinfo").withIngress("podinfo").withInterval("1m"),
          " sum( rate( nginx_ingress_controller_requests{ namespace=\"nginx\", ingress=\"podinfo\", canary!=\"\", status!~\"5.*\" }[1m] ) ) / sum( rate( nginx_ingress_controller_requests{ namespace=\"nginx\", ingress=\"podinfo\", canary!=\"\" }[1m] ) ) * 100",
          " sum( rate( nginx_ingress_controller_response_duration_seconds_sum{ namespace=\"nginx\", ingress=\"podinfo\", canary!=\"\" }[1m] ) ) / sum( rate( nginx_ingress_controller_response_duration_seconds_count{ namespace=\"nginx\", ingress=\"podinfo\", canary!=\"\" }[1m] ) ) * 1000"),
      new Golden(BuiltinObserver.CONTOUR, PODINFO,
          " sum( rate( envoy_cluster_upstream_rq{ envoy_cluster_name=~\"default_podinfo-canary_[0-9a-zA-Z-]+\", envoy_response_code!~\"5.*\" }[1m] ) ) / sum( rate( envoy_cluster_upstream_rq{ envoy_cluster_name=~\"default_podinfo-canary_[0-9a-zA-Z-]+\", }[1m] ) ) * 100",
          " histogram_quantile( 0.99, sum( rate( envoy_cluster_upstream_rq_time_bucket{ envoy_cluster_name=~\"default_podinfo-canary_[0-9a-zA-Z-]+\", }[1m] ) ) by (le) )"),
      new Golden(BuiltinObserver.GLOO, PODINFO,
          " sum( rate( envoy_cluster_upstream_rq{ envoy_cluster_name=~\"default-podinfo-canaryupstream-[0-9a-zA-Z-]+_[0-9a-zA-Z-]+\", envoy_response_code!~\"5.*\" }[1m] ) ) / sum( rate( envoy_cluster_upstream_rq{ envoy_cluster_name=~\"default-podinfo-canaryupstream-[0-9a-zA-Z-]+_[0-9a-zA-Z-]+\", }[1m] ) ) * 100",
          " histogram_quantile( 0.99, sum( rate( envoy_cluster_upstream_rq_time_bucket{ envoy_cluster_name=~\"default-podinfo-canaryupstream-[0-9a-zA-Z-]+_[0-9a-zA-Z-]+\", }[1m] ) ) by (le) )"),
      new Golden(BuiltinObserver.KUMA, PODINFO,
          " sum( rate( envoy_cluster_upstream_rq{ service=~\"podinfo-canary_default_svc_[0-9a-zA-Z-]+\", envoy_response_code!~\"5.*\" }[1m] ) ) / sum( rate( envoy_cluster_upstream_rq{ service=~\"podinfo-canary_default_svc_[0-9a-zA-Z-]+\", }[1m] ) ) * 100",
          " histogram_quantile( 0.99, sum( rate( envoy_cluster_upstream_rq_time_bucket{ service=~\"podinfo-canary_default_svc_[0-9a-zA-Z-]+\", }[1m] ) ) by (le) )"),
      new Golden(BuiltinObserver.APPMESH, PODINFO,
          " sum( rate( envoy_cluster_upstream_rq{ kubernetes_namespace=\"default\", kubernetes_pod_name=~\"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\", envoy_response_code!~\"5.*\" }[1m] ) ) / sum( rate( envoy_cluster_upstream_rq{ kubernetes_namespace=\"default\", kubernetes_pod_name=~\"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\" }[1m] ) ) * 100",
          " histogram_quantile( 0.99, sum( rate( envoy_cluster_upstream_rq_time_bucket{ kubernetes_namespace=\"default\", kubernetes_pod_name=~\"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\" }[1m] ) ) by (le) )"),
      new Golden(BuiltinObserver.KNATIVE, PODINFO.withRoute("podinfo-00001"),
          " sum( rate( envoy_cluster_upstream_rq{ envoy_cluster_name=~\"default/podinfo-00001\", envoy_response_code!~\"5.*\" }[1m] ) ) / sum( rate( envoy_cluster_upstream_rq{ envoy_cluster_name=~\"default/podinfo-00001\", }[1m] ) ) * 100",
          " histogram_quantile( 0.99, sum( rate( envoy_cluster_upstream_rq_time_bucket{ envoy_cluster_name=~\"default/podinfo-00001\", }[1m] ) ) by (le) )"),
      new Golden(BuiltinObserver.TRAEFIK, PODINFO,
          " sum( rate( traefik_service_request_duration_seconds_bucket{ service=~\"default-podinfo-canary-[0-9a-zA-Z-]+@kubernetescrd\", code!~\"5..\", le=\"+Inf\" }[1m] ) ) / sum( rate( traefik_service_request_duration_seconds_bucket{ service=~\"default-podinfo-canary-[0-9a-zA-Z-]+@kubernetescrd\", le=\"+Inf\" }[1m] ) ) * 100",
          " histogram_quantile( 0.99, sum( rate( traefik_service_request_duration_seconds_bucket{ service=~\"default-podinfo-canary-[0-9a-zA-Z-]+@kubernetescrd\" }[1m] ) ) by (le) ) * 1000"),
      new Golden(BuiltinObserver.HTTP, PODINFO,
          " sum( rate( http_request_duration_seconds_count{ kubernetes_namespace=\"default\", kubernetes_pod_name=~\"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\", status!~\"5.*\" }[1m] ) ) / sum( rate( http_request_duration_seconds_count{ kubernetes_namespace=\"default\", kubernetes_pod_name=~\"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\" }[1m] ) ) * 100",
          " histogram_quantile( 0.99, sum( rate( http_request_duration_seconds_bucket{ kubernetes_namespace=\"default\", kubernetes_pod_name=~\"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\" }[1m] ) ) by (le) )"),
      new Golden(BuiltinObserver.OSM, PODINFO,
          " sum( rate( osm_request_total{ destination_namespace=\"default\", destination_kind=\"Deployment\", destination_name=\"podinfo\", response_code!~\"5.*\" }[1m] ) ) / sum( rate( osm_request_total{ destination_namespace=\"default\", destination_kind=\"Deployment\", destination_name=\"podinfo\" }[1m] ) ) * 100",
          " histogram_quantile( 0.99, sum( rate( osm_request_duration_ms_bucket{ destination_namespace=\"default\", destination_kind=\"Deployment\", destination_name=\"podinfo\" }[1m] ) ) by (le) )"),
      new Golden(BuiltinObserver.APISIX, PODINFO.withRoute("podinfo"),
          " sum( rate( apisix_http_status{ route=~\"default_podinfo-podinfo-canary_.+\", code!~\"5..\" }[1m] ) ) / sum( rate( apisix_http_status{ route=~\"default_podinfo-podinfo-canary_.+\" }[1m] ) ) * 100",
          " histogram_quantile( 0.99, sum( rate( apisix_http_latency_bucket{ type=~\"request\", route=~\"default_podinfo-podinfo-canary_.+\" }[1m] ) ) by (le) )"),
      new Golden(BuiltinObserver.SKIPPER,
          new QueryModel("", "skipper", "", "backend", "skipper-ingress", null, "1m", null),
          " sum(rate(skipper_response_duration_seconds_bucket{route=~\"kube(ew)?_skipper__skipper_ingress_canary__.*__backend_canary(_[0-9]+)?\",code!~\"5..\",le=\"+Inf\"}[1m])) / sum(rate(skipper_response_duration_seconds_bucket{route=~\"kube(ew)?_skipper__skipper_ingress_canary__.*__backend_canary(_[0-9]+)?\",le=\"+Inf\"}[1m])) * 100",
          " sum(rate(skipper_serve_route_duration_seconds_sum{route=~\"kube(ew)?_skipper__skipper_ingress_canary__.*__backend_canary(_[0-9]+)?\"}[1m])) / sum(rate(skipper_serve_route_duration_seconds_count{route=~\"kube(ew)?_skipper__skipper_ingress_canary__.*__backend_canary(_[0-9]+)?\"}[1m])) * 1000"));

  private FlaggerGoldenQueries() {}
}
