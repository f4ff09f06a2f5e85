package dev.bunting.canary.router;

import dev.bunting.api.Canary;
import dev.bunting.kube.KnativeServing;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code knative} provider, as Flagger's {@code knative.go}: the target is a Knative Service and traffic is split
 * by revision in its own {@code spec.traffic}, no other routing object and no generated Service.
 *
 * <ul>
 *   <li>{@code spec.traffic} is exactly two targets: {@code {latestRevision: true, percent: <canary>}} and
 *       {@code {revisionName: <primary>, percent: <primary>}}, the primary revision being the Service's
 *       {@value KnativeServing#PRIMARY_REVISION} annotation (written by the Knative workload, at initialisation
 *       and promotion). Bunting applies only {@code spec.traffic} (server-side apply), so the user's template and
 *       the annotation are never part of its write.</li>
 *   <li>The weights are read back from {@code spec.traffic} (the {@code latestRevision} target is the canary); the
 *       split counts as accepted once Knative reports {@code status.observedGeneration} at the Service's
 *       generation (Flagger reads {@code status.traffic} and does not wait).</li>
 *   <li>No A/B testing, no mirroring, no session affinity: Knative routes by percentage only. Blue/green works as
 *       iterations at 0 % followed by the switch to 100 %.</li>
 *   <li>Revert on deletion ({@code revertOnDeletion}): Bunting's {@code spec.traffic} is withdrawn, so Knative's
 *       default (all traffic to the latest ready revision) applies again, like a Service without a Canary; Flagger
 *       leaves the traffic pinned to the last primary revision.</li>
 * </ul>
 */
public final class KnativeRouter implements TrafficRouter {
  public static final String PROVIDER = "knative";

  @Override
  public String provider() {
    return PROVIDER;
  }

  @Override
  public List<String> validate(Canary canary) {
    List<String> errors = new ArrayList<>();
    if (canary.getSpec() == null || canary.getSpec().targetRef == null || canary.getSpec().targetRef.name == null) {
      errors.add("spec.targetRef.name is required");
      return errors;
    }
    if (!KnativeServing.isService(canary.getSpec().targetRef.apiVersion, canary.getSpec().targetRef.kind)) {
      errors.add("can't use " + canary.getSpec().targetRef.apiVersion + "/" + canary.getSpec().targetRef.kind
          + " as target if provider is set to knative (spec.targetRef must be a serving.knative.dev/v1 Service)");
    }
    if (canary.getSpec().autoscalerRef != null) {
      errors.add("can't use autoscaler with Knative Service");
    }
    if (canary.getSpec().effectiveAnalysis().match != null && !canary.getSpec().effectiveAnalysis().match.isEmpty()) {
      errors.add("analysis.match (A/B testing) is not supported by provider knative: Knative splits traffic by"
          + " percentage only");
    }
    if (canary.getSpec().effectiveAnalysis().mirrorEnabled()) {
      errors.add("analysis.mirror is not supported by provider knative");
    }
    return errors;
  }

  @Override
  public List<ResourceDefinitionContext> kinds() {
    return List.of(KnativeServing.SERVICES);
  }

  @Override
  public List<RoutedObject> objects(Canary canary) {
    return List.of(new RoutedObject(KnativeServing.SERVICES, canary.getMetadata().getNamespace(),
        canary.getSpec().targetRef.name));
  }

  /**
   * The Service's {@code spec.traffic} for {@code weights}; nothing while the Service has neither a primary revision
   * annotation nor a created revision.
   */
  @Override
  public List<HasMetadata> desiredObjects(Canary canary, Weights weights, CachedObjects cached) {
    Optional<GenericKubernetesResource> service = cached.get(objects(canary).get(0));
    Optional<String> primary = service.flatMap(s -> KnativeServing.primaryRevision(s)
        .or(() -> KnativeServing.latestCreatedRevision(s)));
    if (primary.isEmpty()) {
      return List.of();
    }
    GenericKubernetesResource desired = new GenericKubernetesResource();
    desired.setApiVersion(KnativeServing.API_VERSION);
    desired.setKind("Service");
    ObjectMeta meta = new ObjectMeta();
    meta.setName(canary.getSpec().targetRef.name);
    meta.setNamespace(canary.getMetadata().getNamespace());
    desired.setMetadata(meta);
    desired.setAdditionalProperty("spec", Map.of("traffic", traffic(primary.get(), weights)));
    return List.of(desired);
  }

  /** Flagger's two traffic targets: the latest revision (the canary) first, then the primary revision. */
  static List<Map<String, Object>> traffic(String primaryRevision, Weights weights) {
    return List.of(
        JsonMap.object().put("latestRevision", true).put("percent", weights.canary()).build(),
        JsonMap.object().put("revisionName", primaryRevision).put("percent", weights.primary()).build());
  }

  @Override
  public RouterState state(Canary canary, CachedObjects cached) {
    Optional<GenericKubernetesResource> service = cached.get(objects(canary).get(0));
    if (service.isEmpty() || KnativeServing.primaryRevision(service.get()).isEmpty()) {
      return RouterState.absent();
    }
    Integer canaryPercent = null;
    Integer primaryPercent = null;
    String primary = KnativeServing.primaryRevision(service.get()).get();
    Object spec = service.get().getAdditionalProperties().get("spec");
    if (spec instanceof Map<?, ?> s && s.get("traffic") instanceof List<?> targets) {
      for (Object t : targets) {
        if (!(t instanceof Map<?, ?> target) || !(target.get("percent") instanceof Number percent)) {
          continue;
        }
        if (Boolean.TRUE.equals(target.get("latestRevision")) && canaryPercent == null) {
          canaryPercent = percent.intValue();
        } else if (primaryPercent == null && target.get("revisionName") != null) {
          primaryPercent = percent.intValue();
        }
      }
    }
    if (canaryPercent == null || primaryPercent == null || canaryPercent + primaryPercent != 100) {
      return new RouterState(Optional.empty(), false, "Knative Service " + service.get().getMetadata().getName()
          + " has no latestRevision/" + primary + " traffic split yet");
    }
    Weights weights = new Weights(primaryPercent, canaryPercent, false);
    long generation = service.get().getMetadata().getGeneration() == null ? 0
        : service.get().getMetadata().getGeneration();
    long observed = observedGeneration(service.get());
    if (observed < generation) {
      return new RouterState(Optional.of(weights), false, "waiting for Knative to reconcile generation " + generation
          + " of Service " + service.get().getMetadata().getName() + " (observed " + observed + ")");
    }
    return RouterState.accepted(weights);
  }

  private static long observedGeneration(GenericKubernetesResource service) {
    Object status = service.getAdditionalProperties().get("status");
    return status instanceof Map<?, ?> st && st.get("observedGeneration") instanceof Number n ? n.longValue() : 0;
  }

  /** Bunting's {@code spec.traffic} withdrawn (an apply without it). */
  @Override
  public List<HasMetadata> revertedObjects(Canary canary, CachedObjects cached) {
    if (cached.get(objects(canary).get(0)).isEmpty()) {
      return List.of();
    }
    GenericKubernetesResource withdrawn = new GenericKubernetesResource();
    withdrawn.setApiVersion(KnativeServing.API_VERSION);
    withdrawn.setKind("Service");
    ObjectMeta meta = new ObjectMeta();
    meta.setName(canary.getSpec().targetRef.name);
    meta.setNamespace(canary.getMetadata().getNamespace());
    withdrawn.setMetadata(meta);
    return List.of(withdrawn);
  }

  @Override
  public boolean supportsWeights() {
    return true;
  }
}
