package dev.bunting.canary.router;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;

/**
 * The owner reference that ties a generated object to its Canary (so the garbage collector deletes it with the
 * Canary), and Flagger's rule for telling whether an existing object belongs to a Canary.
 */
public final class CanaryOwnership {
  private CanaryOwnership() {}

  /** {@code {apiVersion: flagger.app/v1beta1, kind: Canary, name, uid, controller: true, blockOwnerDeletion: true}}. */
  public static OwnerReference reference(Canary canary) {
    return canary.controllerReference();
  }

  /**
   * Whether {@code object}'s controller reference is a Canary of this name (Flagger's {@code isOwnedByCanary}: kind and
   * name, any {@code flagger.app} version, so objects that Flagger created are recognised too).
   */
  public static boolean isControlledBy(HasMetadata object, Canary canary) {
    if (object.getMetadata() == null || object.getMetadata().getOwnerReferences() == null) {
      return false;
    }
    return object.getMetadata().getOwnerReferences().stream()
        .filter(ref -> Boolean.TRUE.equals(ref.getController()))
        .anyMatch(ref -> "Canary".equals(ref.getKind())
            && ref.getApiVersion() != null && ref.getApiVersion().startsWith(Canary.GROUP + "/")
            && canary.getMetadata().getName().equals(ref.getName()));
  }
}
