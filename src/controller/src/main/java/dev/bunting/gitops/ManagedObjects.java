package dev.bunting.gitops;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watch caches of the objects GitSyncs manage: one informer per kind, filtered on the owner label, started the first
 * time a GitSync applies that kind. Drift checks and health read live objects from here, so an idle GitSync sends no
 * GETs; a change to a managed object calls the listener with the owning GitSync's key ({@code namespace/name}).
 */
final class ManagedObjects {
  private static final Logger LOG = LoggerFactory.getLogger(ManagedObjects.class);

  private final KubernetesClient client;
  private final String namespace;
  private final Consumer<String> ownerChanged;
  private final Map<String, SharedIndexInformer<GenericKubernetesResource>> informers = new ConcurrentHashMap<>();

  /** {@code namespace}: watch namespaced kinds in this namespace only (the controller's {@code --namespace}); null: all. */
  ManagedObjects(KubernetesClient client, String namespace, Consumer<String> ownerChanged) {
    this.client = client;
    this.namespace = namespace;
    this.ownerChanged = ownerChanged;
  }

  private static String id(ResourceDefinitionContext ctx) {
    return ctx.getGroup() + "/" + ctx.getVersion() + "/" + ctx.getPlural();
  }

  /** Starts watching a kind unless already watched; blocks until the first list is loaded. */
  void watch(ResourceDefinitionContext ctx) {
    String id = id(ctx);
    if (informers.containsKey(id)) {
      return;
    }
    synchronized (this) {
      if (informers.containsKey(id)) {
        return;
      }
      var ops = client.genericKubernetesResources(ctx);
      SharedIndexInformer<GenericKubernetesResource> inf = (namespace != null && ctx.isNamespaceScoped()
          ? ops.inNamespace(namespace).withLabel(OwnerLabels.NAME)
          : ops.inAnyNamespace().withLabel(OwnerLabels.NAME)).runnableInformer(0);
      inf.addEventHandler(new ResourceEventHandler<>() {
        @Override
        public void onAdd(GenericKubernetesResource obj) {
          notifyOwner(obj);
        }

        @Override
        public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
          notifyOwner(newObj);
        }

        @Override
        public void onDelete(GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {
          notifyOwner(obj);
        }
      });
      try {
        inf.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        inf.stop();
        if (forbidden(e)) {
          throw new IllegalStateException(forbiddenMessage(ctx), e);
        }
        throw new IllegalStateException("cannot watch " + id + ": " + e.getMessage(), e);
      }
      informers.put(id, inf);
      LOG.debug("watching {}", id);
    }
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
    String resource = ctx.getPlural() + (ctx.getGroup() == null || ctx.getGroup().isEmpty() ? "" : "." + ctx.getGroup());
    String where = namespace != null && ctx.isNamespaceScoped() ? "in namespace " + namespace
        : ctx.isNamespaceScoped() ? "in all namespaces" : "(cluster-scoped)";
    return "Bunting may not list and watch " + resource + " " + where + ": its own ServiceAccount follows every"
        + " object a GitSync applies (drift and health), so it needs list and watch on each kind applied. Grant them"
        + " (Helm chart: add {apiGroups: [\"" + (ctx.getGroup() == null ? "" : ctx.getGroup()) + "\"], resources: [\""
        + ctx.getPlural() + "\"]} to gitsync.watchResources) and the next sync goes on";
  }

  boolean watched(ResourceDefinitionContext ctx) {
    return informers.containsKey(id(ctx));
  }

  /** The cached live object, if watched and present. */
  Optional<GenericKubernetesResource> get(ResourceDefinitionContext ctx, String namespace, String name) {
    SharedIndexInformer<GenericKubernetesResource> inf = informers.get(id(ctx));
    if (inf == null) {
      return Optional.empty();
    }
    String key = namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
    return Optional.ofNullable(inf.getStore().getByKey(key));
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

  void stop() {
    informers.values().forEach(SharedIndexInformer::stop);
    informers.clear();
  }
}
