package dev.bunting.api;

/** {@code targetRef}, {@code ingressRef}, {@code routeRef}, {@code upstreamRef}: a reference to another object. */
public class ObjectReference extends ApiObject {
  public String apiVersion;
  public String kind;
  public String name;
  /** Only {@code upstreamRef} (Gloo) carries a namespace; the others live in the Canary's namespace. */
  public String namespace;

  public ObjectReference() {}

  public ObjectReference(String apiVersion, String kind, String name) {
    this.apiVersion = apiVersion;
    this.kind = kind;
    this.name = name;
  }
}
