package dev.bunting.analysis;

import java.util.Optional;

/**
 * Chooses the {@link BuiltinObserver} for a metrics provider, with Flagger's rules
 * ({@code pkg/metrics/observers/factory.go} and {@code pkg/controller/scheduler_metrics.go}):
 *
 * <ul>
 *   <li>{@code appmesh*} → App Mesh, {@code gloo*} → Gloo, {@code kubernetes} and {@code gatewayapi*}
 *       (e.g. {@code gatewayapi:v1}) → the HTTP observer (app-instrumented histogram);
 *   <li>{@code linkerd}, {@code istio}, {@code contour}, {@code nginx}, {@code skipper}, {@code traefik},
 *       {@code osm}, {@code kuma}, {@code apisix}, {@code knative} → their own observer;
 *   <li>an SMI provider with a mesh suffix ({@code smi:v1alpha1:linkerd}, {@code smi:v1alpha3:istio}) → that mesh's
 *       observer. Flagger gives every {@code smi:*} provider the Istio observer (its fallback), except that a Linkerd
 *       mesh forces Linkerd's (see {@link #effectiveProvider}); Bunting reads the mesh from the suffix and, like any
 *       unknown name, rejects a bare {@code smi:v1alpha1}, which names no data plane.
 * </ul>
 *
 * <p>Bunting differs from Flagger on purpose in two places. An unknown provider is an error naming the
 * provider, where Flagger silently falls back to Istio's queries. And the {@code :service} suffix Flagger
 * appends for {@code targetRef.kind: Service} (which makes e.g. {@code istio:service} hit that fallback) is
 * ignored: the observer is chosen from the provider itself.
 */
public final class BuiltinQueries {

  private static final String SERVICE_SUFFIX = ":service";

  private BuiltinQueries() {}

  /**
   * The observer for a provider name.
   *
   * @throws UnsupportedProviderException when no builtin queries exist for it
   */
  public static BuiltinObserver observerFor(String provider) {
    return find(provider).orElseThrow(() -> new UnsupportedProviderException(provider));
  }

  /** The observer for a provider name, or empty when there are no builtin queries for it. */
  public static Optional<BuiltinObserver> find(String provider) {
    if (provider == null) {
      return Optional.empty();
    }
    String p = provider.endsWith(SERVICE_SUFFIX)
        ? provider.substring(0, provider.length() - SERVICE_SUFFIX.length())
        : provider;
    if (p.startsWith("appmesh")) {
      return Optional.of(BuiltinObserver.APPMESH);
    }
    if (p.startsWith("gloo")) {
      return Optional.of(BuiltinObserver.GLOO);
    }
    if (p.equals("kubernetes") || p.startsWith("gatewayapi")) {
      return Optional.of(BuiltinObserver.HTTP);
    }
    if (p.startsWith("smi:")) {
      String[] parts = p.split(":", 3);
      return parts.length == 3 && !parts[2].startsWith("smi") ? find(parts[2]) : Optional.empty();
    }
    return Optional.ofNullable(switch (p) {
      case "linkerd" -> BuiltinObserver.LINKERD;
      case "istio" -> BuiltinObserver.ISTIO;
      case "contour" -> BuiltinObserver.CONTOUR;
      case "nginx" -> BuiltinObserver.NGINX;
      case "skipper" -> BuiltinObserver.SKIPPER;
      case "traefik" -> BuiltinObserver.TRAEFIK;
      case "osm" -> BuiltinObserver.OSM;
      case "kuma" -> BuiltinObserver.KUMA;
      case "apisix" -> BuiltinObserver.APISIX;
      case "knative" -> BuiltinObserver.KNATIVE;
      default -> null;
    });
  }

  /**
   * The provider whose builtin queries a Canary uses (Flagger's {@code runBuiltinMetricChecks}): the Canary's
   * {@code spec.provider} when set, except that a Linkerd mesh forces {@code linkerd}; otherwise the
   * controller's mesh provider, or {@code crossover} when that contains "crossover".
   *
   * @param canaryProvider {@code spec.provider}, may be null or empty
   * @param meshProvider the controller's {@code -mesh-provider} setting
   */
  public static String effectiveProvider(String canaryProvider, String meshProvider) {
    String mesh = meshProvider == null ? "" : meshProvider;
    if (canaryProvider != null && !canaryProvider.isEmpty()) {
      return mesh.contains("linkerd") ? "linkerd" : canaryProvider;
    }
    return mesh.contains("crossover") ? "crossover" : mesh;
  }

  /** No builtin queries exist for a metrics provider. */
  public static final class UnsupportedProviderException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String provider;

    UnsupportedProviderException(String provider) {
      super("no builtin metric queries for provider \"" + provider + "\"; supported: istio, linkerd, "
          + "appmesh, contour, gloo, nginx, kubernetes, gatewayapi, skipper, traefik, osm, kuma, apisix, knative; "
          + "use a MetricTemplate for other providers");
      this.provider = provider;
    }

    /** The provider name that was asked for. */
    public String provider() {
      return provider;
    }
  }
}
