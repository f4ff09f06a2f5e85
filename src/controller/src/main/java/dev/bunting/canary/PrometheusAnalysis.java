package dev.bunting.canary;

import dev.bunting.analysis.BuiltinMetric;
import dev.bunting.analysis.BuiltinQueries;
import dev.bunting.analysis.MetricCheck;
import dev.bunting.analysis.MetricJudge;
import dev.bunting.analysis.MetricValue;
import dev.bunting.analysis.MetricVerdict;
import dev.bunting.analysis.PrometheusEndpoint;
import dev.bunting.analysis.PrometheusProvider;
import dev.bunting.analysis.QueryModel;
import dev.bunting.analysis.QueryTemplate;
import dev.bunting.analysis.ThresholdRange;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryMetric;
import dev.bunting.api.CanarySpec;
import dev.bunting.api.MetricTemplate;
import dev.bunting.kube.KnativeServing;
import dev.bunting.metrics.ControllerMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Evaluates {@code analysis.metrics} in order against Prometheus: builtin metrics with Flagger's query for the canary's
 * provider, MetricTemplates (from the cache, with their Secret from the cache) and deprecated inline queries. The
 * first failing metric ends the analysis with its message, as in Flagger. One {@link PrometheusProvider} per endpoint
 * and one compiled template per query text are kept.
 */
public final class PrometheusAnalysis implements MetricAnalysis, AutoCloseable {
  private final Vertx vertx;
  private final CanaryCaches caches;
  private final Optional<String> metricsServer;
  private final String meshProvider;
  private final Map<PrometheusEndpoint, PrometheusProvider> providers = new ConcurrentHashMap<>();
  private final Map<String, QueryTemplate> templates = new ConcurrentHashMap<>();
  private final ControllerMetrics observed;

  /**
   * @param meshProvider the controller's default provider ({@code --mesh-provider}): when it is a Linkerd mesh, the
   *     builtin metrics use Linkerd's queries whatever the Canary's provider, as in Flagger
   */
  public PrometheusAnalysis(Vertx vertx, CanaryCaches caches, Optional<String> metricsServer, String meshProvider) {
    this(vertx, caches, metricsServer, meshProvider, null);
  }

  /** As above; each query's duration and failures go to {@code observed} (null: nowhere). */
  public PrometheusAnalysis(Vertx vertx, CanaryCaches caches, Optional<String> metricsServer, String meshProvider,
      ControllerMetrics observed) {
    this.observed = observed;
    this.vertx = vertx;
    this.caches = caches;
    this.metricsServer = metricsServer;
    this.meshProvider = meshProvider;
  }

  @Override
  public Future<CheckResult> analyse(CanarySnapshot s) {
    List<CanaryMetric> metrics = s.canary().getSpec().effectiveAnalysis().metrics;
    if (metrics == null || metrics.isEmpty()) {
      return Future.succeededFuture(CheckResult.PASSED);
    }
    return next(s, metrics, 0, new ArrayList<>());
  }

  private Future<CheckResult> next(CanarySnapshot s, List<CanaryMetric> metrics, int i,
      List<CheckResult.MetricReading> readings) {
    if (i >= metrics.size()) {
      return Future.succeededFuture(new CheckResult(true, "", List.copyOf(readings)));
    }
    CanaryMetric metric = metrics.get(i);
    return evaluate(s, metric).compose(verdict -> {
      readings.add(reading(metric, verdict));
      if (!verdict.passed()) {
        return Future.succeededFuture(new CheckResult(false, verdict.message(), List.copyOf(readings)));
      }
      return next(s, metrics, i + 1, readings);
    });
  }

  private Future<MetricVerdict> evaluate(CanarySnapshot s, CanaryMetric metric) {
    Canary canary = s.canary();
    CanarySpec spec = canary.getSpec();
    QueryModel model = model(canary, metric);
    MetricCheck.Kind kind = metric.templateRef != null || metric.query != null ? MetricCheck.Kind.CUSTOM
        : MetricCheck.Kind.forMetricName(metric.name);
    ThresholdRange range = metric.thresholdRange == null ? null
        : new ThresholdRange(metric.thresholdRange.min, metric.thresholdRange.max);
    double threshold = metric.threshold == null ? 0 : metric.threshold;
    Future<MetricValue> value;
    String providerLabel;
    try {
      if (metric.templateRef != null) {
        String ns = metric.templateRef.namespaceOr(canary.getMetadata().getNamespace());
        MetricTemplate t = caches.metricTemplates().get(ns, metric.templateRef.name).orElseThrow(
            () -> new IllegalStateException("MetricTemplate " + ns + "/" + metric.templateRef.name + " not found"));
        providerLabel = t.getSpec().provider == null || t.getSpec().provider.type == null ? "prometheus"
            : t.getSpec().provider.type;
        value = provider(templateEndpoint(t, spec)).query(compile(t.getSpec().query), model);
      } else if (metric.query != null && !metric.query.isEmpty()) {
        providerLabel = "prometheus";
        value = provider(PrometheusEndpoint.of(server(spec))).query(compile(metric.query), model);
      } else {
        providerLabel = BuiltinQueries.effectiveProvider(spec.provider, meshProvider);
        BuiltinMetric builtin = BuiltinMetric.byName(metric.name).orElseThrow(
            () -> new IllegalStateException("metric " + metric.name + " has neither a query nor a templateRef"));
        value = BuiltinQueries.observerFor(providerLabel).measure(builtin, model,
            provider(PrometheusEndpoint.of(server(spec))));
      }
    } catch (RuntimeException e) {
      if (observed != null) {
        observed.metricFailed(s.targetName(), s.namespace(), metric.name, "error");
      }
      return Future.succeededFuture(new MetricVerdict(metric.name, MetricVerdict.Outcome.ERROR, null,
          "Metric query failed for " + metric.name + ": " + e.getMessage()));
    }
    MetricCheck check = new MetricCheck(metric.name, kind, range, threshold, providerLabel,
        canary.getMetadata().getName(), canary.getMetadata().getNamespace(), s.targetName());
    long began = System.nanoTime();
    return value.map(v -> {
      observe(s, metric.name, check.provider(), v, Duration.ofNanos(System.nanoTime() - began));
      return MetricJudge.judge(check, v);
    });
  }

  private void observe(CanarySnapshot s, String metric, String provider, MetricValue v, Duration took) {
    if (observed != null) {
      String reason = v instanceof MetricValue.Failed ? "error" : v instanceof MetricValue.NoValues ? "no_data" : null;
      observed.metricQueried(s.targetName(), s.namespace(), metric, provider, reason, took);
    }
  }

  private static CheckResult.MetricReading reading(CanaryMetric metric, MetricVerdict v) {
    MetricCheck.Kind kind = metric.templateRef != null || metric.query != null ? MetricCheck.Kind.CUSTOM
        : MetricCheck.Kind.forMetricName(metric.name);
    String unit = switch (kind) {
      case SUCCESS_RATE -> "%";
      case DURATION -> "ms";
      default -> "";
    };
    return new CheckResult.MetricReading(metric.name, v.value().orElse(Double.NaN), unit, v.passed(), v.message());
  }

  private QueryModel model(Canary canary, CanaryMetric metric) {
    CanarySpec spec = canary.getSpec();
    QueryModel m = QueryModel.of(canary.getMetadata().getName(), canary.getMetadata().getNamespace(),
        spec.targetRef.name).withService(spec.serviceName()).withInterval(metric.intervalOrDefault());
    if (spec.ingressRef != null && spec.ingressRef.name != null) {
      m = m.withIngress(spec.ingressRef.name);
    }
    if (spec.routeRef != null && spec.routeRef.name != null) {
      m = m.withRoute(spec.routeRef.name);
    }
    if (KnativeServing.isService(spec.targetRef.apiVersion, spec.targetRef.kind)) {
      // Flagger: {{ route }} of a Knative canary is the latest created revision (the canary)
      String ns = canary.getMetadata().getNamespace();
      Optional<String> latest = caches.routes(KnativeServing.SERVICES).flatMap(c -> c.get(ns, spec.targetRef.name))
          .flatMap(KnativeServing::latestCreatedRevision);
      if (latest.isPresent()) {
        m = m.withRoute(latest.get());
      }
    }
    if (metric.templateVariables != null) {
      m = m.withVariables(metric.templateVariables);
    }
    return m;
  }

  private PrometheusEndpoint templateEndpoint(MetricTemplate t, CanarySpec spec) {
    MetricTemplate.Provider p = t.getSpec().provider;
    String address = p == null || p.address == null || p.address.isEmpty() ? server(spec) : p.address;
    PrometheusEndpoint e = PrometheusEndpoint.of(address);
    if (p != null && p.headers != null) {
      e = e.withHeaders(p.headers);
    }
    if (p != null && Boolean.TRUE.equals(p.insecureSkipVerify)) {
      e = e.withInsecureSkipVerify(true);
    }
    if (p != null && p.secretRef != null && p.secretRef.name != null) {
      String ns = t.getMetadata().getNamespace();
      var secret = caches.secrets().get(ns, p.secretRef.name).orElseThrow(
          () -> new IllegalStateException("Secret " + ns + "/" + p.secretRef.name + " not found"));
      e = e.withSecret(CanaryNotifications.decode(secret));
    }
    return e;
  }

  private String server(CanarySpec spec) {
    if (spec.metricsServer != null && !spec.metricsServer.isEmpty()) {
      return spec.metricsServer;
    }
    return metricsServer.orElseThrow(() -> new IllegalStateException(
        "no Prometheus configured: set spec.metricsServer or start Bunting with --metrics-server"));
  }

  private PrometheusProvider provider(PrometheusEndpoint endpoint) {
    return providers.computeIfAbsent(endpoint, e -> new PrometheusProvider(vertx, e));
  }

  private QueryTemplate compile(String query) {
    return templates.computeIfAbsent(query, QueryTemplate::compile);
  }

  @Override
  public void close() {
    providers.values().forEach(PrometheusProvider::close);
    providers.clear();
  }
}
