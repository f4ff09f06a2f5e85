package dev.bunting.api;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * {@code gitsyncs.bunting.dev/v1alpha1}: keeps the cluster equal to a path of a Git repository (server-side apply,
 * prune, drift correction, health). See {@code docs/gitsync.md}.
 */
@Group(GitSync.GROUP)
@Version(GitSync.VERSION)
@Kind("GitSync")
@Plural("gitsyncs")
@Singular("gitsync")
@ShortNames("gs")
public class GitSync extends CustomResource<GitSyncSpec, GitSyncStatus> implements Namespaced {
  public static final String GROUP = "bunting.dev";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;
  public static final String KIND = "GitSync";

  /** Any new value asks for an immediate sync; handled values are echoed in {@code status.lastHandledReconcileAt}. */
  public static final String REQUESTED_AT = "reconcile.bunting.dev/requestedAt";
  /** Flux's spelling of {@link #REQUESTED_AT}, honoured too (e.g. {@code flux reconcile}-style tooling). */
  public static final String FLUX_REQUESTED_AT = "reconcile.fluxcd.io/requestedAt";

  /**
   * Held on every GitSync the controller has seen, so that deleting the GitSync first deletes (or deliberately leaves)
   * its objects, as {@code spec.deletionPolicy} says; removed once that is done.
   */
  public static final String FINALIZER = "finalizers.bunting.dev";

  /** Label on every object a GitSync applies: the GitSync's name. */
  public static final String NAME_LABEL = "gitsync.bunting.dev/name";
  /** Label on every object a GitSync applies: the GitSync's namespace. */
  public static final String NAMESPACE_LABEL = "gitsync.bunting.dev/namespace";
  /**
   * Annotation GitSync puts on a Canary's target: the revision whose sync last changed the target (set only when its
   * applied content changes, in the same write). The canary engine reads it into {@code status.gitRevision}.
   */
  public static final String REVISION_ANNOTATION = "gitsync.bunting.dev/revision";
  /** Annotation next to {@link #REVISION_ANNOTATION}: the first line of that commit's message. */
  public static final String SUBJECT_ANNOTATION = "gitsync.bunting.dev/commit-subject";

  /** The value of the reconcile-request annotation (Bunting's wins over Flux's), or null. */
  public String requestedAt() {
    if (getMetadata() == null || getMetadata().getAnnotations() == null) {
      return null;
    }
    String v = getMetadata().getAnnotations().get(REQUESTED_AT);
    return v != null ? v : getMetadata().getAnnotations().get(FLUX_REQUESTED_AT);
  }
}
