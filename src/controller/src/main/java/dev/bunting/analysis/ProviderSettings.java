package dev.bunting.analysis;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a MetricTemplate's {@code spec.provider} says, with the referenced Secret already read: everything
 * {@link MetricProviders} needs to build a provider. {@link #toString()} names the Secret's keys, never its values.
 *
 * @param type {@code spec.provider.type}, e.g. {@code datadog}
 * @param address {@code spec.provider.address}, or null
 * @param headers {@code spec.provider.headers} (Prometheus only, as in Flagger)
 * @param secret the decoded data of {@code spec.provider.secretRef}, or null when the template names no Secret
 * @param region {@code spec.provider.region} (CloudWatch)
 * @param insecureSkipVerify {@code spec.provider.insecureSkipVerify}
 * @param interval the metric's {@code interval}; most providers query a window of ten times it, as Flagger
 */
public record ProviderSettings(String type, String address, Map<String, List<String>> headers,
    Map<String, String> secret, String region, boolean insecureSkipVerify, Duration interval) {

  public ProviderSettings {
    Objects.requireNonNull(type, "type");
    headers = headers == null ? Map.of() : headers;
    secret = secret == null ? null : Map.copyOf(secret);
    interval = interval == null ? Duration.ofMinutes(1) : interval;
  }

  /** Whether the template names a Secret ({@code secretRef}). */
  public boolean hasSecret() {
    return secret != null;
  }

  /** A Secret key's value, or null (also when there is no Secret). */
  public String secretValue(String key) {
    return secret == null ? null : secret.get(key);
  }

  /**
   * A Secret key that must be there.
   *
   * @throws IllegalArgumentException {@code <type> credentials does not contain <key>} (Flagger's wording)
   */
  public String required(String key) {
    String v = secretValue(key);
    if (v == null) {
      throw new IllegalArgumentException(type + " credentials does not contain " + key
          + (secret == null ? " (spec.provider.secretRef is not set)" : ""));
    }
    return v;
  }

  /** The address, or {@code fallback} when it is empty. */
  public String addressOr(String fallback) {
    return address == null || address.isBlank() ? fallback : address.strip();
  }

  @Override
  public String toString() {
    return "ProviderSettings[type=" + type + ", address=" + (address == null ? null
        : PrometheusEndpoint.redact(address)) + ", secretKeys=" + (secret == null ? null
        : new java.util.TreeSet<>(secret.keySet())) + ", region=" + region + ", insecureSkipVerify="
        + insecureSkipVerify + ", interval=" + interval + "]";
  }
}
