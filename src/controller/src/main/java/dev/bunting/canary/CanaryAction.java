package dev.bunting.canary;

import dev.bunting.api.CanaryPhase;
import dev.bunting.api.WebhookType;
import dev.bunting.canary.router.Weights;

/**
 * An effect the reconciler carries out, in plan order. Every action is idempotent and writes only when the cluster
 * differs from what it asks for.
 */
public sealed interface CanaryAction {

  /** Create {@code <target>-primary} from the target if it does not exist (never changes an existing primary). */
  record EnsurePrimary() implements CanaryAction {}

  /** Make sure {@code <svc>-canary} and {@code <svc>-primary} exist and are current; with {@code apex}, also {@code <svc>}. */
  record EnsureServices(boolean apex) implements CanaryAction {}

  /** Make sure the routing object exists with these weights (nothing for providers without routing objects). */
  record SetRoutes(Weights weights) implements CanaryAction {}

  /** Scale the target (the canary) to {@code replicas}. */
  record ScaleTarget(int replicas) implements CanaryAction {}

  /** Copy the target's pod template (and settings) onto the primary, with a new {@code flagger-id}. */
  record Promote() implements CanaryAction {}

  /** Point the apex Service back at the target's pods (revert on deletion). */
  record RevertApexService() implements CanaryAction {}

  /** Give the user's own routing objects back as they were before the canary (revert on deletion). */
  record RevertRoutes() implements CanaryAction {}

  /** Call hooks of a type without waiting for their result (post-rollout). */
  record NotifyHooks(WebhookType type, CanaryPhase phase) implements CanaryAction {}

  /** Add Flagger's finalizer (revertOnDeletion). */
  record AddFinalizer() implements CanaryAction {}

  /** Remove Flagger's finalizer. */
  record RemoveFinalizer() implements CanaryAction {}
}
