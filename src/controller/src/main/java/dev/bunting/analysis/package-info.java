/**
 * Canary metric analysis, Flagger-compatible and free of Kubernetes: query templates, the builtin
 * {@code request-success-rate} / {@code request-duration} queries of every Flagger provider, the Prometheus
 * provider, and the threshold judge.
 *
 * <p>A tick of the canary engine, for one metric:
 * <pre>{@code
 * QueryModel model = QueryModel.of(canary, namespace, targetRef).withService(svc).withInterval("1m")
 *     .withVariables(templateVariables);
 * Future<MetricValue> value = switch (MetricCheck.Kind.forMetricName(metric.name)) {
 *   case SUCCESS_RATE, DURATION -> BuiltinQueries.observerFor(provider)          // e.g. "kubernetes"
 *       .measure(BuiltinMetric.byName(metric.name).orElseThrow(), model, prometheus);
 *   case CUSTOM -> templateProvider.query(QueryTemplate.compile(template.spec.query), model);
 * };
 * value.map(v -> MetricJudge.judge(new MetricCheck(metric.name, kind, range, threshold, provider,
 *     canary, namespace, targetRef), v));   // MetricVerdict: passed(), outcome(), message()
 * }</pre>
 *
 * <p>Compile templates once (when the MetricTemplate changes) and keep one {@link
 * dev.bunting.analysis.PrometheusProvider} per endpoint; both are thread-safe. Nothing here blocks.
 */
package dev.bunting.analysis;
