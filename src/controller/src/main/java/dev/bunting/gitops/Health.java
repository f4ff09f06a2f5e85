package dev.bunting.gitops;

/** The kstatus verdict on one object: Current (healthy), InProgress, or Failed; with a human message. */
public record Health(Status status, String message) {
  public enum Status { CURRENT, IN_PROGRESS, FAILED }

  public static Health current(String message) {
    return new Health(Status.CURRENT, message);
  }

  public static Health inProgress(String message) {
    return new Health(Status.IN_PROGRESS, message);
  }

  public static Health failed(String message) {
    return new Health(Status.FAILED, message);
  }

  public boolean isCurrent() {
    return status == Status.CURRENT;
  }

  public boolean isFailed() {
    return status == Status.FAILED;
  }
}
