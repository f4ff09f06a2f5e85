package dev.bunting.hooks;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryGitRevision;
import dev.bunting.api.CanaryPhase;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * @param git the Git commit behind the revision, when a GitSync applied it (Bunting): its metadata keys
 *     {@code gitRevision}, {@code gitCommitSubject}, {@code gitSync} are added to payloads; null otherwise
 */
public record WebhookContext(String name, String namespace, CanaryPhase phase, String checksum, Duration interval,
    CanaryGitRevision git) {

  /** Metadata key of payloads: the Git revision behind the canary's revision (Bunting). */
  public static final String GIT_REVISION = "gitRevision";
  /** Metadata key of payloads: the first line of that commit's message (Bunting). */
  public static final String GIT_COMMIT_SUBJECT = "gitCommitSubject";
  /** Metadata key of payloads: the GitSync that applied it, {@code namespace/name} (Bunting). */
  public static final String GIT_SYNC = "gitSync";

  /** A context without a Git commit. */
  public WebhookContext(String name, String namespace, CanaryPhase phase, String checksum, Duration interval) {
    this(name, namespace, phase, checksum, interval, null);
  }

  public WebhookContext {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(namespace, "namespace");
    phase = phase == null ? CanaryPhase.NEW : phase;
    checksum = checksum == null ? "" : checksum;
    interval = interval == null || interval.isNegative() || interval.isZero() ? Duration.ofSeconds(60) : interval;
  }

  /**
   * The context for {@code canary} with the given phase and checksum; the interval comes from its analysis, the Git
   * commit from its {@code status.gitRevision}.
   */
  public static WebhookContext of(Canary canary, CanaryPhase phase, String checksum) {
    return of(canary, phase, checksum, canary.getStatus() == null ? null : canary.getStatus().gitRevision);
  }

  /** The same with the Git commit given ({@code git}: the revision about to be analysed, null for none). */
  public static WebhookContext of(Canary canary, CanaryPhase phase, String checksum, CanaryGitRevision git) {
    Duration interval = canary.getSpec() == null
        ? Duration.ofSeconds(60)
        : canary.getSpec().effectiveAnalysis().intervalDuration();
    return new WebhookContext(canary.getMetadata().getName(), canary.getMetadata().getNamespace(), phase, checksum,
        interval, git);
  }

  /** The same canary reported with another phase. */
  public WebhookContext withPhase(CanaryPhase newPhase) {
    return new WebhookContext(name, namespace, newPhase, checksum, interval, git);
  }

  /** The Git metadata keys of payloads (empty without a Git commit); the hook's own keys win over them. */
  public Map<String, String> gitMetadata() {
    if (git == null || git.revision == null) {
      return Map.of();
    }
    Map<String, String> m = new LinkedHashMap<>();
    m.put(GIT_REVISION, git.revision);
    if (git.subject != null && !git.subject.isEmpty()) {
      m.put(GIT_COMMIT_SUBJECT, git.subject);
    }
    if (git.gitSync != null) {
      m.put(GIT_SYNC, git.gitSync);
    }
    return m;
  }

  /** {@code namespace/name}, the key used in log lines. */
  public String key() {
    return namespace + "/" + name;
  }
}
