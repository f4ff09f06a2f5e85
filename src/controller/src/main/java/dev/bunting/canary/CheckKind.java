package dev.bunting.canary;

/** The external checks the decider may ask for; the reconciler runs them (webhooks, metric queries). */
public enum CheckKind {
  /** {@code confirm-rollout} hooks: passed = every hook allows the rollout. */
  CONFIRM_ROLLOUT,
  /** {@code pre-rollout} hooks: passed = every hook succeeded. */
  PRE_ROLLOUT,
  /** {@code rollout} hooks, then builtin and template metrics, in order: passed = no check failed. */
  ANALYSIS,
  /** {@code confirm-traffic-increase} hooks: passed = the gate is open. */
  CONFIRM_TRAFFIC_INCREASE,
  /** {@code confirm-promotion} hooks: passed = the gate is open. */
  CONFIRM_PROMOTION,
  /** {@code rollback} hooks: passed = no hook asks for a rollback (a 2xx answer is a request to roll back). */
  ROLLBACK
}
