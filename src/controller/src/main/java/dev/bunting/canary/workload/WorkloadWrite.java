package dev.bunting.canary.workload;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * A write a {@link Workload} asks for; the reconciler carries it out on the worker pool. Pure data.
 */
public sealed interface WorkloadWrite {

  /**
   * Server-side apply of {@code object} (field manager {@code bunting}, or {@code bunting/<managerSuffix>} when a
   * suffix is given, so two kinds of write to one object do not take each other's fields away). With
   * {@code onlyIfChanged}, nothing is sent when the cached object already has every field.
   */
  record Apply(HasMetadata object, String managerSuffix, boolean onlyIfChanged) implements WorkloadWrite {
    public static Apply always(HasMetadata object) {
      return new Apply(object, null, false);
    }

    public static Apply ifChanged(HasMetadata object) {
      return new Apply(object, null, true);
    }
  }

  /**
   * A JSON merge patch of the object {@code target} names (kind, apiVersion, namespace, name): used where a field
   * Bunting added must go away whoever owns it now, e.g. the DaemonSet scale-to-zero node selector.
   */
  record MergePatch(HasMetadata target, String patch) implements WorkloadWrite {}
}
