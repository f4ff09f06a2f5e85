package dev.bunting.api;

/** Flagger's release strategies; {@link #label()} is the {@code deployment_strategy} metric label. */
public enum DeploymentStrategy {
  CANARY("canary"),
  BLUE_GREEN("blue-green"),
  AB_TESTING("ab-testing");

  private final String label;

  DeploymentStrategy(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
