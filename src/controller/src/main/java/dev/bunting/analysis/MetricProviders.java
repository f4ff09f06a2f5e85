package dev.bunting.analysis;

import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chooses the {@link MetricProvider} for a MetricTemplate's {@code spec.provider.type}: the one place that knows every
 * type. Prometheus providers are kept per endpoint (each has its own client); the others are cheap objects built per
 * evaluation on two shared {@link WebClient}s (one verifying TLS, one for {@code insecureSkipVerify}), so a changed
 * Secret is used at the next evaluation, as in Flagger.
 *
 * <p>An unknown type is an error naming the supported types (Flagger silently falls back to Prometheus).
 */
public final class MetricProviders implements AutoCloseable {
  /** The types Bunting evaluates. */
  public static final List<String> TYPES = List.of("prometheus", "datadog", "cloudwatch", "newrelic", "graphite",
      "influxdb", "dynatrace", "stackdriver", "splunk", "keptn");

  private final Vertx vertx;
  private final Clock clock;
  private final Map<String, String> environment;
  private final KeptnResources keptn;
  private final WebClient verified;
  private final WebClient insecure;
  private final GoogleTokens googleTokens;
  private final Map<PrometheusEndpoint, PrometheusProvider> prometheus = new ConcurrentHashMap<>();

  /**
   * @param environment the process environment (AWS credentials for CloudWatch); tests pass their own
   * @param keptn Keptn's resources in the cluster, or null where there is no cluster (then {@code keptn} is an error)
   */
  public MetricProviders(Vertx vertx, Clock clock, Map<String, String> environment, KeptnResources keptn) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.environment = environment == null ? Map.of() : Map.copyOf(environment);
    this.keptn = keptn;
    WebClientOptions options = new WebClientOptions().setUserAgent("bunting")
        .setConnectTimeout((int) HttpMetricProvider.TIMEOUT.toMillis());
    this.verified = WebClient.create(vertx, options);
    this.insecure = WebClient.create(vertx, new WebClientOptions(options).setTrustAll(true).setVerifyHost(false));
    this.googleTokens = new GoogleTokens(verified, clock);
  }

  /** The Prometheus provider of an endpoint, one per endpoint for the life of this object. */
  public PrometheusProvider prometheus(PrometheusEndpoint endpoint) {
    return prometheus.computeIfAbsent(endpoint, e -> new PrometheusProvider(vertx, e));
  }

  /**
   * The provider a template's settings describe.
   *
   * @throws IllegalArgumentException an unknown type (naming the supported ones), a missing Secret key, an invalid
   *     address or region, with a message a user can act on
   */
  public MetricProvider create(ProviderSettings s) {
    WebClient client = s.insecureSkipVerify() ? insecure : verified;
    return switch (s.type()) {
      case "prometheus" -> prometheus(prometheusEndpoint(s));
      case "datadog" -> new DatadogProvider(client, clock, s);
      case "newrelic" -> new NewRelicProvider(client, clock, s);
      case "dynatrace" -> new DynatraceProvider(client, clock, s);
      case "graphite" -> new GraphiteProvider(client, clock, s);
      case "influxdb" -> new InfluxdbProvider(client, clock, s);
      case "cloudwatch" -> new CloudWatchProvider(client, clock, s, AwsCredentials.from(s, environment));
      case "stackdriver" -> new StackdriverProvider(client, clock, s, googleTokens);
      case "splunk" -> new SplunkProvider(client, clock, s);
      case "keptn" -> {
        if (keptn == null) {
          throw new IllegalArgumentException("keptn needs the Kubernetes API, which this run does not have");
        }
        yield new KeptnProvider(vertx, keptn);
      }
      default -> throw new IllegalArgumentException(unsupported(s.type()));
    };
  }

  /** {@code unsupported metric provider type "x"; supported: prometheus, datadog, ...}. */
  public static String unsupported(String type) {
    return "unsupported metric provider type \"" + type + "\" in spec.provider.type; supported types: "
        + String.join(", ", TYPES);
  }

  private static PrometheusEndpoint prometheusEndpoint(ProviderSettings s) {
    PrometheusEndpoint e = PrometheusEndpoint.of(s.address());
    if (!s.headers().isEmpty()) {
      e = e.withHeaders(s.headers());
    }
    if (s.insecureSkipVerify()) {
      e = e.withInsecureSkipVerify(true);
    }
    if (s.hasSecret()) {
      e = e.withSecret(s.secret());
    }
    return e;
  }

  @Override
  public void close() {
    prometheus.values().forEach(PrometheusProvider::close);
    prometheus.clear();
    verified.close();
    insecure.close();
  }
}
