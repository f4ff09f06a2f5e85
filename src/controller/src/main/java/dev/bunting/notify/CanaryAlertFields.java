package dev.bunting.notify;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryAnalysis;
import dev.bunting.api.CanarySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Flagger's alert metadata for a canary, in Flagger's order:
 * <ul>
 *   <li>{@code Target}: {@code <Kind>/<name>.<namespace>}</li>
 *   <li>{@code Failed checks threshold}: the analysis threshold (default 1)</li>
 *   <li>{@code Progress deadline}: {@code 600s}</li>
 *   <li>{@code Traffic routing}, only when it says something: {@code Weight step: S max: M} (when {@code stepWeight}
 *       is set), else {@code Weight steps: a,b,c max: M}, else {@code A/B Testing} (with {@code match}), else
 *       {@code Blue/Green} (with {@code iterations})</li>
 *   <li>{@code Git revision} (Bunting), only when a GitSync applied the revision: {@code main@sha1:0123456789ab
 *       "commit subject"}</li>
 * </ul>
 * {@code max} is the effective maximum weight (Flagger prints the raw field, which reads 0 when unset).
 */
public final class CanaryAlertFields {
  private CanaryAlertFields() {}

  /** The metadata fields of {@code canary}. */
  public static List<AlertField> of(Canary canary) {
    CanarySpec spec = canary.getSpec() == null ? new CanarySpec() : canary.getSpec();
    CanaryAnalysis analysis = spec.effectiveAnalysis();
    String namespace = canary.getMetadata().getNamespace();
    String kind = spec.targetRef == null || spec.targetRef.kind == null ? "" : spec.targetRef.kind;
    String target = spec.targetRef == null || spec.targetRef.name == null ? "" : spec.targetRef.name;

    List<AlertField> fields = new ArrayList<>(4);
    fields.add(new AlertField("Target", kind + "/" + target + "." + namespace));
    fields.add(new AlertField("Failed checks threshold", Integer.toString(analysis.thresholdOrDefault())));
    fields.add(new AlertField("Progress deadline", spec.progressDeadlineSecondsOrDefault() + "s"));
    String routing = trafficRouting(analysis);
    if (routing != null) {
      fields.add(new AlertField("Traffic routing", routing));
    }
    if (canary.getStatus() != null && canary.getStatus().gitRevision != null
        && canary.getStatus().gitRevision.revision != null) {
      fields.add(new AlertField("Git revision", canary.getStatus().gitRevision.describe()));
    }
    return fields;
  }

  private static String trafficRouting(CanaryAnalysis analysis) {
    if (analysis.stepWeightOrZero() > 0) {
      return "Weight step: " + analysis.stepWeightOrZero() + " max: " + analysis.maxWeightOrDefault();
    }
    if (analysis.stepWeights != null && !analysis.stepWeights.isEmpty()) {
      String steps = analysis.stepWeights.stream().map(String::valueOf).collect(Collectors.joining(","));
      return "Weight steps: " + steps + " max: " + analysis.maxWeightOrDefault();
    }
    if (analysis.match != null && !analysis.match.isEmpty()) {
      return "A/B Testing";
    }
    if (analysis.iterationsOrZero() > 0) {
      return "Blue/Green";
    }
    return null;
  }
}
