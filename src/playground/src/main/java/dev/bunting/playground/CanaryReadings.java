package dev.bunting.playground;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalDouble;

/**
 * The canary's success rate and p99 latency as Prometheus measures them right now, with the same PromQL as Flagger's
 * builtin {@code request-success-rate} and {@code request-duration} checks for the {@code kubernetes} and
 * {@code gatewayapi} providers (the canary pods are the ones named {@code <target>-<hash>-<hash>}), over the windows
 * of the demo Canary's metrics, clipped like the engine's ({@code analysis.window: release}) to the release's analysis
 * start so that a release right after another shows its own requests only. For the timeline: the engine takes its own
 * readings, which its Events and {@code status.analysis} report.
 * Blocking (one HTTP call per query, 2 s timeout): call it from the timeline's thread.
 */
public final class CanaryReadings {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String prometheus;
  private final String namespace;
  private final String target;
  private final java.time.Clock clock;

  public CanaryReadings(String prometheusUrl, String namespace, String target, java.time.Clock clock) {
    this.prometheus = prometheusUrl;
    this.namespace = namespace;
    this.target = target;
    this.clock = clock;
  }

  /** One reading; each value is empty when Prometheus has no data (the canary gets no traffic). */
  public record Reading(OptionalDouble successRate, OptionalDouble p99Millis) {
    public static final Reading NONE = new Reading(OptionalDouble.empty(), OptionalDouble.empty());
  }

  /** The PromQL of the success rate over {@code window} (e.g. {@code 1m}), as Flagger's builtin renders it. */
  public String successRateQuery(String window) {
    String pods = selector();
    return "sum(rate(http_request_duration_seconds_count{" + pods + ",status!~\"5.*\"}[" + window + "])) / "
        + "sum(rate(http_request_duration_seconds_count{" + pods + "}[" + window + "])) * 100";
  }

  /** The PromQL of the p99 latency in milliseconds over {@code window}, as Flagger's builtin renders it. */
  public String p99Query(String window) {
    return "histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket{" + selector() + "}[" + window
        + "])) by (le)) * 1000";
  }

  private String selector() {
    return "kubernetes_namespace=\"" + namespace + "\",kubernetes_pod_name=~\"" + target
        + "-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\"";
  }

  /**
   * Both values now (windows 1m and 30s, as the demo Canary's metrics, clipped to {@code releaseStart} when given);
   * empty values on any error, or when the release started less than 2 s ago.
   */
  public Reading now(java.util.Optional<java.time.Instant> releaseStart) {
    long since = releaseStart.map(s -> Duration.between(s, clock.instant()).toSeconds()).orElse(Long.MAX_VALUE);
    if (since < 2) {
      return Reading.NONE;
    }
    return new Reading(query(successRateQuery(Math.min(60, since) + "s")), query(p99Query(Math.min(30, since) + "s")));
  }

  /** An instant query's single value; empty for no data, NaN, or an error. */
  public OptionalDouble query(String promql) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(prometheus + "/api/v1/query?query="
          + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? value(r.body()) : OptionalDouble.empty();
    } catch (IOException e) {
      return OptionalDouble.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalDouble.empty();
    }
  }

  /** The value of the first series of a Prometheus query answer. */
  static OptionalDouble value(String json) {
    JsonArray result = new JsonObject(json).getJsonObject("data", new JsonObject())
        .getJsonArray("result", new JsonArray());
    if (result.isEmpty()) {
      return OptionalDouble.empty();
    }
    JsonArray value = result.getJsonObject(0).getJsonArray("value");
    try {
      double v = Double.parseDouble(value.getString(1));
      return Double.isNaN(v) || Double.isInfinite(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
    } catch (RuntimeException e) {
      return OptionalDouble.empty();
    }
  }
}
