package dev.bunting.loadtester;

import dev.bunting.api.GoDuration;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a load run has done so far, as the load tester answers it:
 * <pre>
 * {"state":"running","url":"http://podinfo-canary.test:9898/","rate":20.0,"concurrency":50,"duration":"30s",
 *  "elapsed":"12.4s","requests":248,"completed":247,"inFlight":1,"dropped":0,
 *  "statusCodes":{"200":240,"500":7},"errors":{"HTTP 500":7},"errorPercentage":2.83,
 *  "latencyMs":{"p50":21.3,"p90":48.0,"p99":310.2,"max":512.0,"mean":30.1}}
 * </pre>
 *
 * @param url the target, without user info or query (which may carry credentials)
 * @param state {@code running}, {@code completed} (the duration is over and every request answered) or
 *     {@code stopped} (cut short)
 * @param requests requests sent
 * @param completed requests that got an answer or failed
 * @param dropped requests the schedule called for but not sent, because {@code concurrency} were already in flight
 * @param statusCodes answers by HTTP status
 * @param errors failures by kind: {@code HTTP <5xx status>}, {@code timeout}, {@code connection refused},
 *     {@code connection closed}, {@code unknown host}, {@code tls}, {@code other}
 * @param latencyMs latency of the answered requests (first byte sent to last byte received), milliseconds
 */
public record LoadReport(String state, String url, double rate, int concurrency, Duration duration, Duration elapsed,
    long requests, long completed, long dropped, Map<Integer, Long> statusCodes, Map<String, Long> errors,
    Latency latencyMs) {

  /** Latency percentiles, milliseconds. */
  public record Latency(double p50, double p90, double p99, double max, double mean) {}

  public LoadReport {
    statusCodes = Map.copyOf(statusCodes);
    errors = Map.copyOf(errors);
  }

  public long inFlight() {
    return requests - completed;
  }

  public long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Failed requests (5xx answers and transport errors) as a percentage of the completed ones; 0 before any. */
  public double errorPercentage() {
    return completed == 0 ? 0 : 100.0 * errorCount() / completed;
  }

  public JsonObject toJson() {
    JsonObject codes = new JsonObject();
    new TreeMap<>(statusCodes).forEach((code, n) -> codes.put(Integer.toString(code), n));
    JsonObject errorKinds = new JsonObject();
    new TreeMap<>(errors).forEach(errorKinds::put);
    return new JsonObject()
        .put("state", state)
        .put("url", url)
        .put("rate", rate)
        .put("concurrency", concurrency)
        .put("duration", duration == null ? null : GoDuration.format(duration))
        .put("elapsed", String.format(java.util.Locale.ROOT, "%.1fs", elapsed.toMillis() / 1000.0))
        .put("requests", requests)
        .put("completed", completed)
        .put("inFlight", inFlight())
        .put("dropped", dropped)
        .put("statusCodes", codes)
        .put("errors", errorKinds)
        .put("errorPercentage", Math.round(errorPercentage() * 100) / 100.0)
        .put("latencyMs", new JsonObject()
            .put("p50", round(latencyMs.p50()))
            .put("p90", round(latencyMs.p90()))
            .put("p99", round(latencyMs.p99()))
            .put("max", round(latencyMs.max()))
            .put("mean", round(latencyMs.mean())));
  }

  private static double round(double millis) {
    return Math.round(millis * 10) / 10.0;
  }
}
