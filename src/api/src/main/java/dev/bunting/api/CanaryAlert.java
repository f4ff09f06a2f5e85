package dev.bunting.api;

/** {@code analysis.alerts[]}: an AlertProvider and the lowest severity sent to it. */
public class CanaryAlert extends ApiObject {
  public String name;
  /** {@code info} (default; Flagger never fires an empty severity, Bunting treats it as info), {@code warn}, {@code error}. */
  public String severity;
  public NamedReference providerRef;
}
