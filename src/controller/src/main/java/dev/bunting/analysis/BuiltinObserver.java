package dev.bunting.analysis;

import io.vertx.core.Future;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The builtin {@code request-success-rate} and {@code request-duration} queries of each Flagger metrics
 * observer, as Flagger 1.44 renders them ({@code pkg/metrics/observers/*.go}), with the unit conversion
 * each one applies: the success rate is a percentage (0–100); the duration is whole milliseconds, truncated
 * like Go's {@code int64(value)} after the observer's own scaling.
 *
 * <p>The template texts are Flagger's, byte for byte, kept as resource files ({@code builtin/<observer>-<metric>.tmpl}),
 * so {@link QueryText#collapse} of a rendered query equals the string Flagger sends. Choose an observer with {@link BuiltinQueries#observerFor(String)}.
 *
 * <p>Bunting renders them through a release-scoped form derived from Flagger's text: every {@code [{{ interval }}]}
 * becomes {@code [{{ window }}]} and, where the series carry pod names (the HTTP and App Mesh observers), Flagger's pod
 * pattern becomes {@code {{ pods }}}. For a {@link QueryModel} without a release ({@code window} = interval,
 * {@code pods} = Flagger's pattern) the output is Flagger's string exactly; with {@link QueryModel#withRelease} the
 * window is clipped to the analysis start and only the canary pods of this revision count (docs/analysis.md). Series
 * without pod names (Istio's {@code destination_workload}, Linkerd's {@code deployment}, ingress and proxy metrics)
 * get the clipped window only.
 *
 * <p>{@link #requestCount} counts the canary's requests in the window: the success-rate query's denominator, with
 * {@code rate} replaced by {@code increase}.
 */
public enum BuiltinObserver {

  /** {@code pkg/metrics/observers/istio.go}: the query is already in milliseconds (istio_request_duration_milliseconds). */
  ISTIO(1.0, false),

  /** {@code pkg/metrics/observers/linkerd.go}: response_latency_ms is in milliseconds. */
  LINKERD(1.0, false),

  /** {@code pkg/metrics/observers/nginx.go}: an average, not P99; the query multiplies seconds by 1000. */
  NGINX(1.0, false),

  /** {@code pkg/metrics/observers/contour.go}: Envoy's upstream_rq_time is in milliseconds. */
  CONTOUR(1.0, false),

  /** {@code pkg/metrics/observers/gloo.go}: Envoy's upstream_rq_time is in milliseconds. */
  GLOO(1.0, false),

  /** {@code pkg/metrics/observers/kuma.go}: Envoy's upstream_rq_time is in milliseconds. */
  KUMA(1.0, false),

  /** {@code pkg/metrics/observers/appmesh.go}: Envoy's upstream_rq_time is in milliseconds. */
  APPMESH(1.0, false),

  /** {@code pkg/metrics/observers/knative.go}: Envoy's upstream_rq_time is in milliseconds; {@code route} is the latest created revision. */
  KNATIVE(1.0, false),

  /** {@code pkg/metrics/observers/traefik.go}: the query multiplies seconds by 1000. */
  TRAEFIK(1.0, false),

  /** {@code pkg/metrics/observers/http.go}: the app's histogram is in seconds; Flagger multiplies by 1000 in code. */
  HTTP(1000.0, false),

  /** {@code pkg/metrics/observers/osm.go}: osm_request_duration_ms is in milliseconds. */
  OSM(1.0, false),

  /** {@code pkg/metrics/observers/apisix.go}: apisix_http_latency is in milliseconds. */
  APISIX(1.0, false),

  /** {@code pkg/metrics/observers/skipper.go}: an average, not P99; the query multiplies seconds by 1000; model values have non-word characters replaced by {@code _}. */
  SKIPPER(1.0, true);

  private static final Pattern NON_WORD = Pattern.compile("\\W");

  private static final String FLAGGER_PODS = "{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)";

  private final double durationFactor;
  private final boolean skipperNames;
  private final QueryTemplate successRate;
  private final QueryTemplate duration;
  private final QueryTemplate scopedSuccessRate;
  private final QueryTemplate scopedDuration;
  private final QueryTemplate requestCount;

  BuiltinObserver(double durationFactor, boolean skipperNames) {
    this.durationFactor = durationFactor;
    this.skipperNames = skipperNames;
    String successRate = source(BuiltinMetric.REQUEST_SUCCESS_RATE);
    String duration = source(BuiltinMetric.REQUEST_DURATION);
    this.successRate = QueryTemplate.compile(successRate);
    this.duration = QueryTemplate.compile(duration);
    this.scopedSuccessRate = QueryTemplate.compile(releaseScoped(successRate));
    this.scopedDuration = QueryTemplate.compile(releaseScoped(duration));
    this.requestCount = QueryTemplate.compile(requestCountOf(releaseScoped(successRate)));
  }

  /**
   * Flagger's template text, kept in {@code builtin/<observer>-<metric>.tmpl} next to this class, byte for byte as the
   * Go source renders it (tabs, trailing spaces and all).
   */
  private String source(BuiltinMetric metric) {
    String file = "builtin/" + name().toLowerCase(Locale.ROOT) + "-" + metric.metricName() + ".tmpl";
    try (InputStream in = BuiltinObserver.class.getResourceAsStream(file)) {
      if (in == null) {
        throw new IllegalStateException(file + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(file, e);
    }
  }

  /** Flagger's query template of a builtin metric, byte for byte. */
  public QueryTemplate template(BuiltinMetric metric) {
    return metric == BuiltinMetric.REQUEST_SUCCESS_RATE ? successRate : duration;
  }

  /** The release-scoped form Bunting renders (equal to Flagger's output for a model without a release). */
  public QueryTemplate scopedTemplate(BuiltinMetric metric) {
    return metric == BuiltinMetric.REQUEST_SUCCESS_RATE ? scopedSuccessRate : scopedDuration;
  }

  /** The query to send for a metric: rendered, whitespace collapsed and trimmed. */
  public String query(BuiltinMetric metric, QueryModel model) {
    return QueryText.normalize(renderRaw(metric, model));
  }

  /** The template output exactly as Go renders it (before Flagger collapses whitespace). */
  public String renderRaw(BuiltinMetric metric, QueryModel model) {
    return scopedTemplate(metric).renderRaw(skipperNames ? skipperModel(model) : model);
  }

  /** The query counting the canary's requests over {@code window}, whitespace collapsed and trimmed. */
  public String requestCountQuery(QueryModel model) {
    return QueryText.normalize(requestCount.renderRaw(skipperNames ? skipperModel(model) : model));
  }

  /** Counts the canary's requests over the model's {@code window}. */
  public Future<MetricValue> requestCount(QueryModel model, MetricProvider provider) {
    String query;
    try {
      query = requestCountQuery(model);
    } catch (RuntimeException e) {
      return Future.succeededFuture(MetricValue.failed("rendering query failed: " + e.getMessage()));
    }
    return provider.query(query);
  }

  /**
   * Whether {@code compare: primary} can run this observer's queries for the primary: they select the workload by
   * {@code {{ target }}} alone (rendering with {@code <target>-primary} gives the primary's series), not by a canary
   * Service, route or ingress.
   */
  public boolean comparesWithPrimary() {
    String source = successRate.source() + duration.source();
    return source.contains("{{ target }}") && !source.contains("canary") && !source.contains("{{ service }}")
        && !source.contains("{{ ingress }}") && !source.contains("{{ route }}");
  }

  /** Flagger's text with the window and (where there are pod names) the pods of the release. */
  static String releaseScoped(String flagger) {
    return flagger.replace("[{{ interval }}]", "[{{ window }}]").replace(FLAGGER_PODS, "{{ pods }}");
  }

  /**
   * The request count derived from a success-rate query {@code [prefix] A / B * 100}: {@code [prefix] B} with its
   * {@code rate(} replaced by {@code increase(}. The prefix is a leading {@code {{- ... }}} action (Skipper's route).
   */
  static String requestCountOf(String successRate) {
    String s = successRate.strip();
    String prefix = "";
    if (s.startsWith("{{-")) {
      int end = s.indexOf("}}") + 2;
      prefix = s.substring(0, end) + "\n";
      s = s.substring(end);
    }
    s = s.replaceFirst("\\s*\\*\\s*100\\s*$", "");
    int depth = 0;
    boolean quoted = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && (c == '(' || c == '{' || c == '[')) {
        depth++;
      } else if (!quoted && (c == ')' || c == '}' || c == ']')) {
        depth--;
      } else if (!quoted && depth == 0 && c == '/') {
        return prefix + s.substring(i + 1).strip().replaceFirst("rate\\(", "increase(");
      }
    }
    throw new IllegalArgumentException("not a ratio: " + successRate);
  }

  /**
   * Converts what the query returned into the unit thresholds use: the success rate unchanged, the duration
   * as whole milliseconds (scaled, then truncated toward zero as Go's {@code int64()} does).
   */
  public double toAnalysisValue(BuiltinMetric metric, double raw) {
    if (metric == BuiltinMetric.REQUEST_SUCCESS_RATE) {
      return raw;
    }
    return (double) (long) (raw * durationFactor);
  }

  /** Renders the metric's query, runs it, and converts the value ({@link #toAnalysisValue}). */
  public Future<MetricValue> measure(BuiltinMetric metric, QueryModel model, MetricProvider provider) {
    String query;
    try {
      query = query(metric, model);
    } catch (RuntimeException e) {
      return Future.succeededFuture(MetricValue.failed("rendering query failed: " + e.getMessage()));
    }
    return provider.query(query).map(value -> value.map(raw -> toAnalysisValue(metric, raw)));
  }

  /** Skipper route names replace every non-word character with {@code _} (Flagger's encodeModelForSkipper). */
  private static QueryModel skipperModel(QueryModel m) {
    return new QueryModel(word(m.name()), word(m.namespace()), word(m.target()), word(m.service()),
        word(m.ingress()), m.route(), m.interval(), m.variables(), m.analysisStart(), m.window(), m.pods());
  }

  private static String word(String s) {
    return NON_WORD.matcher(s).replaceAll("_");
  }
}
