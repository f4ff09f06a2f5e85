package dev.bunting.canary.router;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryAnalysis;
import java.util.ArrayList;
import java.util.List;

/**
 * The analysis features a provider's router cannot honour, rejected up front with a message naming the field, instead
 * of being ignored as Flagger's routers ignore them (a router without header routing sends every request to the
 * canary during an A/B run).
 */
final class RouterFeatures {
  private RouterFeatures() {}

  /**
   * Errors for {@code analysis.mirror}, {@code analysis.sessionAffinity}, and, unless the router routes A/B tests,
   * {@code analysis.match}.
   */
  static List<String> unsupported(Canary canary, String provider, boolean abTesting) {
    List<String> errors = new ArrayList<>();
    if (canary.getSpec() == null) {
      return errors;
    }
    CanaryAnalysis analysis = canary.getSpec().effectiveAnalysis();
    if (analysis.mirrorEnabled()) {
      errors.add("spec.analysis.mirror (traffic mirroring) is not supported by provider " + provider
          + ": its routing objects cannot mirror requests");
    }
    if (analysis.sessionAffinity != null) {
      errors.add("spec.analysis.sessionAffinity (sticky canary sessions) is not supported by provider " + provider);
    }
    if (!abTesting && analysis.match != null && !analysis.match.isEmpty()) {
      errors.add("spec.analysis.match (A/B testing) is not supported by provider " + provider
          + ": it cannot route by request, so every request would reach the canary");
    }
    return errors;
  }

  /** Weights read back from a routing object: accepted when both are there and add up to 100. */
  static RouterState readWeights(String object, String primaryName, Integer primary, String canaryName,
      Integer canary) {
    if (primary == null || canary == null) {
      return new RouterState(java.util.Optional.empty(), false, object + " has no weight for "
          + (primary == null ? primaryName : canaryName));
    }
    if (primary < 0 || canary < 0 || primary + canary != 100) {
      return new RouterState(java.util.Optional.empty(), false, object + " has weights " + primary + "/" + canary
          + " for " + primaryName + "/" + canaryName + ", which do not add up to 100");
    }
    return RouterState.accepted(new Weights(primary, canary, false));
  }

  /** The fields of a match entry besides {@code name} and {@code headers}. */
  static List<String> otherMatchFields(dev.bunting.api.HttpMatchRequest m) {
    List<String> out = new ArrayList<>();
    if (m.uri != null) {
      out.add("uri");
    }
    if (m.scheme != null) {
      out.add("scheme");
    }
    if (m.method != null) {
      out.add("method");
    }
    if (m.authority != null) {
      out.add("authority");
    }
    if (m.port != null) {
      out.add("port");
    }
    if (m.sourceLabels != null && !m.sourceLabels.isEmpty()) {
      out.add("sourceLabels");
    }
    if (m.gateways != null && !m.gateways.isEmpty()) {
      out.add("gateways");
    }
    if (m.queryParams != null && !m.queryParams.isEmpty()) {
      out.add("queryParams");
    }
    if (m.ignoreUriCase != null) {
      out.add("ignoreUriCase");
    }
    if (m.withoutHeaders != null && !m.withoutHeaders.isEmpty()) {
      out.add("withoutHeaders");
    }
    if (m.sourceNamespace != null) {
      out.add("sourceNamespace");
    }
    return out;
  }

  /**
   * Throws when {@code router} cannot build objects for {@code canary} ({@link TrafficRouter#validate}, then
   * {@link TrafficRouter#problems}); the engine never asks then, since both are reported as problems first.
   */
  static void requireUsable(TrafficRouter router, Canary canary, CachedObjects cached) {
    List<String> errors = new ArrayList<>(router.validate(canary));
    if (errors.isEmpty()) {
      errors.addAll(router.problems(canary, cached));
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("Canary " + canary.getMetadata().getNamespace() + "/"
          + canary.getMetadata().getName() + " cannot be routed by provider " + router.provider() + ": "
          + String.join("; ", errors));
    }
  }
}
