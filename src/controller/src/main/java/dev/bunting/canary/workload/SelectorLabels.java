package dev.bunting.canary.workload;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The labels that may identify a target's pods, in order of preference (Flagger's {@code -selector-labels}, default
 * {@code app,name,app.kubernetes.io/name}). The first one present in {@code spec.selector.matchLabels} is the
 * selector label; the primary uses {@code <value>-primary}.
 */
public final class SelectorLabels {
  public static final List<String> DEFAULT = List.of("app", "name", "app.kubernetes.io/name");

  private final List<String> labels;

  public SelectorLabels(List<String> labels) {
    this.labels = List.copyOf(labels);
  }

  public List<String> labels() {
    return labels;
  }

  /** The selector label and value of {@code target}, or empty when none of the labels is in its selector. */
  public Optional<Map.Entry<String, String>> find(Deployment target) {
    return find(target.getSpec() == null ? null : target.getSpec().getSelector());
  }

  /** The selector label and value of a workload's pod selector, or empty when none of the labels is in it. */
  public Optional<Map.Entry<String, String>> find(LabelSelector selector) {
    if (selector == null) {
      return Optional.empty();
    }
    Map<String, String> match = selector.getMatchLabels();
    if (match == null) {
      return Optional.empty();
    }
    for (String l : labels) {
      String v = match.get(l);
      if (v != null && !v.isEmpty()) {
        return Optional.of(Map.entry(l, v));
      }
    }
    return Optional.empty();
  }

  /** Flagger's error text when the selector has none of the labels. */
  public String missingMessage() {
    return "spec.selector.matchLabels must contain one of " + labels;
  }
}
