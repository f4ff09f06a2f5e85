package dev.bunting.canary;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.WebhookType;

/**
 * Fire-and-forget notifications: alerts to AlertProviders (or the global notifier), {@code event} webhooks for every
 * Event recorded, and {@code post-rollout} hooks. Delivery happens asynchronously and never delays a reconcile.
 */
public interface CanaryNotifier {
  void alert(Canary canary, CanaryPlan.Note alert);

  void event(Canary canary, CanaryPlan.Note event);

  void hooks(Canary canary, WebhookType type, CanaryPhase phase);

  /** Notifies nobody; for tests and for installations without alerting. */
  CanaryNotifier NONE = new CanaryNotifier() {
    @Override
    public void alert(Canary canary, CanaryPlan.Note alert) {}

    @Override
    public void event(Canary canary, CanaryPlan.Note event) {}

    @Override
    public void hooks(Canary canary, WebhookType type, CanaryPhase phase) {}
  };
}
