package dev.bunting.api;

/** {@code secretRef}: a Secret in the namespace of the object that holds the reference. */
public class SecretReference extends ApiObject {
  public String name;

  public SecretReference() {}

  public SecretReference(String name) {
    this.name = name;
  }
}
