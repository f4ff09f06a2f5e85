package dev.bunting.api;

/** {@code spec.upstreamRef}: the Gloo Upstream whose configuration is copied; the only reference that names a namespace. */
public class UpstreamReference extends ObjectReference {
  public String namespace;
}
