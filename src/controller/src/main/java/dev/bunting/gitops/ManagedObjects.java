package dev.bunting.gitops;

import dev.bunting.kube.Informers;
import dev.bunting.kube.ResourceCache;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Watch caches of the objects GitSyncs manage: one per kind, filtered on the owner label, started (through the
 * controller's {@link Informers}) the first time a GitSync applies that kind. Drift checks and health read live
 * objects from here, so an idle GitSync sends no GETs; a change to a managed object calls the listener with the owning
 * GitSync's key ({@code namespace/name}).
 */
final class ManagedObjects {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private final Informers informers;
  private final ApiDiscovery discovery;
  private final Consumer<String> ownerChanged;

  ManagedObjects(Informers informers, ApiDiscovery discovery, Consumer<String> ownerChanged) {
    this.informers = informers;
    this.discovery = discovery;
    this.ownerChanged = ownerChanged;
  }

  /**
   * Watches these kinds (those not watched yet); completes once every one of them is loaded. Never blocks. A kind the
   * controller may not list and watch fails with a message that says which grant is missing.
   */
  Future<Void> watch(Collection<ResourceDefinitionContext> kinds) {
    List<Future<ResourceCache<GenericKubernetesResource>>> started = kinds.stream().distinct()
        .map(k -> informers.watchLabelled(k, OwnerLabels.NAME, this::notifyOwner)
            .recover(e -> Future.failedFuture(forbidden(e) ? new IllegalStateException(forbiddenMessage(k), e) : e)))
        .toList();
    return Future.all(started).mapEmpty();
  }

  private static boolean forbidden(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof KubernetesClientException k && k.getCode() == 403) {
        return true;
      }
    }
    return false;
  }

  /**
   * Why a watch was refused and what to do: the controller's own identity (not the GitSync's ServiceAccount) lists
   * and watches every kind a GitSync applies, and a least-privilege install grants that for some kinds only.
   */
  private String forbiddenMessage(ResourceDefinitionContext ctx) {
    String namespace = informers.namespace();
    String resource = ctx.getPlural() + (ctx.getGroup() == null || ctx.getGroup().isEmpty() ? "" : "." + ctx.getGroup());
    String where = namespace != null && ctx.isNamespaceScoped() ? "in namespace " + namespace
        : ctx.isNamespaceScoped() ? "in all namespaces" : "(cluster-scoped)";
    return "Bunting may not list and watch " + resource + " " + where + ": its own ServiceAccount follows every"
        + " object a GitSync applies (drift and health), so it needs list and watch on each kind applied. Grant them"
        + " (Helm chart: add {apiGroups: [\"" + (ctx.getGroup() == null ? "" : ctx.getGroup()) + "\"], resources: [\""
        + ctx.getPlural() + "\"]} to gitsync.watchResources) and the next sync goes on";
  }

  /** The cached live object, if its kind is watched and it exists. */
  Optional<GenericKubernetesResource> get(ResourceDefinitionContext ctx, String namespace, String name) {
    return informers.labelled(ctx, OwnerLabels.NAME).flatMap(c -> c.get(namespace, name));
  }

  /**
   * The health of {@code keys} (but {@code skipped}) from the watch caches: no requests, blocking only for a discovery
   * miss. An object of a kind the server does not serve is left out; one not in the cache yet is in progress.
   */
  Map<ObjectKey, Health> health(List<ObjectKey> keys, Set<ObjectKey> skipped) {
    Map<ObjectKey, Health> out = new LinkedHashMap<>();
    for (ObjectKey k : keys) {
      if (skipped.contains(k)) {
        continue;
      }
      Optional<ResourceDefinitionContext> ctx = discovery.find(k.apiVersion(), k.kind());
      if (ctx.isEmpty()) {
        continue;
      }
      Optional<GenericKubernetesResource> obj = get(ctx.get(), k.namespace(), k.name());
      if (obj.isEmpty()) {
        out.put(k, Health.inProgress("not yet observed"));
        continue;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = JSON.convertValue(obj.get(), Map.class);
      out.put(k, HealthRules.evaluate(map));
    }
    return out;
  }

  private void notifyOwner(GenericKubernetesResource obj) {
    Map<String, String> labels = obj.getMetadata().getLabels();
    if (labels == null) {
      return;
    }
    String name = labels.get(OwnerLabels.NAME);
    String ns = labels.get(OwnerLabels.NAMESPACE);
    if (name != null && ns != null) {
      ownerChanged.accept(ns + "/" + name);
    }
  }
}
