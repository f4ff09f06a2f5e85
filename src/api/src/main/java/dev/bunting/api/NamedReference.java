package dev.bunting.api;

/**
 * A {@code {name, namespace}} reference: {@code templateRef}, {@code providerRef}, a GitSync's {@code dependsOn}.
 * Namespace defaults to the referrer's.
 */
public class NamedReference extends ApiObject {
  public String name;
  public String namespace;

  public NamedReference() {}

  public NamedReference(String name, String namespace) {
    this.name = name;
    this.namespace = namespace;
  }

  /** The namespace to look in: the reference's own, else the namespace of the object that refers. */
  public String namespaceOr(String referrerNamespace) {
    return namespace == null || namespace.isEmpty() ? referrerNamespace : namespace;
  }
}
