package dev.bunting.canary;

/**
 * The decider's answer: either a {@link CanaryPlan}, or a request to run one more check first ({@link Needs}); the
 * reconciler runs the check and asks again with its result.
 */
public sealed interface Decision {

  record Plan(CanaryPlan plan) implements Decision {}

  record Needs(CheckKind check) implements Decision {}
}
