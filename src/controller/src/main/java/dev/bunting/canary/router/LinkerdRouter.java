package dev.bunting.canary.router;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryAnalysis;
import dev.bunting.api.CanaryService;
import dev.bunting.api.CanaryService.ParentReference;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code linkerd} provider, as Linkerd routes today: a Gateway API HTTPRoute ({@code gateway.networking.k8s.io/v1beta1})
 * named like the apex Service, attached to the apex Service itself (parentRef {@code {group: core, kind: Service, name:
 * <svc>, namespace, port}}), built by {@link GatewayApiRouter}. Linkerd's proxies apply such a route to every meshed
 * client of the Service (an outbound, "producer" route).
 *
 * <p>Flagger 1.44 maps {@code linkerd} to an SMI TrafficSplit, which Linkerd ≥ 2.12 reads only through its linkerd-smi
 * extension; Flagger's and Linkerd's current guides use {@code gatewayapi:v1beta1} with that parentRef instead. Bunting
 * writes that HTTPRoute for {@code linkerd}; {@code smi:v1alpha1} keeps the TrafficSplit ({@link SmiRouter}).
 *
 * <p>Version {@code v1beta1}: Linkerd up to 2.17 reads HTTPRoute {@code v1beta1}, 2.18 reads {@code v1}; every Gateway
 * API release Linkerd accepts (0.7 to 1.2, and 1.4 as well) serves {@code v1beta1}, and the API server stores one object
 * whatever version it is written in, so a {@code v1beta1} route is seen by all of them. Linkerd's own
 * {@code policy.linkerd.io} HTTPRoute is not used: Linkerd documents it as the older, unmaintained variant.
 *
 * <p>{@code service.gatewayRefs}, when given, replace the apex Service as parents. Linkerd implements only the
 * {@code RequestHeaderModifier}, {@code ResponseHeaderModifier} and {@code RequestRedirect} filters, so mirroring
 * ({@code analysis.mirror}, {@code service.mirror}), {@code service.rewrite} and {@code service.corsPolicy} are
 * rejected up front instead of producing a route Linkerd would refuse.
 */
public final class LinkerdRouter implements TrafficRouter {
  public static final String PROVIDER = "linkerd";
  /** The HTTPRoute version Bunting writes for Linkerd. */
  public static final String HTTP_ROUTE_VERSION = "v1beta1";
  /** The parentRef group Linkerd documents for a Service ({@code core}). */
  static final String SERVICE_GROUP = "core";

  private final GatewayApiRouter routes =
      GatewayApiRouter.forProvider(PROVIDER, HTTP_ROUTE_VERSION, LinkerdRouter::parentRefs);

  @Override
  public String provider() {
    return PROVIDER;
  }

  /** {@code service.gatewayRefs}, else the apex Service on {@code service.port}. */
  static List<ParentReference> parentRefs(Canary canary) {
    CanaryService service = canary.getSpec().service;
    if (service.gatewayRefs != null && !service.gatewayRefs.isEmpty()) {
      return service.gatewayRefs;
    }
    ParentReference apex = new ParentReference();
    apex.group = SERVICE_GROUP;
    apex.kind = "Service";
    apex.name = canary.getSpec().serviceName();
    apex.namespace = canary.getMetadata().getNamespace();
    apex.port = service.port;
    return List.of(apex);
  }

  @Override
  public List<String> validate(Canary canary) {
    List<String> errors = new ArrayList<>(routes.validate(canary));
    CanaryService service = canary.getSpec() == null ? null : canary.getSpec().service;
    if (service == null) {
      return errors;
    }
    String unsupported = " is not supported by provider linkerd: Linkerd's HTTPRoutes implement only the"
        + " RequestHeaderModifier, ResponseHeaderModifier and RequestRedirect filters; remove it";
    CanaryAnalysis analysis = canary.getSpec().effectiveAnalysis();
    if (analysis.mirrorEnabled()) {
      errors.add("spec.analysis.mirror (traffic mirroring)" + unsupported);
    }
    if (service.mirror != null && !service.mirror.isEmpty()) {
      errors.add("spec.service.mirror" + unsupported);
    }
    if (service.rewrite != null) {
      errors.add("spec.service.rewrite" + unsupported);
    }
    if (service.corsPolicy != null) {
      errors.add("spec.service.corsPolicy" + unsupported);
    }
    return errors;
  }

  @Override
  public List<ResourceDefinitionContext> kinds() {
    return routes.kinds();
  }

  @Override
  public List<RoutedObject> objects(Canary canary) {
    return routes.objects(canary);
  }

  @Override
  public List<HasMetadata> desiredObjects(Canary canary, Weights weights, CachedObjects cached) {
    ServiceSpecChecks.requireValid(this, canary);
    return routes.desiredObjects(canary, weights, cached);
  }

  /** The weights of the HTTPRoute, accepted once Linkerd's policy controller reports {@code Accepted=True}. */
  @Override
  public RouterState state(Canary canary, CachedObjects cached) {
    return routes.state(canary, cached);
  }

  @Override
  public boolean supportsWeights() {
    return true;
  }
}
