package dev.bunting.api;

/**
 * {@code targetRef}, {@code ingressRef}, {@code routeRef}, {@code autoscalerRef}: a reference to another object in the
 * Canary's namespace (the CRD declares no namespace for them; {@link UpstreamReference} is the exception).
 */
public class ObjectReference extends ApiObject {
  public String apiVersion;
  public String kind;
  public String name;

  public ObjectReference() {}

  public ObjectReference(String apiVersion, String kind, String name) {
    this.apiVersion = apiVersion;
    this.kind = kind;
    this.name = name;
  }
}
