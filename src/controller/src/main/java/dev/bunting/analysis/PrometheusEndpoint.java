package dev.bunting.analysis;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where and how to reach a Prometheus API: a MetricTemplate's {@code spec.provider} (or the controller's
 * {@code -metrics-server}) with the credentials the caller read from the referenced Secret.
 *
 * <p>Credentials follow Flagger: a {@code token} key means a bearer token; otherwise {@code username} and
 * {@code password} are both required (basic auth). User info in the address ({@code https://u:p@host}) is
 * used for basic auth when no Secret gives credentials, as Go's HTTP client does. {@link #toString()} and
 * {@link #redactedAddress()} never show credentials.
 *
 * @param address the API base URL, e.g. {@code http://prometheus.monitoring:9090}
 * @param headers request headers from the MetricTemplate ({@code spec.provider.headers}); each replaces any
 *     header of the same name
 * @param bearerToken the Secret's {@code token}, or null
 * @param username basic-auth user, or null
 * @param password basic-auth password, or null
 * @param insecureSkipVerify accept any TLS certificate
 * @param timeout the whole-request deadline (Flagger: 5 s)
 * @param evaluationTime when set, sent as the {@code time} parameter (for deterministic tests); Flagger sends
 *     none, which means "now"
 */
public record PrometheusEndpoint(URI address, Map<String, List<String>> headers, String bearerToken,
    String username, String password, boolean insecureSkipVerify, Duration timeout, Instant evaluationTime) {

  /** Flagger's per-query timeout. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  public PrometheusEndpoint {
    Objects.requireNonNull(address, "address");
    headers = headers == null ? Map.of() : copyHeaders(headers);
    timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("prometheus timeout must be positive: " + timeout);
    }
  }

  /**
   * An endpoint with no credentials, no extra headers, TLS verification on and the default timeout.
   *
   * @throws IllegalArgumentException {@code prometheus address X is not a valid URL} (Flagger's message)
   */
  public static PrometheusEndpoint of(String address) {
    return new PrometheusEndpoint(parseAddress(address), Map.of(), null, null, null, false, DEFAULT_TIMEOUT, null);
  }

  /** Validates and parses an address: an absolute http or https URL with a host. */
  static URI parseAddress(String address) {
    return parseAddress("prometheus", address);
  }

  /**
   * As above, for any provider.
   *
   * @throws IllegalArgumentException {@code <type> address X is not a valid URL} (credentials in it redacted)
   */
  static URI parseAddress(String type, String address) {
    String invalid = type + " address " + redact(address) + " is not a valid URL";
    if (address == null || address.isBlank()) {
      throw new IllegalArgumentException(invalid);
    }
    try {
      URI uri = new URI(address.strip());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        throw new IllegalArgumentException(invalid);
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(invalid, e);
    }
  }

  /**
   * Uses the data of the MetricTemplate's Secret ({@code spec.provider.secretRef}), already decoded.
   *
   * @throws IllegalArgumentException when there is no {@code token} and {@code username} or {@code password}
   *     is missing (Flagger's messages)
   */
  public PrometheusEndpoint withSecret(Map<String, String> secretData) {
    Objects.requireNonNull(secretData, "secretData");
    if (secretData.containsKey("token")) {
      return new PrometheusEndpoint(address, headers, secretData.get("token"), null, null, insecureSkipVerify,
          timeout, evaluationTime);
    }
    if (!secretData.containsKey("username")) {
      throw new IllegalArgumentException("prometheus credentials does not contain a username");
    }
    if (!secretData.containsKey("password")) {
      throw new IllegalArgumentException("prometheus credentials does not contain a password");
    }
    return new PrometheusEndpoint(address, headers, null, secretData.get("username"), secretData.get("password"),
        insecureSkipVerify, timeout, evaluationTime);
  }

  public PrometheusEndpoint withHeaders(Map<String, List<String>> value) {
    return new PrometheusEndpoint(address, value, bearerToken, username, password, insecureSkipVerify, timeout,
        evaluationTime);
  }

  public PrometheusEndpoint withInsecureSkipVerify(boolean value) {
    return new PrometheusEndpoint(address, headers, bearerToken, username, password, value, timeout,
        evaluationTime);
  }

  public PrometheusEndpoint withTimeout(Duration value) {
    return new PrometheusEndpoint(address, headers, bearerToken, username, password, insecureSkipVerify, value,
        evaluationTime);
  }

  public PrometheusEndpoint withEvaluationTime(Instant value) {
    return new PrometheusEndpoint(address, headers, bearerToken, username, password, insecureSkipVerify, timeout,
        value);
  }

  /** The address without user info, query or fragment: safe to log. */
  public String redactedAddress() {
    return redact(address.toString());
  }

  static String redact(String address) {
    if (address == null) {
      return "null";
    }
    try {
      URI uri = new URI(address.strip());
      if (uri.getHost() == null) {
        return address.replaceAll("//[^/@]*@", "//");
      }
      return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
    } catch (URISyntaxException e) {
      return address.replaceAll("//[^/@]*@", "//");
    }
  }

  private static Map<String, List<String>> copyHeaders(Map<String, List<String>> headers) {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    headers.forEach((k, v) -> copy.put(k, v == null ? List.of() : List.copyOf(v)));
    return java.util.Collections.unmodifiableMap(copy);
  }

  @Override
  public String toString() {
    String auth = bearerToken != null ? "bearer" : username != null ? "basic" : address.getUserInfo() != null
        ? "basic (address)" : "none";
    return "PrometheusEndpoint[address=" + redactedAddress() + ", headers=" + headers.keySet() + ", auth=" + auth
        + ", insecureSkipVerify=" + insecureSkipVerify + ", timeout=" + timeout
        + (evaluationTime == null ? "" : ", time=" + evaluationTime) + "]";
  }
}
