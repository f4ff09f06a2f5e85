package dev.bunting.canary.router;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;

/**
 * The {@code kubernetes} provider: no routing object besides the three Services. Traffic is never split; releases are
 * blue/green at L4, the apex Service selecting the primary's pods while the canary is analysed and after the primary
 * is promoted. It therefore always reports the primary at 100 % and accepted.
 */
public final class KubernetesRouter implements TrafficRouter {
  public static final String PROVIDER = "kubernetes";

  @Override
  public String provider() {
    return PROVIDER;
  }

  @Override
  public List<String> validate(Canary canary) {
    return ServiceSpecChecks.validate(canary);
  }

  @Override
  public List<ResourceDefinitionContext> kinds() {
    return List.of();
  }

  @Override
  public List<RoutedObject> objects(Canary canary) {
    return List.of();
  }

  @Override
  public List<HasMetadata> desiredObjects(Canary canary, Weights weights, CachedObjects cached) {
    return List.of();
  }

  @Override
  public RouterState state(Canary canary, CachedObjects cached) {
    return RouterState.accepted(Weights.ALL_PRIMARY);
  }

  @Override
  public boolean supportsWeights() {
    return false;
  }
}
