package dev.bunting.hooks;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import java.time.Duration;
import java.util.Objects;

/**
 * What a webhook call needs to know about the canary: its identity, the phase to report, the revision checksum
 * and the analysis interval, which bounds the time spent retrying.
 *
 * @param name the Canary's name
 * @param namespace the Canary's namespace
 * @param phase the phase written into the payload (Flagger sends {@code Progressing} for most hook types)
 * @param checksum the revision checksum computed by the engine; sent as is
 * @param interval the analysis interval; retries of one hook never run past it
 */
public record WebhookContext(String name, String namespace, CanaryPhase phase, String checksum, Duration interval) {

  public WebhookContext {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(namespace, "namespace");
    phase = phase == null ? CanaryPhase.NEW : phase;
    checksum = checksum == null ? "" : checksum;
    interval = interval == null || interval.isNegative() || interval.isZero() ? Duration.ofSeconds(60) : interval;
  }

  /** The context for {@code canary} with the given phase and checksum; the interval comes from its analysis. */
  public static WebhookContext of(Canary canary, CanaryPhase phase, String checksum) {
    Duration interval = canary.getSpec() == null
        ? Duration.ofSeconds(60)
        : canary.getSpec().effectiveAnalysis().intervalDuration();
    return new WebhookContext(canary.getMetadata().getName(), canary.getMetadata().getNamespace(), phase, checksum,
        interval);
  }

  /** The same canary reported with another phase. */
  public WebhookContext withPhase(CanaryPhase newPhase) {
    return new WebhookContext(name, namespace, newPhase, checksum, interval);
  }

  /** {@code namespace/name}, the key used in log lines. */
  public String key() {
    return namespace + "/" + name;
  }
}
