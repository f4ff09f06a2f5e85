package dev.bunting.canary;

import dev.bunting.analysis.AnalysisScore;
import dev.bunting.analysis.BuiltinMetric;
import dev.bunting.analysis.BuiltinQueries;
import dev.bunting.analysis.ComparisonJudge;
import dev.bunting.analysis.KeptnResources;
import dev.bunting.analysis.MetricCheck;
import dev.bunting.analysis.MetricJudge;
import dev.bunting.analysis.MetricProvider;
import dev.bunting.analysis.MetricProviders;
import dev.bunting.analysis.MetricSamples;
import dev.bunting.analysis.MetricValue;
import dev.bunting.analysis.MetricVerdict;
import dev.bunting.analysis.NoDataPolicy;
import dev.bunting.analysis.PrometheusEndpoint;
import dev.bunting.analysis.PrometheusProvider;
import dev.bunting.analysis.ProviderSettings;
import dev.bunting.analysis.QueryModel;
import dev.bunting.analysis.QueryTemplate;
import dev.bunting.analysis.QueryText;
import dev.bunting.analysis.ThresholdRange;
import dev.bunting.api.AnalysisStatus;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryAnalysis;
import dev.bunting.api.CanaryMetric;
import dev.bunting.api.CanarySpec;
import dev.bunting.api.MetricTemplate;
import dev.bunting.gotemplate.GoFormat;
import dev.bunting.gotemplate.TemplateException;
import dev.bunting.kube.KnativeServing;
import dev.bunting.metrics.ControllerMetrics;
import io.fabric8.kubernetes.api.model.Secret;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Evaluates {@code analysis.metrics} in order against Prometheus: builtin metrics with Flagger's query for the canary's
 * provider, MetricTemplates and deprecated inline queries; each with the threshold judge ({@link MetricJudge}, Flagger's
 * semantics and messages) or, with {@code compare: primary}, the comparison judge ({@link ComparisonJudge}) over
 * samples of the canary and the primary; with the no-data rules ({@code minRequests}, {@code minSamples},
 * {@code noData}); and, with {@code analysis.score}, a score instead of "every metric passes" (docs/analysis.md).
 *
 * <p>Every metric is evaluated (not only up to the first failure, as Flagger does), so {@code status.analysis} shows
 * them all; the failed check's message is the first failing metric's, Flagger's text for threshold metrics. A query
 * that fails is an error, never "no data": a Prometheus outage holds or fails a canary, never promotes it.
 *
 * <p>Windows: the analysis of a release starts at {@code status.analysis.startedAt}. Templates see it as
 * {@code {{ analysisStart }}}, {@code {{ window }}} (the interval clipped to it) and {@code {{ pods }}} (this
 * revision's pods). Builtin queries render Flagger's text unless {@code analysis.window: release}.
 *
 * <p>One {@link PrometheusProvider} per endpoint and one compiled template per query text are kept. Nothing blocks.
 */
public final class PrometheusAnalysis implements MetricAnalysis, AutoCloseable {
  /** At most this many steps of samples per side (Prometheus allows 11,000 points per series). */
  static final int MAX_SAMPLE_STEPS = 500;

  /** Where the analysis reads what is not in the Canary: MetricTemplates, their Secrets, and the revision's pods. */
  public interface Sources {
    Optional<MetricTemplate> template(String namespace, String name);

    Optional<Secret> secret(String namespace, String name);

    /** The {@code pod-template-hash} of the target's current revision, when it can be known. */
    Future<Optional<String>> podTemplateHash(CanarySnapshot snapshot);

    /** A Knative Service's latest created revision (Flagger's {@code {{ route }}} of a Knative canary), if known. */
    default Optional<String> latestCreatedRevision(String namespace, String service) {
      return Optional.empty();
    }

    /** Keptn's resources in the cluster, for {@code type: keptn} templates; null where there is no cluster. */
    default KeptnResources keptn() {
      return null;
    }
  }

  private final Vertx vertx;
  private final Sources sources;
  private final Optional<String> metricsServer;
  private final String meshProvider;
  private final boolean atSnapshotTime;
  private final MetricProviders providers;
  private final Map<String, QueryTemplate> templates = new ConcurrentHashMap<>();
  private final ControllerMetrics observed;

  /**
   * @param meshProvider the controller's default provider ({@code --mesh-provider}): when it is a Linkerd mesh, the
   *     builtin metrics use Linkerd's queries whatever the Canary's provider, as in Flagger
   */
  public PrometheusAnalysis(Vertx vertx, CanaryCaches caches, RevisionPods pods, Optional<String> metricsServer,
      String meshProvider) {
    this(vertx, caches, pods, metricsServer, meshProvider, null);
  }

  /** As above; each query's duration and failures go to {@code observed} (null: nowhere). */
  public PrometheusAnalysis(Vertx vertx, CanaryCaches caches, RevisionPods pods, Optional<String> metricsServer,
      String meshProvider, ControllerMetrics observed) {
    this(vertx, caches, pods, metricsServer, meshProvider, observed, null);
  }

  /** As above; {@code keptn} answers {@code type: keptn} templates (null: they are an error). */
  public PrometheusAnalysis(Vertx vertx, CanaryCaches caches, RevisionPods pods, Optional<String> metricsServer,
      String meshProvider, ControllerMetrics observed, KeptnResources keptn) {
    this(vertx, new Sources() {
      @Override
      public Optional<MetricTemplate> template(String namespace, String name) {
        return caches.metricTemplates().get(namespace, name);
      }

      @Override
      public Optional<Secret> secret(String namespace, String name) {
        return caches.secrets().get(namespace, name);
      }

      @Override
      public Future<Optional<String>> podTemplateHash(CanarySnapshot s) {
        return pods == null ? Future.succeededFuture(Optional.empty()) : pods.hashOf(s.namespace(), s.targetName());
      }

      @Override
      public Optional<String> latestCreatedRevision(String namespace, String service) {
        return caches.routes(KnativeServing.SERVICES).flatMap(c -> c.get(namespace, service))
            .flatMap(KnativeServing::latestCreatedRevision);
      }

      @Override
      public KeptnResources keptn() {
        return keptn;
      }
    }, metricsServer, meshProvider, false, observed);
  }

  /**
   * @param atSnapshotTime evaluate every query at the snapshot's time (a {@code time} parameter: backtests); otherwise
   *     instant queries carry no {@code time}, as Flagger's, and range queries end at the snapshot's time
   */
  public PrometheusAnalysis(Vertx vertx, Sources sources, Optional<String> metricsServer, String meshProvider,
      boolean atSnapshotTime) {
    this(vertx, sources, metricsServer, meshProvider, atSnapshotTime, null);
  }

  private PrometheusAnalysis(Vertx vertx, Sources sources, Optional<String> metricsServer, String meshProvider,
      boolean atSnapshotTime, ControllerMetrics observed) {
    this.observed = observed;
    this.vertx = vertx;
    this.sources = sources;
    this.metricsServer = metricsServer;
    this.meshProvider = meshProvider;
    this.atSnapshotTime = atSnapshotTime;
    this.providers = new MetricProviders(vertx, Clock.systemUTC(), System.getenv(), sources.keptn());
  }

  @Override
  public Future<CheckResult> analyse(CanarySnapshot s) {
    CanaryAnalysis analysis = s.canary().getSpec().effectiveAnalysis();
    List<CanaryMetric> metrics = analysis.metrics;
    if (metrics == null || metrics.isEmpty()) {
      return Future.succeededFuture(CheckResult.PASSED);
    }
    Future<Optional<String>> pods = needsRevisionPods(s, analysis)
        ? sources.podTemplateHash(s).otherwise(Optional.empty()) : Future.succeededFuture(Optional.empty());
    return pods.compose(hash -> {
      Tick tick = new Tick(s, hash.orElse(null));
      return next(tick, metrics, 0, new ArrayList<>()).map(judged -> conclude(s, analysis, judged));
    });
  }

  /**
   * Whether any query of this tick selects the revision's pods: builtin queries with {@code window: release}, a
   * comparison or a request count, or a template using {@code {{ pods }}}. Only then is the pod-template-hash looked up
   * (one API request per revision), so a Flagger Canary's analysis reads nothing but the caches.
   */
  private boolean needsRevisionPods(CanarySnapshot s, CanaryAnalysis analysis) {
    if (MetricSettings.WINDOW_RELEASE.equals(analysis.window)) {
      return true;
    }
    for (CanaryMetric m : analysis.metrics) {
      if (m.compare != null || (m.minRequests != null && m.minRequests > 0)) {
        return true;
      }
      String text = m.query;
      if (m.templateRef != null) {
        text = sources.template(m.templateRef.namespaceOr(s.namespace()), m.templateRef.name)
            .map(t -> t.getSpec() == null ? null : t.getSpec().query).orElse(null);
      }
      if (text != null && text.contains("pods")) {
        return true;
      }
    }
    return false;
  }

  /** What every metric of one tick shares. */
  private record Tick(CanarySnapshot s, String podTemplateHash) {
    Instant now() {
      return s.now();
    }

    /** The release's analysis start, or {@code now - interval} when the status has none (Flagger's window). */
    Instant start(Duration interval) {
      var st = s.canary().getStatus();
      if (st != null && st.analysis != null && st.analysis.startedAt != null) {
        try {
          return Instant.parse(st.analysis.startedAt);
        } catch (RuntimeException e) {
          // fall through
        }
      }
      return now().minus(interval);
    }
  }

  private Future<List<Judged>> next(Tick tick, List<CanaryMetric> metrics, int i, List<Judged> done) {
    if (i >= metrics.size()) {
      return Future.succeededFuture(done);
    }
    return evaluate(tick, metrics.get(i)).compose(j -> {
      done.add(j);
      return next(tick, metrics, i + 1, done);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // one metric

  /** How one metric ended this tick. */
  enum Result {
    PASSED("Passed"), FAILED("Failed"), NO_DATA("NoData"), WAITING("Waiting"), SKIPPED("Skipped"), ERROR("Error");

    final String wire;

    Result(String wire) {
      this.wire = wire;
    }

    /** Counts as a failed check without a score. */
    boolean fails() {
      return this == FAILED || this == NO_DATA || this == ERROR;
    }
  }

  /** One metric's judgement: its {@code status.analysis} entry, its reading, and its Event text when it did not pass. */
  record Judged(String name, String group, Result result, AnalysisStatus.Metric record,
      CheckResult.MetricReading reading, String failure) {}

  private Future<Judged> evaluate(Tick tick, CanaryMetric metric) {
    Canary canary = tick.s().canary();
    CanarySpec spec = canary.getSpec();
    String provider = BuiltinQueries.effectiveProvider(spec.provider, meshProvider);
    MetricSettings settings;
    Query query;
    QueryModel base = model(canary, metric);
    try {
      settings = MetricSettings.of(metric, provider);
      query = query(tick, settings, spec, provider);
    } catch (RuntimeException e) {
      if (observed != null) {
        observed.metricFailed(tick.s().targetName(), tick.s().namespace(), metric.name, "error");
      }
      return Future.succeededFuture(error(metric.name, metric.group, null,
          "Metric query failed for " + metric.name + ": " + e.getMessage()));
    }
    Instant start = tick.start(settings.interval());
    Duration since = Duration.between(start, tick.now());
    String sinceStart = Math.max(1, ceilSeconds(since)) + "s";
    String clipped = since.compareTo(settings.interval()) >= 0 ? metric.intervalOrDefault() : sinceStart;
    QueryModel release = base.withRelease(start.getEpochSecond(), clipped,
        QueryModel.revisionPods(base.target(), tick.podTemplateHash()));
    boolean scoped = MetricSettings.WINDOW_RELEASE.equals(spec.effectiveAnalysis().window);
    // requests of this revision's canary: over the metric's (clipped) window, or for samples since the analysis start
    QueryModel counted = settings.compares() ? release.withWindow(sinceStart) : release;
    Future<Optional<Double>> requests = settings.minRequests() <= 0 ? Future.succeededFuture(Optional.empty())
        : countRequests(tick, spec, provider, counted);
    if (settings.compares()) {
      return requests.compose(r -> compare(tick, settings, query, release, start, r));
    }
    QueryModel model = query.custom() || scoped ? release : base.withRelease(start.getEpochSecond(),
        metric.intervalOrDefault(), QueryModel.flaggerPods(base.target()));
    String window = model.window();
    Instant at = atSnapshotTime ? tick.now() : null;
    return requests.compose(r -> timed(tick, metric.name, query.label(), query.value(model, at),
            v -> v instanceof MetricValue.Failed ? "error" : v instanceof MetricValue.NoValues ? "no_data" : null)
        .map(v -> threshold(tick, settings, query.label(), query.safeText(model), window, v, r, release.window())));
  }

  /** The threshold judge: Flagger's verdict, then the no-data rules. */
  private Judged threshold(Tick tick, MetricSettings m, String label, String text, String window, MetricValue value,
      Optional<Double> requests, String countWindow) {
    CanarySnapshot s = tick.s();
    MetricCheck check = new MetricCheck(m.metric().name, m.kind(), m.range(),
        m.metric().threshold == null ? 0 : m.metric().threshold, label, s.name(), s.namespace(), s.targetName());
    MetricVerdict verdict = MetricJudge.judge(check, value);
    AnalysisStatus.Metric r = record(m.metric().name, text, window);
    r.range = describe(m.range(), m.metric().threshold, m.kind());
    verdict.value().ifPresent(v -> r.value = v);
    requests.ifPresent(n -> r.requests = n);
    String unit = switch (m.kind()) {
      case SUCCESS_RATE -> "%";
      case DURATION -> "ms";
      default -> "";
    };
    CheckResult.MetricReading reading = new CheckResult.MetricReading(m.metric().name,
        verdict.value().orElse(Double.NaN), unit, verdict.passed(), verdict.message());
    if (verdict.outcome() == MetricVerdict.Outcome.ERROR) {
      return judged(m, Result.ERROR, r, reading, verdict.message(), verdict.message());
    }
    Optional<String> tooLittle = tooFewRequests(m, requests, "in " + countWindow);
    if (verdict.outcome() == MetricVerdict.Outcome.NO_VALUES || tooLittle.isPresent()) {
      String why = tooLittle.orElse("no values (probably " + s.targetName() + "." + s.namespace()
          + " is not receiving traffic)");
      String flagger = verdict.outcome() == MetricVerdict.Outcome.NO_VALUES && tooLittle.isEmpty()
          ? verdict.message() : halt(s) + m.metric().name + ": not enough data: " + why;
      return noData(m, r, reading, why, flagger);
    }
    String shown = GoFormat.floatString(verdict.value().getAsDouble()) + unit;
    return verdict.passed()
        ? judged(m, Result.PASSED, r, reading, shown + " within " + r.range + " over " + window, null)
        : judged(m, Result.FAILED, r, reading, verdict.message() + " over " + window, verdict.message());
  }

  /** The comparison judge: samples of the canary and the primary since the analysis start, one per step. */
  private Future<Judged> compare(Tick tick, MetricSettings m, Query query, QueryModel release, Instant start,
      Optional<Double> requests) {
    Duration step = m.interval();
    Instant now = tick.now();
    Instant from = start.plus(step);
    Instant earliest = now.minus(step.multipliedBy(MAX_SAMPLE_STEPS));
    if (from.isBefore(earliest)) {
      from = earliest;
    }
    QueryModel canaryModel = release.withWindow(m.metric().intervalOrDefault());
    QueryModel primaryModel = canaryModel.forPrimary();
    String window = "samples every " + m.metric().intervalOrDefault() + " since "
        + DateTimeFormatter.ISO_INSTANT.format(start.truncatedTo(ChronoUnit.SECONDS));
    AnalysisStatus.Metric r = record(m.metric().name, query.safeText(canaryModel), window);
    requests.ifPresent(n -> r.requests = n);
    if (from.isAfter(now)) {
      return Future.succeededFuture(compared(tick, m, r, MetricSamples.of(), MetricSamples.of(), requests));
    }
    Instant first = from;
    String name = m.metric().name;
    return timed(tick, name, query.label(), query.samples(canaryModel, first, now, step), PrometheusAnalysis::failure)
        .compose(canary -> timed(tick, name, query.label(), query.samples(primaryModel, first, now, step),
            PrometheusAnalysis::failure).map(primary -> compared(tick, m, r, canary, primary, requests)));
  }

  private static String failure(MetricSamples samples) {
    return samples instanceof MetricSamples.Failed ? "error" : null;
  }

  /**
   * Records a query's duration and, when {@code reason} names one ({@code error}, {@code no_data}), its failure in
   * {@code bunting_metric_provider_*}; the future's value is passed on unchanged.
   */
  private <T> Future<T> timed(Tick tick, String metric, String provider, Future<T> query,
      Function<T, String> reason) {
    if (observed == null) {
      return query;
    }
    long began = System.nanoTime();
    return query.onSuccess(v -> observed.metricQueried(tick.s().targetName(), tick.s().namespace(), metric, provider,
        reason.apply(v), Duration.ofNanos(System.nanoTime() - began)));
  }

  private Judged compared(Tick tick, MetricSettings m, AnalysisStatus.Metric r, MetricSamples canary,
      MetricSamples primary, Optional<Double> requests) {
    CanarySnapshot s = tick.s();
    String name = m.metric().name;
    for (MetricSamples side : List.of(canary, primary)) {
      if (side instanceof MetricSamples.Failed f) {
        String message = "Metric query failed for " + name + ": " + f.message();
        return judged(m, Result.ERROR, r, reading(name, Double.NaN, false, message), message, message);
      }
    }
    ComparisonJudge.Settings settings = m.comparison().orElseThrow();
    ComparisonJudge.Comparison c = ComparisonJudge.compare(((MetricSamples.Points) canary).values(),
        ((MetricSamples.Points) primary).values(), settings);
    r.canary = summary(c.canary());
    r.primary = summary(c.primary());
    r.comparison = c.describe();
    CheckResult.MetricReading reading = reading(name, c.canary().mean(), c.outcome().passed(), r.comparison);
    Optional<String> tooLittle = tooFewRequests(m, requests, "since the analysis start");
    if (c.outcome() == ComparisonJudge.Outcome.NO_DATA || tooLittle.isPresent()) {
      String why = tooLittle.orElse(c.describe());
      return noData(m, r, reading, why, halt(s) + name + ": not enough data: " + why);
    }
    if (c.outcome().passed()) {
      return judged(m, Result.PASSED, r, reading, "canary not worse than primary: " + c.describe(), null);
    }
    String text = name + " canary " + (c.outcome() == ComparisonJudge.Outcome.HIGH ? "higher" : "lower")
        + " than primary: " + c.describe();
    return judged(m, Result.FAILED, r, reading, text, halt(s) + text);
  }

  /** "the canary served 3 requests in 20s (minRequests 10)" when below {@code minRequests}. */
  private static Optional<String> tooFewRequests(MetricSettings m, Optional<Double> requests, String where) {
    return requests.filter(n -> n < m.minRequests()).map(n -> "the canary served " + Math.round(n) + " requests "
        + where + " (minRequests " + m.minRequests() + ")");
  }

  /** Not enough data: the metric's policy decides. */
  private static Judged noData(MetricSettings m, AnalysisStatus.Metric r, CheckResult.MetricReading reading,
      String why, String failure) {
    NoDataPolicy policy = m.noData();
    String text = "not enough data: " + why + " (noData: " + policy.wire() + ")";
    return switch (policy) {
      case FAIL -> judged(m, Result.NO_DATA, r, reading, text, failure);
      case SKIP -> judged(m, Result.SKIPPED, r, reading, text, null);
      case WAIT -> judged(m, Result.WAITING, r, reading, text, m.metric().name + ": " + text);
    };
  }

  private static Judged judged(MetricSettings m, Result result, AnalysisStatus.Metric r,
      CheckResult.MetricReading reading, String text, String failure) {
    r.result = result.wire;
    r.message = AnalysisStatus.cut(text);
    return new Judged(m.metric().name, m.group(), result, r, reading, failure);
  }

  private static Judged error(String name, String group, String query, String message) {
    AnalysisStatus.Metric r = record(name, query, null);
    r.result = Result.ERROR.wire;
    r.message = AnalysisStatus.cut(message);
    return new Judged(name, group == null || group.isBlank() ? AnalysisScore.DEFAULT_GROUP : group, Result.ERROR, r,
        reading(name, Double.NaN, false, message), message);
  }

  // ---------------------------------------------------------------------------------------------
  // the tick

  /** The tick's result from its metrics: every metric passes, or (with {@code analysis.score}) the score. */
  private static CheckResult conclude(CanarySnapshot s, CanaryAnalysis analysis, List<Judged> judged) {
    AnalysisStatus st = new AnalysisStatus();
    List<AnalysisStatus.Metric> records = judged.stream().map(Judged::record).toList();
    st.metrics = records.size() > AnalysisStatus.MAX_METRICS ? records.subList(0, AnalysisStatus.MAX_METRICS)
        : records;
    st.omitted = records.size() > AnalysisStatus.MAX_METRICS ? records.size() - AnalysisStatus.MAX_METRICS : null;
    List<CheckResult.MetricReading> readings = judged.stream().map(Judged::reading).toList();
    Optional<Judged> error = judged.stream().filter(j -> j.result() == Result.ERROR).findFirst();
    List<Judged> waiting = judged.stream().filter(j -> j.result() == Result.WAITING).toList();
    CheckResult.Outcome outcome;
    String message;
    if (analysis.score == null) {
      Optional<Judged> failed = judged.stream().filter(j -> j.result().fails()).findFirst();
      if (failed.isPresent()) {
        outcome = CheckResult.Outcome.FAILED;
        message = failed.get().failure();
      } else if (!waiting.isEmpty()) {
        outcome = CheckResult.Outcome.WAITING;
        message = waiting.stream().map(Judged::failure).collect(Collectors.joining("; "));
      } else if (judged.stream().allMatch(j -> j.result() == Result.SKIPPED)) {
        outcome = CheckResult.Outcome.FAILED;
        message = halt(s) + "no metric had data (every metric has noData: skip): "
            + judged.get(0).record().message;
      } else {
        outcome = CheckResult.Outcome.PASSED;
        message = "";
      }
    } else if (error.isPresent()) {
      outcome = CheckResult.Outcome.FAILED;
      message = error.get().failure();
    } else if (!waiting.isEmpty()) {
      outcome = CheckResult.Outcome.WAITING;
      message = waiting.stream().map(Judged::failure).collect(Collectors.joining("; "));
    } else {
      List<AnalysisScore.Entry> entries = judged.stream().map(j -> new AnalysisScore.Entry(j.group(),
          switch (j.result()) {
            case PASSED -> AnalysisScore.Kind.PASS;
            case SKIPPED -> AnalysisScore.Kind.NO_DATA;
            default -> AnalysisScore.Kind.FAIL;
          })).toList();
      double pass = analysis.score.pass == null ? AnalysisScore.DEFAULT_PASS : analysis.score.pass;
      double marginal = analysis.score.marginal == null ? AnalysisScore.DEFAULT_MARGINAL : analysis.score.marginal;
      AnalysisScore.Result score = AnalysisScore.score(entries, analysis.score.groupWeights, pass, marginal);
      st.score = score.score();
      String failing = judged.stream().filter(j -> j.result() != Result.PASSED).map(Judged::name)
          .collect(Collectors.joining(", "));
      String detail = score.describe() + (failing.isEmpty() ? "" : "; not passed: " + failing);
      switch (score.label()) {
        case PASS -> {
          outcome = CheckResult.Outcome.PASSED;
          message = "";
        }
        case MARGINAL -> {
          outcome = CheckResult.Outcome.FAILED;
          message = halt(s) + "marginal " + detail;
        }
        default -> {
          outcome = CheckResult.Outcome.ABORTED;
          message = "score below marginal: " + detail;
        }
      }
      st.message = detail;
    }
    st.result = switch (outcome) {
      case PASSED -> "Passed";
      case WAITING -> "Waiting";
      case FAILED -> analysis.score != null && error.isEmpty() ? "Marginal" : "Failed";
      case ABORTED -> "Failed";
    };
    if (st.message == null) {
      st.message = AnalysisStatus.cut(outcome == CheckResult.Outcome.PASSED ? "every metric passed" : message);
    }
    return new CheckResult(outcome, message, readings, st);
  }

  // ---------------------------------------------------------------------------------------------
  // queries

  /** A metric's query: how to render it and where to send it. */
  private interface Query {
    /** The provider name in Flagger's "no values" message. */
    String label();

    boolean custom();

    String text(QueryModel model);

    Future<MetricValue> value(QueryModel model, Instant at);

    Future<MetricSamples> samples(QueryModel model, Instant from, Instant to, Duration step);

    /** The rendered text, or the render error, for status. */
    default String safeText(QueryModel model) {
      try {
        return text(model);
      } catch (RuntimeException e) {
        return "(render error: " + e.getMessage() + ")";
      }
    }
  }

  private Query query(Tick tick, MetricSettings m, CanarySpec spec, String provider) {
    CanaryMetric metric = m.metric();
    String ns = tick.s().namespace();
    if (metric.templateRef != null) {
      String tns = metric.templateRef.namespaceOr(ns);
      MetricTemplate t = sources.template(tns, metric.templateRef.name).orElseThrow(
          () -> new IllegalStateException("MetricTemplate " + tns + "/" + metric.templateRef.name + " not found"));
      String type = t.getSpec().provider == null || t.getSpec().provider.type == null
          || t.getSpec().provider.type.isBlank() ? "prometheus" : t.getSpec().provider.type.strip();
      return templated(type, compile(t.getSpec().query), providers.create(templateSettings(t, type, spec, m)));
    }
    if (metric.query != null && !metric.query.isEmpty()) {
      return templated("prometheus", compile(metric.query), provider(PrometheusEndpoint.of(server(spec))));
    }
    BuiltinMetric builtin = m.builtin().orElseThrow();
    var observer = BuiltinQueries.observerFor(provider);
    PrometheusProvider prometheus = provider(PrometheusEndpoint.of(server(spec)));
    return new Query() {
      @Override
      public String label() {
        return provider;
      }

      @Override
      public boolean custom() {
        return false;
      }

      @Override
      public String text(QueryModel model) {
        return observer.query(builtin, model);
      }

      @Override
      public Future<MetricValue> value(QueryModel model, Instant at) {
        return render(this, model).compose(q -> prometheus.query(q, at))
            .map(v -> v.map(raw -> observer.toAnalysisValue(builtin, raw)))
            .otherwise(e -> MetricValue.failed(e.getMessage()));
      }

      @Override
      public Future<MetricSamples> samples(QueryModel model, Instant from, Instant to, Duration step) {
        return render(this, model).compose(q -> prometheus.queryRange(q, from, to, step)).map(v -> {
          if (v instanceof MetricSamples.Points p) {
            double[] out = p.values().clone();
            for (int i = 0; i < out.length; i++) {
              out[i] = observer.toAnalysisValue(builtin, out[i]);
            }
            return new MetricSamples.Points(out);
          }
          return v;
        }).otherwise(e -> new MetricSamples.Failed(e.getMessage()));
      }
    };
  }

  private static Query templated(String type, QueryTemplate template, MetricProvider provider) {
    return new Query() {
      @Override
      public String label() {
        return type;
      }

      @Override
      public boolean custom() {
        return true;
      }

      @Override
      public String text(QueryModel model) {
        return template.render(model);
      }

      @Override
      public Future<MetricValue> value(QueryModel model, Instant at) {
        return render(this, model).compose(q -> provider.query(q, at))
            .otherwise(e -> MetricValue.failed(e.getMessage()));
      }

      @Override
      public Future<MetricSamples> samples(QueryModel model, Instant from, Instant to, Duration step) {
        if (!(provider instanceof PrometheusProvider prometheus)) {
          return Future.succeededFuture(new MetricSamples.Failed("compare: primary needs range queries, which only "
              + "prometheus templates have; this template's provider is " + type));
        }
        return render(this, model).compose(q -> prometheus.queryRange(q, from, to, step))
            .otherwise(e -> new MetricSamples.Failed(e.getMessage()));
      }
    };
  }

  /** Renders a query; a render error fails the future's value, not the future (it becomes an error metric). */
  private static Future<String> render(Query q, QueryModel model) {
    try {
      return Future.succeededFuture(q.text(model));
    } catch (TemplateException e) {
      return Future.failedFuture(new IllegalArgumentException("query render error: " + e.getMessage()));
    } catch (RuntimeException e) {
      return Future.failedFuture(new IllegalArgumentException("rendering query failed: " + e.getMessage()));
    }
  }

  /** The canary's requests over the release's window, with the provider's builtin request counter. */
  private Future<Optional<Double>> countRequests(Tick tick, CanarySpec spec, String provider, QueryModel release) {
    var observer = BuiltinQueries.find(provider);
    if (observer.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    PrometheusProvider prometheus;
    try {
      prometheus = provider(PrometheusEndpoint.of(server(spec)));
    } catch (RuntimeException e) {
      return Future.succeededFuture(Optional.empty());
    }
    String query;
    try {
      query = observer.get().requestCountQuery(release);
    } catch (RuntimeException e) {
      return Future.succeededFuture(Optional.empty());
    }
    return prometheus.query(query, atSnapshotTime ? tick.now() : null).map(v -> v instanceof MetricValue.Value n
        ? Optional.of(n.value()) : v instanceof MetricValue.NoValues ? Optional.of(0.0) : Optional.empty());
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
      Optional<String> latest = sources.latestCreatedRevision(canary.getMetadata().getNamespace(), spec.targetRef.name);
      if (latest.isPresent()) {
        m = m.withRoute(latest.get());
      }
    }
    if (metric.templateVariables != null) {
      m = m.withVariables(metric.templateVariables);
    }
    return m;
  }

  /** A template's {@code spec.provider} with its Secret read (from the template's namespace, as in Flagger). */
  private ProviderSettings templateSettings(MetricTemplate t, String type, CanarySpec spec, MetricSettings m) {
    MetricTemplate.Provider p = t.getSpec().provider;
    String address = p == null ? null : p.address;
    if (type.equals("prometheus") && (address == null || address.isEmpty())) {
      address = server(spec);
    }
    Map<String, String> secret = null;
    if (p != null && p.secretRef != null && p.secretRef.name != null) {
      String ns = t.getMetadata().getNamespace();
      var found = sources.secret(ns, p.secretRef.name).orElseThrow(
          () -> new IllegalStateException("Secret " + ns + "/" + p.secretRef.name + " not found"));
      secret = CanaryNotifications.decode(found);
    }
    return new ProviderSettings(type, address, p == null ? null : p.headers, secret, p == null ? null : p.region,
        p != null && Boolean.TRUE.equals(p.insecureSkipVerify), m.interval());
  }

  private String server(CanarySpec spec) {
    if (spec.metricsServer != null && !spec.metricsServer.isEmpty()) {
      return spec.metricsServer;
    }
    return metricsServer.orElseThrow(() -> new IllegalStateException(
        "no Prometheus configured: set spec.metricsServer or start Bunting with --metrics-server"));
  }

  private PrometheusProvider provider(PrometheusEndpoint endpoint) {
    return providers.prometheus(endpoint);
  }

  private QueryTemplate compile(String query) {
    return templates.computeIfAbsent(query, QueryTemplate::compile);
  }

  // ---------------------------------------------------------------------------------------------
  // texts

  private static AnalysisStatus.Metric record(String name, String query, String window) {
    AnalysisStatus.Metric r = new AnalysisStatus.Metric();
    r.name = name;
    r.query = AnalysisStatus.cut(query == null ? null : QueryText.normalize(query));
    r.window = window;
    return r;
  }

  private static CheckResult.MetricReading reading(String name, double value, boolean passed, String detail) {
    return new CheckResult.MetricReading(name, value, "", passed, detail);
  }

  private static AnalysisStatus.Samples summary(ComparisonJudge.Summary s) {
    return s.count() == 0 ? new AnalysisStatus.Samples(0, 0, 0) : new AnalysisStatus.Samples(s.count(),
        round(s.median()), round(s.mean()));
  }

  private static double round(double v) {
    return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : 0;
  }

  /** {@code >= 99}, {@code <= 500}, {@code 1 .. 5}; the deprecated threshold as Flagger reads it. */
  static String describe(ThresholdRange range, Double threshold, MetricCheck.Kind kind) {
    if (range != null) {
      if (range.min() != null && range.max() != null) {
        return GoFormat.floatString(range.min()) + " .. " + GoFormat.floatString(range.max());
      }
      if (range.min() != null) {
        return ">= " + GoFormat.floatString(range.min());
      }
      return range.max() == null ? "any" : "<= " + GoFormat.floatString(range.max());
    }
    double t = threshold == null ? 0 : threshold;
    return (kind == MetricCheck.Kind.SUCCESS_RATE ? ">= " : "<= ") + GoFormat.floatString(t);
  }

  private static String halt(CanarySnapshot s) {
    return "Halt " + s.id() + " advancement ";
  }

  private static long ceilSeconds(Duration d) {
    return d.toSeconds() + (d.toNanosPart() > 0 ? 1 : 0);
  }

  @Override
  public void close() {
    providers.close();
  }
}
