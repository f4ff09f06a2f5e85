package dev.bunting.notify;

import dev.bunting.api.Canary;
import java.time.Instant;
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
 * @param phase the Canary's phase the alert is about (e.g. {@code Progressing}, {@code Failed}); empty when unknown
 * @param revision the revision under analysis ({@code status.lastAppliedSpec}); empty when unknown
 * @param time when the alert was sent; null until {@link AlertNotifier} stamps it
 */
public record Alert(String canaryName, String namespace, String message, AlertSeverity severity,
    List<AlertField> fields, String phase, String revision, Instant time) {

  public Alert {
    Objects.requireNonNull(canaryName, "canaryName");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(severity, "severity");
    message = message == null ? "" : message;
    fields = fields == null ? List.of() : List.copyOf(fields);
    phase = phase == null ? "" : phase;
    revision = revision == null ? "" : revision;
  }

  /** An alert without phase, revision or time. */
  public Alert(String canaryName, String namespace, String message, AlertSeverity severity, List<AlertField> fields) {
    this(canaryName, namespace, message, severity, fields, "", "", null);
  }

  /**
   * An alert about {@code canary}; with {@code withMetadata} it carries Flagger's fields ({@code Target},
   * {@code Failed checks threshold}, {@code Progress deadline}, {@code Traffic routing}), built from the target kind and
   * the analysis. The phase and revision come from the Canary's status.
   */
  public static Alert of(Canary canary, String message, AlertSeverity severity, boolean withMetadata) {
    var status = canary.getStatus();
    return new Alert(canary.getMetadata().getName(), canary.getMetadata().getNamespace(), message, severity,
        withMetadata ? CanaryAlertFields.of(canary) : List.of(), status == null ? "" : status.phaseOrNew().wire(),
        status == null ? "" : status.lastAppliedSpec, null);
  }

  /** This alert raised at {@code at}. */
  public Alert at(Instant at) {
    return new Alert(canaryName, namespace, message, severity, fields, phase, revision, at);
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
