package dev.bunting.canary;

import dev.bunting.api.Canary;
import dev.bunting.canary.CanaryAction.AddFinalizer;
import dev.bunting.canary.CanaryAction.EnsurePrimary;
import dev.bunting.canary.CanaryAction.EnsureServices;
import dev.bunting.canary.CanaryAction.NotifyHooks;
import dev.bunting.canary.CanaryAction.Promote;
import dev.bunting.canary.CanaryAction.RemoveFinalizer;
import dev.bunting.canary.CanaryAction.RevertApexService;
import dev.bunting.canary.CanaryAction.RevertRoutes;
import dev.bunting.canary.CanaryAction.ScaleTarget;
import dev.bunting.canary.CanaryAction.SetRoutes;
import dev.bunting.canary.router.ServiceBuilder;
import dev.bunting.canary.workload.AutoscalerWorkload;
import dev.bunting.canary.workload.ConfigTracker;
import dev.bunting.canary.workload.PodWorkload;
import dev.bunting.canary.workload.ScaledObjectAutoscaler;
import dev.bunting.canary.workload.Workload;
import dev.bunting.canary.workload.WorkloadWrite;
import dev.bunting.kube.Applier;
import dev.bunting.kube.BlockingPool;
import dev.bunting.kube.ResourceCache;
import dev.bunting.kube.Subset;
import dev.bunting.logging.ObjectLog;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a plan's actions in order, each with server-side apply (field manager {@code bunting}) and only when
 * the cached object differs from the desired one. Returns the canary as last written (finalizer changes bump its
 * resourceVersion) and the number of writes sent.
 */
public final class CanaryEffects {
  private static final Logger LOG = LoggerFactory.getLogger(CanaryEffects.class);

  /** Result of executing a plan: the canary as last written and what was written ({@code kind/ns/name} → resourceVersion). */
  public record Applied(Canary canary, int writes, Map<String, String> written) {}

  /** The key {@link Applied#written} uses. */
  public static String writtenKey(String kind, String namespace, String name) {
    return kind + "/" + namespace + "/" + name;
  }

  private final KubernetesClient client;
  private final BlockingPool pool;
  private final Applier applier;
  private final CanaryCaches caches;
  private final ServiceBuilder services;
  private final CanaryNotifier notifier;
  private final ConfigTracker configs = new ConfigTracker();
  private final AutoscalerWorkload autoscalers = new AutoscalerWorkload();
  private final ScaledObjectAutoscaler scaledObjects = new ScaledObjectAutoscaler();

  public CanaryEffects(KubernetesClient client, BlockingPool pool, Applier applier, CanaryCaches caches,
      ServiceBuilder services, CanaryNotifier notifier) {
    this.client = client;
    this.pool = pool;
    this.applier = applier;
    this.caches = caches;
    this.services = services;
    this.notifier = notifier;
  }

  public Future<Applied> execute(Observation obs, CanaryPlan plan) {
    Writes writes = new Writes();
    Future<Canary> chain = Future.succeededFuture(obs.snapshot().canary());
    for (CanaryAction action : plan.actions()) {
      chain = chain.compose(canary -> run(action, canary, obs, plan, writes));
    }
    return chain.map(c -> new Applied(c, writes.count.get(), Map.copyOf(writes.versions)));
  }

  private Future<Canary> run(CanaryAction action, Canary canary, Observation obs, CanaryPlan plan, Writes writes) {
    String ns = canary.getMetadata().getNamespace();
    Workload workload = obs.workload();
    if (action instanceof EnsurePrimary) {
      List<WorkloadWrite> create = workload.ensurePrimary(canary, obs.observed(), UUID.randomUUID().toString());
      if (create.isEmpty()) {
        return ensurePrimaryAutoscaler(canary, obs, writes).map(canary);
      }
      if (!obs.observed().primaryExists()) {
        ObjectLog.of(LOG, "Canary", ns, canary.getMetadata().getName()).info("creating the primary of {} {}",
            workload.kind(), obs.target().getMetadata().getName());
      }
      return copyConfigs(canary, obs, writes).compose(v -> write(create, writes))
          .compose(v -> ensurePrimaryAutoscaler(canary, obs, writes)).map(canary);
    }
    if (action instanceof EnsureServices s) {
      if (!workload.generatesServices()) {
        return write(workload.ownServices(canary, obs.observed()), writes).map(canary);
      }
      List<Service> wanted = new ArrayList<>();
      wanted.add(services.canaryService(canary, obs.target(), obs.selector()));
      wanted.add(services.primaryService(canary, obs.target(), obs.selector()));
      if (s.apex()) {
        String apex = canary.getSpec().serviceName();
        wanted.add(services.apexService(canary, obs.target(), obs.selector(), caches.services().get(ns, apex)));
      }
      // three independent objects: written side by side (an initializing canary waits for them before its status)
      return Future.all(wanted.stream().map(svc -> applyIfChanged(svc, writes)).toList()).map(canary);
    }
    if (action instanceof SetRoutes r) {
      // routers read the status the plan writes (e.g. the sticky-session cookies the decider chose); they only read
      // the canary, so a copy that shares its metadata and spec will do (a deep copy cost a tenth of a reconcile)
      Canary planned = new Canary();
      planned.setMetadata(canary.getMetadata());
      planned.setSpec(canary.getSpec());
      planned.setStatus(plan.status());
      planned.readProblems(canary.readProblems());
      List<HasMetadata> objects = obs.router().desiredObjects(planned, r.weights(), caches.routeObjects());
      return applyRoutes(obs, objects, writes).map(canary);
    }
    if (action instanceof ScaleTarget t) {
      List<WorkloadWrite> scale = workload.scale(canary, obs.observed(), t.replicas());
      if (!scale.isEmpty()) {
        ObjectLog.of(LOG, "Canary", ns, canary.getMetadata().getName()).info("scaling {} {} to {}", workload.kind(),
            obs.target().getMetadata().getName(), t.replicas());
      }
      return pauseScaledObject(obs, t.replicas() == 0, writes).compose(v -> write(scale, writes)).map(canary);
    }
    if (action instanceof Promote) {
      List<WorkloadWrite> promote = workload.promote(canary, obs.observed(), UUID.randomUUID().toString(),
          obs.autoscaler() != null && obs.primary() != null);
      ObjectLog.of(LOG, "Canary", ns, canary.getMetadata().getName()).info("promoting {} {} onto its primary",
          workload.kind(), obs.target().getMetadata().getName());
      return copyConfigs(canary, obs, writes).compose(v -> write(promote, writes))
          .compose(v -> ensurePrimaryAutoscaler(canary, obs, writes)).map(canary);
    }
    if (action instanceof RevertApexService) {
      if (!workload.generatesServices()) {
        return write(workload.revert(canary, obs.observed()), writes).map(canary);
      }
      String apexName = canary.getSpec().serviceName();
      Service apex = services.revertedApexService(canary, obs.target(), obs.selector(),
          caches.services().get(ns, apexName));
      return counted(applier.apply(apex), writes).map(canary);
    }
    if (action instanceof RevertRoutes) {
      List<HasMetadata> reverted = obs.router().revertedObjects(canary, caches.routeObjects());
      if (obs.router().replacesSpec()) {
        return applyRoutes(obs, reverted, writes).map(canary);
      }
      // Applied as they are, even when they look like a subset of the live objects: a revert may withdraw fields.
      Future<Void> chain = Future.succeededFuture();
      for (HasMetadata r : reverted) {
        chain = chain.compose(v -> counted(applier.apply(r), writes).mapEmpty());
      }
      return chain.map(canary);
    }
    if (action instanceof NotifyHooks h) {
      notifier.hooks(canary, h.type(), h.phase());
      return Future.succeededFuture(canary);
    }
    if (action instanceof AddFinalizer) {
      return updateFinalizers(canary, true, writes);
    }
    if (action instanceof RemoveFinalizer) {
      return updateFinalizers(canary, false, writes);
    }
    return Future.failedFuture(new IllegalStateException("unknown action " + action));
  }

  /** Carries out a workload's writes in order. */
  private Future<Void> write(List<WorkloadWrite> list, Writes writes) {
    Future<Void> chain = Future.succeededFuture();
    for (WorkloadWrite w : list) {
      chain = chain.compose(v -> write(w, writes));
    }
    return chain;
  }

  private Future<Void> write(WorkloadWrite w, Writes writes) {
    if (w instanceof WorkloadWrite.Apply a) {
      if (a.onlyIfChanged()) {
        HasMetadata live = live(a.object());
        if (live != null && Subset.contains(live, a.object())) {
          return Future.succeededFuture();
        }
      }
      String manager = a.managerSuffix() == null ? applier.fieldManager()
          : applier.fieldManager() + "/" + a.managerSuffix();
      return counted(applier.apply(a.object(), manager), writes).mapEmpty();
    }
    WorkloadWrite.MergePatch p = (WorkloadWrite.MergePatch) w;
    HasMetadata target = p.target();
    PatchContext merge = new PatchContext.Builder().withPatchType(PatchType.JSON_MERGE)
        .withFieldManager(applier.fieldManager()).build();
    return counted(pool.run(() -> client.resource(target).patch(merge, p.patch())), writes).mapEmpty();
  }

  /**
   * A KEDA ScaledObject ({@code autoscalerRef}) is paused at zero replicas while its canary is scaled to zero, and
   * resumed when the canary scales up (Flagger's pause and resume of the target scaler).
   */
  private Future<Void> pauseScaledObject(Observation obs, boolean paused, Writes writes) {
    if (!(obs.autoscaler() instanceof GenericKubernetesResource so)) {
      return Future.succeededFuture();
    }
    return write(scaledObjects.pause(so, paused), writes);
  }

  /**
   * Copies every tracked ConfigMap and Secret to {@code <name>-primary} (before the primary that mounts them), as this
   * canary's own field manager so a config shared by several canaries keeps each one's owner reference.
   */
  private Future<Void> copyConfigs(Canary canary, Observation obs, Writes writes) {
    Future<Void> chain = Future.succeededFuture();
    String ns = canary.getMetadata().getNamespace();
    String manager = applier.fieldManager() + "/" + canary.getMetadata().getName();
    for (ConfigTracker.ConfigRef ref : obs.trackedConfigs()) {
      var source = caches.config(ref.kind(), ns, ref.name());
      if (source.isEmpty()) {
        continue;
      }
      HasMetadata copy = source.get() instanceof ConfigMap cm ? configs.primaryConfigMap(cm, canary)
          : configs.primarySecret((Secret) source.get(), canary);
      chain = chain.compose(v -> counted(applier.apply(copy, manager), writes).mapEmpty());
    }
    return chain;
  }

  /**
   * {@code <hpa>-primary} or {@code <scaledobject>-primary} for a canary with an {@code autoscalerRef}, written only
   * when it differs.
   */
  private Future<Void> ensurePrimaryAutoscaler(Canary canary, Observation obs, Writes writes) {
    String primaryTarget = PodWorkload.primaryName(obs.target().getMetadata().getName());
    if (obs.autoscaler() instanceof HorizontalPodAutoscaler hpa) {
      var desired = autoscalers.desiredPrimary(canary, hpa, obs.target().getKind(), primaryTarget);
      var live = caches.autoscalers().get(desired.getMetadata().getNamespace(), desired.getMetadata().getName())
          .orElse(null);
      return counted(applier.applyIfChanged(desired, live), writes).mapEmpty();
    }
    if (obs.autoscaler() instanceof GenericKubernetesResource so) {
      GenericKubernetesResource desired = scaledObjects.desiredPrimary(canary, so, primaryTarget);
      return applyIfChanged(desired, writes).mapEmpty();
    }
    return Future.succeededFuture();
  }

  private Future<Void> applyAll(List<? extends HasMetadata> objects, Writes writes) {
    Future<Void> chain = Future.succeededFuture();
    for (HasMetadata desired : objects) {
      chain = chain.compose(v -> applyIfChanged(desired, writes).mapEmpty());
    }
    return chain;
  }

  /** Applies {@code desired} unless the cache shows it applied already; whether it wrote. */
  private Future<Boolean> applyIfChanged(HasMetadata desired, Writes writes) {
    ResourceCache<? extends HasMetadata> cache = cacheOf(desired);
    if (cache == null) {
      return counted(applier.applyIfChanged(desired, live(desired)), writes);
    }
    // the live version read without building the object; built only when that version or the desired object is new
    String ns = desired.getMetadata().getNamespace();
    String name = desired.getMetadata().getName();
    return counted(applier.applyIfChanged(desired, cache.resourceVersion(ns, name).orElse(null),
        () -> cache.get(ns, name).orElse(null)), writes);
  }

  /** Routing objects: as {@link #applyAll}, or owning the whole spec for routers that {@code replacesSpec()}. */
  private Future<Void> applyRoutes(Observation obs, List<? extends HasMetadata> objects, Writes writes) {
    if (!obs.router().replacesSpec()) {
      return applyAll(objects, writes);
    }
    Future<Void> chain = Future.succeededFuture();
    for (HasMetadata desired : objects) {
      chain = chain.compose(v -> counted(applier.applyOwningSpec(desired, live(desired)), writes).mapEmpty());
    }
    return chain;
  }

  /** The cache of a Service or a workload; null for the other kinds (routing objects: {@link #live}). */
  private ResourceCache<? extends HasMetadata> cacheOf(HasMetadata desired) {
    if (desired instanceof Service) {
      return caches.services();
    }
    if (desired instanceof GenericKubernetesResource) {
      return null;
    }
    return switch (desired.getKind()) {
      case "Deployment" -> caches.deployments();
      case "DaemonSet" -> caches.daemonSets();
      case "StatefulSet" -> caches.statefulSets();
      default -> null;
    };
  }

  private HasMetadata live(HasMetadata desired) {
    String ns = desired.getMetadata().getNamespace();
    String name = desired.getMetadata().getName();
    ResourceCache<? extends HasMetadata> own = cacheOf(desired);
    if (own != null) {
      return own.get(ns, name).orElse(null);
    }
    for (var cache : caches.routes().values()) {
      var found = cache.get(ns, name).filter(r -> Objects.equals(r.getKind(), desired.getKind())
          && Objects.equals(r.getApiVersion(), desired.getApiVersion()));
      if (found.isPresent()) {
        return found.get();
      }
    }
    return null;
  }

  private Future<Canary> updateFinalizers(Canary canary, boolean add, Writes writes) {
    Canary copy = Serialization.clone(canary);
    List<String> finalizers = new ArrayList<>(copy.getMetadata().getFinalizers() == null ? List.of()
        : copy.getMetadata().getFinalizers());
    boolean changed = add ? !finalizers.contains(Canary.FINALIZER) && finalizers.add(Canary.FINALIZER)
        : finalizers.remove(Canary.FINALIZER);
    if (!changed) {
      return Future.succeededFuture(canary);
    }
    copy.getMetadata().setFinalizers(finalizers);
    return pool.run(() -> client.resources(Canary.class).inNamespace(copy.getMetadata().getNamespace())
        .resource(copy).update()).onSuccess(writes::record);
  }

  /** Counts writes and remembers the resourceVersion each one produced (read-your-writes for the next reconcile). */
  private static final class Writes {
    final AtomicInteger count = new AtomicInteger();
    final Map<String, String> versions = new java.util.concurrent.ConcurrentHashMap<>();

    void record(HasMetadata written) {
      count.incrementAndGet();
      versions.put(writtenKey(CanaryCaches.writtenKind(written), written.getMetadata().getNamespace(),
          written.getMetadata().getName()),
          written.getMetadata().getResourceVersion());
    }
  }

  private static Future<Boolean> counted(Future<? extends HasMetadata> write, Writes writes) {
    return write.map(w -> {
      if (w != null) {
        writes.record(w);
      }
      return w != null;
    });
  }
}
