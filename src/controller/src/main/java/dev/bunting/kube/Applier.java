package dev.bunting.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-side apply with one field manager, on the worker pool. {@link #applyIfChanged} skips the request when the
 * cached live object already has every desired field ({@link Subset}) and the manager owns no field the desired object
 * dropped ({@link AppliedFields}), so steady state costs no writes and a dropped field is still removed.
 */
public final class Applier {
  private static final Logger LOG = LoggerFactory.getLogger(Applier.class);
  private final KubernetesClient client;
  private final BlockingPool pool;
  private final String fieldManager;
  /**
   * apiVersion/kind/namespace/name → the live resourceVersion and the desired content last found applied; the least
   * recently checked are forgotten first (objects of deleted canaries), beyond {@link #REMEMBERED}.
   */
  private final Map<String, Applied> applied = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Applied> eldest) {
      return size() > REMEMBERED;
    }
  });
  private static final int REMEMBERED = 50_000;

  private record Applied(String liveVersion, long desired) {}

  public Applier(KubernetesClient client, BlockingPool pool, String fieldManager) {
    this.client = client;
    this.pool = pool;
    this.fieldManager = fieldManager;
  }

  public String fieldManager() {
    return fieldManager;
  }

  /** Applies {@code desired} (forcing conflicts: Bunting owns these fields). */
  public <T extends HasMetadata> Future<T> apply(T desired) {
    return apply(desired, fieldManager);
  }

  /**
   * Applies {@code desired} as another field manager, e.g. one per owner of a shared object, so each owner keeps its
   * own entries (owner references) in lists the others apply too.
   */
  public <T extends HasMetadata> Future<T> apply(T desired, String manager) {
    return pool.run(() -> client.resource(desired).fieldManager(manager).forceConflicts().serverSideApply());
  }

  /**
   * Applies {@code desired} as the whole spec of the object ({@link SpecOwnership}) unless {@code live} already equals
   * it: other managers' spec fields are first moved to this manager (a JSON patch of {@code metadata.managedFields}
   * that fails if the object changed since it was cached), so the apply removes the ones {@code desired} leaves out.
   * The written object, or null when nothing was sent.
   */
  public <T extends HasMetadata> Future<T> applyOwningSpec(T desired, HasMetadata live) {
    if (SpecOwnership.upToDate(live, desired)) {
      return Future.succeededFuture(null);
    }
    Optional<List<ManagedFieldsEntry>> fold = live == null ? Optional.empty()
        : SpecOwnership.plan(live, fieldManager, desired.getApiVersion(), Instant.now());
    return pool.run(() -> {
      if (fold.isPresent()) {
        LOG.info("{} {}/{}: taking over spec fields of {}", desired.getKind(), desired.getMetadata().getNamespace(),
            desired.getMetadata().getName(), String.join(", ", SpecOwnership.foreignSpecOwners(live, fieldManager)));
        String patch = "[{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":"
            + Serialization.asJson(live.getMetadata().getResourceVersion())
            + "},{\"op\":\"replace\",\"path\":\"/metadata/managedFields\",\"value\":"
            + Serialization.asJson(fold.get()) + "}]";
        client.resource(desired).patch(PatchContext.of(PatchType.JSON), patch);
      }
      return client.resource(desired).fieldManager(fieldManager).forceConflicts().serverSideApply();
    });
  }

  /**
   * Applies {@code desired} unless {@code live} already contains it and holds no field this manager applied before
   * that {@code desired} leaves out; the written object, or null when nothing was sent.
   */
  public <T extends HasMetadata> Future<T> applyIfChanged(T desired, HasMetadata live) {
    return applyIfChanged(desired, live == null ? null : live.getMetadata().getResourceVersion(), () -> live);
  }

  /**
   * As {@link #applyIfChanged(HasMetadata, HasMetadata)}, for a caller that can tell the live object's resourceVersion
   * without building the object ({@link ResourceCache#resourceVersion}): when that version and {@code desired} are
   * those last found applied, the answer is the same and {@code live} is not asked for. A reconcile checks the same
   * Services and routes every time, and they seldom change.
   */
  public <T extends HasMetadata> Future<T> applyIfChanged(T desired, String liveVersion,
      Supplier<? extends HasMetadata> live) {
    String key = desired.getApiVersion() + "/" + desired.getKind() + "/" + desired.getMetadata().getNamespace() + "/"
        + desired.getMetadata().getName();
    long content = contentHash(Serialization.asJson(desired));
    Applied known = applied.get(key);
    if (liveVersion != null && known != null && known.liveVersion().equals(liveVersion)
        && known.desired() == content) {
      return Future.succeededFuture(null);
    }
    HasMetadata current = live.get();
    if (current != null && Subset.contains(current, desired)
        && !AppliedFields.hasFieldsBeyond(current, fieldManager, desired)) {
      String version = current.getMetadata().getResourceVersion();
      if (version != null) {
        applied.put(key, new Applied(version, content));
      }
      return Future.succeededFuture(null);
    }
    applied.remove(key);
    return apply(desired);
  }

  /** A 64-bit FNV-1a hash of {@code text}'s characters: tells two serializations of a desired object apart. */
  static long contentHash(String text) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < text.length(); i++) {
      h ^= text.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }
}
