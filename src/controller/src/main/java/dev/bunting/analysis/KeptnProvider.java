package dev.bunting.analysis;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Keptn, as Flagger's {@code KeptnProvider}. The query is {@code <keptnmetric|analysis>/<namespace>/<name>[/<timeframe>
 * [/<k=v;k=v>]]} (lower-cased, trimmed; plural names accepted):
 * <ul>
 *   <li>{@code keptnmetric/ns/name}: the KeptnMetric's {@code status.value} (a string) as a number; a KeptnMetric
 *       without a value is an error, as in Flagger;
 *   <li>{@code analysis/ns/definition/5m/k=v;k=v}: creates an {@code Analysis} of that AnalysisDefinition over the
 *       recent timeframe (default {@code 1m}) with those arguments, checks it every second until {@code status.state}
 *       is {@code Completed} (at most 10 s), answers 1 when {@code status.pass} is true and 0 otherwise, and deletes
 *       the Analysis in every case.
 * </ul>
 * Waiting uses Vert.x timers; nothing blocks.
 */
final class KeptnProvider implements MetricProvider {
  static final Duration ANALYSIS_TIMEOUT = Duration.ofSeconds(10);
  static final Duration POLL = Duration.ofSeconds(1);
  static final String FORMAT = "query must be in the format "
      + "<keptnmetric|analysis>/<namespace>/<resourceName>/<duration>/<arguments>";

  private final Vertx vertx;
  private final KeptnResources resources;
  private final Duration timeout;
  private final Duration poll;

  KeptnProvider(Vertx vertx, KeptnResources resources) {
    this(vertx, resources, ANALYSIS_TIMEOUT, POLL);
  }

  KeptnProvider(Vertx vertx, KeptnResources resources, Duration timeout, Duration poll) {
    this.vertx = vertx;
    this.resources = resources;
    this.timeout = timeout;
    this.poll = poll;
  }

  @Override
  public String type() {
    return "keptn";
  }

  /** A parsed query. */
  record Selector(String plural, String namespace, String name, String timeframe, Map<String, Object> args) {
    static Selector parse(String query) {
      String[] parts = query.toLowerCase(Locale.ROOT).strip().split("/", -1);
      if (parts.length < 3) {
        throw new IllegalArgumentException("unexpected query format. " + FORMAT);
      }
      String plural = switch (parts[0]) {
        case "keptnmetric", "keptnmetrics" -> "keptnmetrics";
        case "analysis", "analyses" -> "analyses";
        default -> throw new IllegalArgumentException("unexpected resource kind provided in the query. must be one "
            + "of: ['keptnmetric', 'analysis']");
      };
      String timeframe = parts.length >= 4 ? parts[3] : "1m";
      Map<String, Object> args = new LinkedHashMap<>();
      if (parts.length >= 5) {
        for (String pair : parts[4].split(";")) {
          String[] kv = pair.split("=", -1);
          if (kv.length == 2) {
            args.put(kv[0], kv[1]);
          }
        }
      }
      return new Selector(plural, parts[1], parts[2], timeframe, args);
    }
  }

  @Override
  public Future<MetricValue> query(String query, Instant at) {
    Selector s;
    try {
      s = Selector.parse(query);
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture(MetricValue.failed(e.getMessage()));
    }
    Future<MetricValue> value = s.plural().equals("keptnmetrics") ? metric(s) : analysis(s);
    return value.otherwise(e -> MetricValue.failed(e.getMessage()));
  }

  private Future<MetricValue> metric(Selector s) {
    String id = s.namespace() + "/" + s.name();
    return resources.get("keptnmetrics", s.namespace(), s.name()).map(found -> {
      if (found.isEmpty()) {
        return MetricValue.failed("could not retrieve KeptnMetric " + id + ": not found");
      }
      Object value = status(found.get()).get("value");
      if (!(value instanceof String text)) {
        return MetricValue.failed("could not retrieve KeptnMetric - no value found in resource " + id);
      }
      Double v = PrometheusResponse.parseGoFloat(text);
      if (v == null) {
        return MetricValue.failed("could not parse value of KeptnMetric " + id + " to float: \""
            + PrometheusResponse.excerpt(text) + "\"");
      }
      return v.isNaN() ? MetricValue.noValues("no values found (NaN)") : MetricValue.of(v);
    });
  }

  private Future<MetricValue> analysis(Selector s) {
    String name = s.name() + "-" + UUID.randomUUID().toString().substring(0, 6);
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("apiVersion", KeptnResources.GROUP_VERSION);
    object.put("kind", "Analysis");
    object.put("metadata", Map.of("name", name, "namespace", s.namespace()));
    object.put("spec", Map.of("analysisDefinition", Map.of("name", s.name()), "timeframe",
        Map.of("recent", s.timeframe()), "args", s.args()));
    String id = s.namespace() + "/" + s.name();
    return resources.create("analyses", s.namespace(), object)
        .recover(e -> Future.failedFuture(new IllegalStateException("could not create Keptn Analysis " + id + ": "
            + e.getMessage())))
        .compose(created -> {
          Promise<MetricValue> result = Promise.promise();
          long deadline = System.nanoTime() + timeout.toNanos();
          check(s.namespace(), name, id, deadline, result);
          return result.future().eventually(() -> resources.delete("analyses", s.namespace(), name)
              .otherwiseEmpty());
        });
  }

  private void check(String namespace, String name, String id, long deadline, Promise<MetricValue> result) {
    vertx.setTimer(Math.max(1, poll.toMillis()), t -> resources.get("analyses", namespace, name).onComplete(ar -> {
      if (ar.failed()) {
        result.complete(MetricValue.failed("could not check status of created Keptn Analysis " + id + ": "
            + ar.cause().getMessage()));
        return;
      }
      Map<String, Object> st = ar.result().map(KeptnProvider::status).orElse(Map.of());
      if ("Completed".equals(st.get("state")) && st.get("pass") instanceof Boolean pass) {
        result.complete(MetricValue.of(pass ? 1 : 0));
      } else if (System.nanoTime() - deadline >= 0) {
        result.complete(MetricValue.failed("encountered timeout while waiting for Keptn Analysis " + id
            + " to be finished"));
      } else {
        check(namespace, name, id, deadline, result);
      }
    }));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> status(Map<String, Object> object) {
    return object.get("status") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  /** Flagger checks nothing for Keptn. */
  @Override
  public Future<Boolean> isOnline() {
    return Future.succeededFuture(true);
  }
}
