package dev.bunting.canary.router;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryAnalysis;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks of providers whose routing object only splits traffic by weight (SMI TrafficSplit, TraefikService, Kuma
 * TrafficRoute): canary and blue/green releases work; A/B testing, mirroring and sticky sessions cannot be expressed.
 * Flagger accepts those settings there and then ignores them (A/B testing even sends every request to the canary);
 * Bunting refuses them with a message naming the field.
 */
final class WeightOnlyChecks {
  private WeightOnlyChecks() {}

  /** The {@link ServiceSpecChecks}, plus one message per setting {@code provider} cannot honour. */
  static List<String> validate(Canary canary, String provider) {
    List<String> errors = new ArrayList<>(ServiceSpecChecks.validate(canary));
    if (canary.getSpec() == null) {
      return errors;
    }
    CanaryAnalysis analysis = canary.getSpec().effectiveAnalysis();
    String weightsOnly = " is not supported by provider " + provider + ", which splits traffic by weight only";
    if (analysis.match != null && !analysis.match.isEmpty()) {
      errors.add("spec.analysis.match (A/B testing)" + weightsOnly + " (every request would reach the canary); remove it"
          + " and release with stepWeight or iterations");
    }
    if (analysis.mirrorEnabled()) {
      errors.add("spec.analysis.mirror (traffic mirroring)" + weightsOnly + "; remove it");
    }
    if (analysis.sessionAffinity != null) {
      errors.add("spec.analysis.sessionAffinity (sticky canary sessions)" + weightsOnly + "; remove it");
    }
    return errors;
  }
}
