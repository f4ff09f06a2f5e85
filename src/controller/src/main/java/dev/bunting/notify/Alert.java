package dev.bunting.notify;

import dev.bunting.api.Canary;
import java.util.List;
import java.util.Objects;

/**
 * A canary alert as the engine produces it: which canary, what happened, how serious, and the metadata fields.
 * The {@code Cluster} field is added at delivery time when a cluster name is configured.
 *
 * @param canaryName the Canary's name
 * @param namespace the Canary's namespace
 * @param message e.g. {@code "New revision detected, progressing canary analysis."}
 * @param severity decides which providers receive it and the colour
 * @param fields metadata lines, in order (see {@link CanaryAlertFields})
 */
public record Alert(String canaryName, String namespace, String message, AlertSeverity severity,
    List<AlertField> fields) {

  public Alert {
    Objects.requireNonNull(canaryName, "canaryName");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(severity, "severity");
    message = message == null ? "" : message;
    fields = fields == null ? List.of() : List.copyOf(fields);
  }

  /**
   * An alert about {@code canary}; with {@code withMetadata} it carries Flagger's fields ({@code Target},
   * {@code Failed checks threshold}, {@code Progress deadline}, {@code Traffic routing}), built from the target kind and
   * the analysis.
   */
  public static Alert of(Canary canary, String message, AlertSeverity severity, boolean withMetadata) {
    return new Alert(canary.getMetadata().getName(), canary.getMetadata().getNamespace(), message, severity,
        withMetadata ? CanaryAlertFields.of(canary) : List.of());
  }

  /** {@code <name>.<namespace>}: Slack's {@code author_name}, Teams' subtitle, Google Chat's subtitle. */
  public String source() {
    return canaryName + "." + namespace;
  }

  /** {@code namespace/name}, for log lines. */
  public String key() {
    return namespace + "/" + canaryName;
  }
}
