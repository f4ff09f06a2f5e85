package dev.bunting.api;

/** {@code ImagePolicy.spec.policy}: exactly one of the three. */
public class ImagePolicyChoice extends ApiObject {
  public SemverPolicy semver;
  public OrderPolicy alphabetical;
  public OrderPolicy numerical;

  /** {@code semver.range}: a range over the tags read as versions ({@code >=1.0.0 <2.0.0}, {@code ^1.2}, ...). */
  public static class SemverPolicy extends ApiObject {
    public String range;
  }

  /** {@code asc} (default: the last in ascending order wins) or {@code desc}. */
  public static class OrderPolicy extends ApiObject {
    public String order;
  }

  /** How many of the three are set (valid: exactly one). */
  public int kindCount() {
    return (semver != null ? 1 : 0) + (alphabetical != null ? 1 : 0) + (numerical != null ? 1 : 0);
  }
}
