package dev.bunting.canary;

import dev.bunting.api.AlertProvider;
import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.CanaryStatus;
import dev.bunting.api.CanaryWebhook;
import dev.bunting.api.WebhookType;
import dev.bunting.hooks.EventType;
import dev.bunting.hooks.EventWebhookDispatcher;
import dev.bunting.hooks.WebhookContext;
import dev.bunting.hooks.WebhookRunner;
import dev.bunting.kube.EventRecorder;
import dev.bunting.logging.ObjectLog;
import dev.bunting.notify.Alert;
import dev.bunting.notify.AlertNotifier;
import dev.bunting.notify.AlertSeverity;
import dev.bunting.notify.ResolvedAlertProvider;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a canary's alerts (AlertProviders from the caches, or the global notifier), {@code event} webhooks and
 * {@code post-rollout} hooks, asynchronously. Failures are logged (without URLs) and, for post-rollout hooks, recorded
 * as a Warning Event; they never affect the release.
 */
public final class CanaryNotifications implements CanaryNotifier {
  private static final Logger LOG = LoggerFactory.getLogger(CanaryNotifications.class);

  private final AlertNotifier alerts;
  private final EventWebhookDispatcher eventHooks;
  private final WebhookRunner hooks;
  private final CanaryCaches caches;
  private final EventRecorder events;

  public CanaryNotifications(AlertNotifier alerts, EventWebhookDispatcher eventHooks, WebhookRunner hooks,
      CanaryCaches caches, EventRecorder events) {
    this.alerts = alerts;
    this.eventHooks = eventHooks;
    this.hooks = hooks;
    this.caches = caches;
    this.events = events;
  }

  @Override
  public void alert(Canary canary, CanaryPlan.Note alert) {
    AlertSeverity severity = AlertSeverity.threshold(alert.severity()).orElse(AlertSeverity.INFO);
    alerts.send(Alert.of(canary, alert.message(), severity, true), canary.getSpec().effectiveAnalysis().alerts,
        this::provider).onSuccess(deliveries -> deliveries.forEach(d -> ObjectLog.of(LOG, "Canary",
            canary.getMetadata().getNamespace(), canary.getMetadata().getName()).debug("alert {}", d)));
  }

  @Override
  public void event(Canary canary, CanaryPlan.Note event) {
    EventType type = "Warning".equals(event.severity()) ? EventType.WARNING : EventType.NORMAL;
    eventHooks.dispatch(webhooks(canary), context(canary, phaseOf(canary)), event.message(), type);
  }

  @Override
  public void hooks(Canary canary, WebhookType type, CanaryPhase phase) {
    hooks.run(type, webhooks(canary), context(canary, phase)).onSuccess(run -> run.results().stream()
        .filter(r -> !r.success())
        .forEach(r -> {
          String message = type.wire() + " hook " + r.hook() + " failed: " + r.message();
          ObjectLog.of(LOG, "Canary", canary.getMetadata().getNamespace(), canary.getMetadata().getName())
              .warn(message);
          events.record(canary, EventRecorder.WARNING, CanaryDecider.REASON_SYNCED, message);
        }));
  }

  static WebhookContext context(Canary canary, CanaryPhase phase) {
    String checksum = canary.getStatus() == null ? "" : canary.getStatus().lastAppliedSpec;
    return WebhookContext.of(canary, phase, checksum);
  }

  /**
   * The context of a check the decider asked for. Its Git commit is the one of the run in flight
   * ({@code status.gitRevision}), and otherwise the target's ({@code snapshot.gitRevision()}): a check may decide
   * whether a new revision starts (confirm-rollout) before the status names it.
   */
  static WebhookContext context(CanarySnapshot snapshot, CanaryPhase phase) {
    Canary canary = snapshot.canary();
    CanaryStatus status = canary.getStatus();
    boolean running = status != null && (status.phaseOrNew().inFlight() || status.phaseOrNew() == CanaryPhase.WAITING);
    return WebhookContext.of(canary, phase, status == null ? "" : status.lastAppliedSpec,
        running && status.gitRevision != null ? status.gitRevision : snapshot.gitRevision());
  }

  static List<CanaryWebhook> webhooks(Canary canary) {
    List<CanaryWebhook> w = canary.getSpec().effectiveAnalysis().webhooks;
    return w == null ? List.of() : w;
  }

  private static CanaryPhase phaseOf(Canary canary) {
    return canary.getStatus() == null ? CanaryPhase.NEW : canary.getStatus().phaseOrNew();
  }

  private Optional<ResolvedAlertProvider> provider(String namespace, String name) {
    return caches.alertProviders().get(namespace, name).map(p -> {
      AlertProvider.Spec spec = p.getSpec();
      Map<String, String> data = spec.secretRef == null || spec.secretRef.name == null ? Map.of()
          : caches.secrets().get(namespace, spec.secretRef.name).map(CanaryNotifications::decode).orElse(Map.of());
      return new ResolvedAlertProvider(spec, data);
    });
  }

  /** A Secret's data, base64-decoded. */
  public static Map<String, String> decode(Secret secret) {
    Map<String, String> out = new LinkedHashMap<>();
    if (secret.getData() != null) {
      secret.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (secret.getStringData() != null) {
      out.putAll(secret.getStringData());
    }
    return out;
  }
}
