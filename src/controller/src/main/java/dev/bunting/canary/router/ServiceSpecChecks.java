package dev.bunting.canary.router;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryService;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Checks on {@code spec.service} that every provider needs, since every provider generates the three Services. */
final class ServiceSpecChecks {
  private static final Set<String> TRAFFIC_DISTRIBUTIONS = Set.of("PreferClose", "PreferSameZone", "PreferSameNode");

  private ServiceSpecChecks() {}

  static List<String> validate(Canary canary) {
    List<String> errors = new ArrayList<>();
    if (canary.getSpec() == null || canary.getSpec().targetRef == null || canary.getSpec().targetRef.name == null) {
      errors.add("spec.targetRef.name is required");
    }
    CanaryService service = canary.getSpec() == null ? null : canary.getSpec().service;
    if (service == null) {
      errors.add("spec.service is required");
      return errors;
    }
    if (service.port == null) {
      errors.add("spec.service.port is required");
    } else if (service.port < 1 || service.port > 65535) {
      errors.add("spec.service.port must be between 1 and 65535, got " + service.port);
    }
    if (service.trafficDistribution != null && !service.trafficDistribution.isEmpty()
        && !TRAFFIC_DISTRIBUTIONS.contains(service.trafficDistribution)) {
      errors.add("spec.service.trafficDistribution must be one of PreferClose, PreferSameZone, PreferSameNode, got "
          + service.trafficDistribution);
    }
    return errors;
  }

  /** Throws when {@code router} finds {@code canary} invalid; routers build objects only for valid canaries. */
  static void requireValid(TrafficRouter router, Canary canary) {
    List<String> errors = router.validate(canary);
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("Canary " + canary.getMetadata().getNamespace() + "/"
          + canary.getMetadata().getName() + " is not valid for provider " + router.provider() + ": "
          + String.join("; ", errors));
    }
  }
}
