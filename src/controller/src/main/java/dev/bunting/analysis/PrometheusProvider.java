package dev.bunting.analysis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs PromQL instant queries against Prometheus' HTTP API, like Flagger's {@code PrometheusProvider}:
 * {@code GET <address>/api/v1/query?query=<query>} with whitespace collapsed, no {@code time} parameter
 * (unless the endpoint sets an evaluation time, for tests), a 5 s deadline, the MetricTemplate's headers, and
 * bearer or basic auth.
 *
 * <p>Where Bunting differs from Flagger, on purpose:
 * <ul>
 *   <li>a query that returns several series fails with a message naming how many came back (and the first
 *       label sets), instead of silently using the last one;
 *   <li>scalar results are accepted (Flagger cannot decode them);
 *   <li>the query is also trimmed at both ends;
 *   <li>errors carry a short excerpt of the response, never the whole body.
 * </ul>
 *
 * <p>Non-blocking: all work happens on the Vert.x event loop through one {@link WebClient}, kept for the life
 * of the provider. {@link #close()} releases it. Neither tokens, passwords nor user info of the address are
 * ever logged or put in messages.
 */
public final class PrometheusProvider implements MetricProvider, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PrometheusProvider.class);
  static final String ONLINE_QUERY = "vector(1)";

  private final PrometheusEndpoint endpoint;
  private final WebClient client;
  private final String queryUrl;
  private final String rangeUrl;
  private final String[] addressUserInfo;

  /**
   * Creates a provider with its own {@link WebClient} on the shared Vert.x instance.
   *
   * @param vertx the application's Vert.x
   * @param endpoint where and how to connect
   */
  public PrometheusProvider(Vertx vertx, PrometheusEndpoint endpoint) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    WebClientOptions options = new WebClientOptions()
        .setUserAgent("bunting")
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, endpoint.timeout().toMillis()));
    if (endpoint.insecureSkipVerify()) {
      options.setTrustAll(true).setVerifyHost(false);
    }
    this.client = WebClient.create(vertx, options);
    URI address = endpoint.address();
    String basePath = address.getRawPath() == null ? "" : address.getRawPath().replaceAll("/+$", "");
    int port = address.getPort();
    this.queryUrl = address.getScheme().toLowerCase() + "://" + address.getHost() + (port < 0 ? "" : ":" + port)
        + basePath + "/api/v1/query";
    this.rangeUrl = queryUrl + "_range";
    this.addressUserInfo = userInfo(address);
  }

  @Override
  public String type() {
    return "prometheus";
  }

  /** The endpoint this provider queries. */
  public PrometheusEndpoint endpoint() {
    return endpoint;
  }

  @Override
  public Future<MetricValue> query(String query) {
    return query(query, endpoint.evaluationTime());
  }

  /**
   * Runs a query evaluated at a given time ({@code time} parameter), or now when {@code at} is null.
   *
   * @see MetricProvider#query(String)
   */
  @Override
  public Future<MetricValue> query(String query, Instant at) {
    Map<String, String> params = new LinkedHashMap<>();
    if (at != null) {
      params.put("time", epochSeconds(at));
    }
    return get(queryUrl, query, params, PrometheusResponse::toMetricValue, MetricValue::failed);
  }

  /**
   * Runs a range query ({@code /api/v1/query_range}): the samples of one series from {@code start} to {@code end} at
   * {@code step}. The future always succeeds; problems are {@link MetricSamples.Failed}.
   */
  public Future<MetricSamples> queryRange(String query, Instant start, Instant end, Duration step) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("start", epochSeconds(start));
    params.put("end", epochSeconds(end));
    params.put("step", Long.toString(Math.max(1, step.toSeconds())));
    return get(rangeUrl, query, params, PrometheusResponse::toSamples, MetricSamples.Failed::new);
  }

  /** One GET with the endpoint's headers, auth and deadline; every problem becomes {@code failed(message)}. */
  private <T> Future<T> get(String url, String query, Map<String, String> params,
      java.util.function.BiFunction<Integer, String, T> answer, java.util.function.Function<String, T> failed) {
    String text = QueryText.normalize(Objects.requireNonNull(query, "query"));
    long timeoutMs = endpoint.timeout().toMillis();
    HttpRequest<Buffer> request;
    try {
      request = client.getAbs(url).addQueryParam("query", text);
      params.forEach(request::addQueryParam);
      endpoint.headers().forEach(request::putHeader);
      authenticate(request);
      request.timeout(timeoutMs);
    } catch (RuntimeException e) {
      return Future.succeededFuture(failed.apply("request failed: " + e.getMessage()));
    }
    LOG.debug("prometheus query at {}: {} {}", endpoint.redactedAddress(), text, params);
    return request.send()
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .map(response -> answer.apply(response.statusCode(), response.bodyAsString()))
        .otherwise(e -> failed.apply(requestFailed(e)));
  }

  /**
   * Runs {@code vector(1)}: completes with {@code true} when Prometheus answers 1, fails with Flagger's
   * messages ({@code running query failed: ...}, {@code value is not 1 for query: vector(1)}) otherwise.
   */
  @Override
  public Future<Boolean> isOnline() {
    return query(ONLINE_QUERY).compose(value -> {
      if (value instanceof MetricValue.Value v) {
        return v.value() == 1
            ? Future.succeededFuture(true)
            : Future.failedFuture(new IllegalStateException("value is not 1 for query: " + ONLINE_QUERY));
      }
      String why = value instanceof MetricValue.Failed f ? f.message() : ((MetricValue.NoValues) value).detail();
      return Future.failedFuture(new IllegalStateException("running query failed: " + why));
    });
  }

  /** Releases the HTTP client. */
  @Override
  public void close() {
    client.close();
  }

  private void authenticate(HttpRequest<Buffer> request) {
    if (endpoint.bearerToken() != null && !endpoint.bearerToken().isEmpty()) {
      request.bearerTokenAuthentication(endpoint.bearerToken());
    } else if (endpoint.username() != null && !endpoint.username().isEmpty()
        && endpoint.password() != null && !endpoint.password().isEmpty()) {
      request.basicAuthentication(endpoint.username(), endpoint.password());
    } else if (addressUserInfo != null && !hasHeader(endpoint.headers(), "Authorization")) {
      request.basicAuthentication(addressUserInfo[0], addressUserInfo[1]);
    }
  }

  private static boolean hasHeader(Map<String, List<String>> headers, String name) {
    return headers.keySet().stream().anyMatch(k -> k.equalsIgnoreCase(name));
  }

  private String requestFailed(Throwable e) {
    if (e instanceof TimeoutException) {
      return "request failed: no answer from " + endpoint.redactedAddress() + " within "
          + endpoint.timeout().toMillis() + "ms";
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return "request failed: " + message;
  }

  private static String[] userInfo(URI address) {
    String raw = address.getRawUserInfo();
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    int colon = raw.indexOf(':');
    String user = colon < 0 ? raw : raw.substring(0, colon);
    String pass = colon < 0 ? "" : raw.substring(colon + 1);
    return new String[] {
        URLDecoder.decode(user, StandardCharsets.UTF_8), URLDecoder.decode(pass, StandardCharsets.UTF_8)};
  }

  private static String epochSeconds(Instant at) {
    return BigDecimal.valueOf(at.getEpochSecond()).add(BigDecimal.valueOf(at.getNano(), 9))
        .stripTrailingZeros().toPlainString();
  }

  @Override
  public String toString() {
    return "PrometheusProvider[" + endpoint + "]";
  }
}
