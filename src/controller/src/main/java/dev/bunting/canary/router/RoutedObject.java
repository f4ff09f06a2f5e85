package dev.bunting.canary.router;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * One object a router reads or writes for a canary: its kind (group, version, plural) and where it is. The controller
 * watches every such kind that the API server serves, reconciles a canary when one of its objects changes, and reports
 * a canary whose router needs a kind that is not installed.
 */
public record RoutedObject(ResourceDefinitionContext kind, String namespace, String name) {

  /** {@code group/version/plural}: the key of the cache that holds objects of this kind. */
  public static String kindKey(ResourceDefinitionContext kind) {
    return kind.getGroup() + "/" + kind.getVersion() + "/" + kind.getPlural();
  }

  /** {@code group/version/plural/namespace/name}, unique per object (cluster-scoped objects have an empty namespace). */
  public String key() {
    return key(kind, namespace, name);
  }

  public static String key(ResourceDefinitionContext kind, String namespace, String name) {
    return kindKey(kind) + "/" + (namespace == null ? "" : namespace) + "/" + name;
  }

  /** {@code Kind (group/version)}, for messages. */
  public static String describe(ResourceDefinitionContext kind) {
    return kind.getKind() + " (" + (kind.getGroup() == null || kind.getGroup().isEmpty() ? "core" : kind.getGroup())
        + "/" + kind.getVersion() + ")";
  }
}
