package dev.bunting.canary.router;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The traffic routers Bunting has, by provider name, and which one a Canary uses: {@code spec.provider}, or the
 * controller's default provider ({@code --mesh-provider}) when that is empty. Names match exactly (e.g.
 * {@code kubernetes}, {@code gatewayapi:v1}, {@code istio}, {@code linkerd}, {@code traefik}); the SMI providers also
 * take a mesh suffix ({@code smi:v1alpha1:linkerd}) and {@code gloo} a {@code gloo...} one, as Flagger does. Every other name (a bare {@code gatewayapi}, a misspelling, a provider
 * Bunting does not have yet) is reported as not supported instead of silently falling back to Istio as Flagger does.
 */
public final class Routers {
  /** The default provider when the controller is given none. */
  public static final String DEFAULT_PROVIDER = KubernetesRouter.PROVIDER;

  private final String defaultProvider;
  private final Map<String, TrafficRouter> byProvider = new LinkedHashMap<>();

  /** Bunting's routers with Flagger's default settings. */
  public Routers(String defaultProvider) {
    this(defaultProvider, RouterSettings.defaults());
  }

  /** Bunting's routers; {@code defaultProvider} (blank ⇒ {@value #DEFAULT_PROVIDER}) serves Canaries without one. */
  public Routers(String defaultProvider, RouterSettings settings) {
    this(defaultProvider, all(settings));
  }

  /** Every router Bunting has, one per provider. */
  private static List<TrafficRouter> all(RouterSettings settings) {
    return List.of(
        new KubernetesRouter(),
        GatewayApiRouter.v1(),
        GatewayApiRouter.v1beta1(),
        new LinkerdRouter(),
        SmiRouter.v1alpha1(),
        SmiRouter.v1alpha2(),
        SmiRouter.v1alpha3(),
        SmiRouter.osm(),
        new TraefikRouter(),
        new KumaRouter(),
        new NginxRouter(settings),
        new SkipperRouter(),
        new ContourRouter(settings),
        new GlooRouter(),
        new ApisixRouter(),
        new IstioRouter(),
        new KnativeRouter());
  }

  /** Explicit routers, e.g. for tests. */
  public Routers(String defaultProvider, List<TrafficRouter> routers) {
    this.defaultProvider = defaultProvider == null || defaultProvider.isBlank() ? DEFAULT_PROVIDER : defaultProvider.trim();
    routers.forEach(r -> byProvider.put(r.provider(), r));
    // a default provider with a mesh suffix (smi:v1alpha3:istio) gets its own router, which knows the mesh
    if (!byProvider.containsKey(this.defaultProvider) && routerFor(this.defaultProvider).isPresent()) {
      SmiRouter.withMesh(this.defaultProvider).ifPresent(r -> byProvider.put(r.provider(), r));
    }
  }

  /** The controller's default provider ({@code --mesh-provider}, else {@value #DEFAULT_PROVIDER}). */
  public String defaultProvider() {
    return defaultProvider;
  }

  /** The provider the Canary asks for: {@code spec.provider}, else the default. */
  public String providerOf(Canary canary) {
    String provider = canary.getSpec() == null ? null : canary.getSpec().provider;
    return provider == null || provider.isBlank() ? defaultProvider : provider.trim();
  }

  /** The Canary's router; empty when its provider is not supported ({@link #validate} says why). */
  public Optional<TrafficRouter> routerFor(Canary canary) {
    return routerFor(providerOf(canary));
  }

  /** The router of a provider name: the one registered under it, else the first that {@link TrafficRouter#handles} it. */
  public Optional<TrafficRouter> routerFor(String provider) {
    TrafficRouter exact = byProvider.get(provider);
    if (exact != null) {
      return Optional.of(exact);
    }
    return byProvider.values().stream().filter(r -> r.handles(provider)).findFirst();
  }

  /**
   * Everything that keeps the Canary from being routed: an unsupported provider, else the router's own checks.
   * Empty means valid.
   */
  public List<String> validate(Canary canary) {
    Optional<TrafficRouter> router = routerFor(canary);
    if (router.isEmpty()) {
      String provider = providerOf(canary);
      boolean fromDefault = canary.getSpec() == null || canary.getSpec().provider == null || canary.getSpec().provider.isBlank();
      return List.of("provider " + provider + " is not supported by Bunting yet (supported: "
          + String.join(", ", supportedProviders()) + ")"
          + (fromDefault ? "; spec.provider is empty, so the controller's default provider applies" : ""));
    }
    return router.get().validate(canary);
  }

  public List<String> supportedProviders() {
    return List.copyOf(byProvider.keySet());
  }

  /** Every kind some router reads or writes, once (one per API version, e.g. HTTPRoute v1 and v1beta1). */
  public List<ResourceDefinitionContext> kinds() {
    Map<String, ResourceDefinitionContext> kinds = new LinkedHashMap<>();
    byProvider.values().forEach(r -> r.kinds().forEach(k -> kinds.putIfAbsent(RoutedObject.kindKey(k), k)));
    return List.copyOf(kinds.values());
  }
}
