package dev.bunting.testing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.List;

/**
 * For tools that delete a whole namespace after stopping their own controller (the playground, the test support):
 * drops GitSync's finalizer ({@value #GITSYNC_FINALIZER}) from the namespace's GitSyncs so the namespace deletion is not
 * held by a finalizer no running controller will remove. The namespace deletion removes the GitSyncs' objects anyway.
 * Blocking.
 */
public final class NamespaceTeardown {
  /** {@code GITSYNC_FINALIZER} of the API module (the test kit does not depend on it; a test checks they agree). */
  public static final String GITSYNC_FINALIZER = "finalizers.bunting.dev";
  private static final ResourceDefinitionContext GIT_SYNCS = new ResourceDefinitionContext.Builder()
      .withGroup("bunting.dev").withVersion("v1alpha1").withKind("GitSync").withPlural("gitsyncs")
      .withNamespaced(true).build();

  private NamespaceTeardown() {}

  /** Releases every GitSync of {@code namespace}; returns how many were released. No-op without the GitSync CRD. */
  public static int releaseFinalizers(KubernetesClient client, String namespace) {
    List<GenericKubernetesResource> items;
    try {
      items = client.genericKubernetesResources(GIT_SYNCS).inNamespace(namespace).list().getItems();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return 0;
      }
      throw e;
    }
    int released = 0;
    for (GenericKubernetesResource gs : items) {
      List<String> finalizers = gs.getMetadata().getFinalizers();
      if (finalizers == null || !finalizers.contains(GITSYNC_FINALIZER)) {
        continue;
      }
      try {
        client.genericKubernetesResources(GIT_SYNCS).inNamespace(namespace).withName(gs.getMetadata().getName())
            .edit(g -> {
              List<String> kept = new ArrayList<>(g.getMetadata().getFinalizers());
              kept.remove(GITSYNC_FINALIZER);
              g.getMetadata().setFinalizers(kept);
              return g;
            });
        released++;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw e;
        }
      }
    }
    return released;
  }
}
