package dev.bunting.canary;

import dev.bunting.api.Canary;
import dev.bunting.canary.CanaryAction.AddFinalizer;
import dev.bunting.canary.CanaryAction.EnsurePrimary;
import dev.bunting.canary.CanaryAction.EnsureServices;
import dev.bunting.canary.CanaryAction.NotifyHooks;
import dev.bunting.canary.CanaryAction.Promote;
import dev.bunting.canary.CanaryAction.RemoveFinalizer;
import dev.bunting.canary.CanaryAction.RevertApexService;
import dev.bunting.canary.CanaryAction.ScaleTarget;
import dev.bunting.canary.CanaryAction.SetRoutes;
import dev.bunting.canary.router.ServiceBuilder;
import dev.bunting.canary.workload.AutoscalerWorkload;
import dev.bunting.canary.workload.ConfigTracker;
import dev.bunting.canary.workload.DeploymentWorkload;
import dev.bunting.kube.Applier;
import dev.bunting.kube.BlockingPool;
import dev.bunting.logging.ObjectLog;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
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
  private final DeploymentWorkload workload;
  private final ServiceBuilder services;
  private final CanaryNotifier notifier;
  private final AutoscalerWorkload autoscalers = new AutoscalerWorkload();

  public CanaryEffects(KubernetesClient client, BlockingPool pool, Applier applier, CanaryCaches caches,
      DeploymentWorkload workload, ServiceBuilder services, CanaryNotifier notifier) {
    this.client = client;
    this.pool = pool;
    this.applier = applier;
    this.caches = caches;
    this.workload = workload;
    this.services = services;
    this.notifier = notifier;
  }

  public Future<Applied> execute(Observation obs, CanaryPlan plan) {
    Writes writes = new Writes();
    Future<Canary> chain = Future.succeededFuture(obs.snapshot().canary());
    for (CanaryAction action : plan.actions()) {
      chain = chain.compose(canary -> run(action, canary, obs, writes));
    }
    return chain.map(c -> new Applied(c, writes.count.get(), Map.copyOf(writes.versions)));
  }

  private Future<Canary> run(CanaryAction action, Canary canary, Observation obs, Writes writes) {
    String ns = canary.getMetadata().getNamespace();
    if (action instanceof EnsurePrimary) {
      if (obs.primary() != null) {
        return ensurePrimaryAutoscaler(canary, obs, writes).map(canary);
      }
      var primary = workload.desiredPrimary(canary, obs.target(), obs.selector().label(), obs.selector().value(),
          UUID.randomUUID().toString(), obs.trackedConfigs());
      ObjectLog.of(LOG, "Canary", ns, canary.getMetadata().getName()).info("creating {}",
          primary.getMetadata().getName());
      return copyConfigs(canary, obs, writes).compose(v -> counted(applier.apply(primary), writes))
          .compose(v -> ensurePrimaryAutoscaler(canary, obs, writes)).map(canary);
    }
    if (action instanceof EnsureServices s) {
      List<Service> wanted = new ArrayList<>();
      wanted.add(services.canaryService(canary, obs.target(), obs.selector()));
      wanted.add(services.primaryService(canary, obs.target(), obs.selector()));
      if (s.apex()) {
        String apex = canary.getSpec().serviceName();
        wanted.add(services.apexService(canary, obs.target(), obs.selector(), caches.services().get(ns, apex)));
      }
      return applyAll(wanted, writes).map(canary);
    }
    if (action instanceof SetRoutes r) {
      List<HasMetadata> objects = obs.router().desiredObjects(canary, r.weights(), obs.route());
      return applyAll(objects, writes).map(canary);
    }
    if (action instanceof ScaleTarget t) {
      if (workload.replicas(obs.target()) == t.replicas() && obs.target().getSpec().getReplicas() != null) {
        return Future.succeededFuture(canary);
      }
      ObjectLog.of(LOG, "Canary", ns, canary.getMetadata().getName()).info("scaling {} to {}",
          obs.target().getMetadata().getName(), t.replicas());
      return counted(applier.apply(workload.scaled(obs.target(), t.replicas())), writes).map(canary);
    }
    if (action instanceof Promote) {
      var primary = workload.desiredPrimary(canary, obs.target(), obs.selector().label(), obs.selector().value(),
          UUID.randomUUID().toString(), obs.trackedConfigs());
      ObjectLog.of(LOG, "Canary", ns, canary.getMetadata().getName()).info("promoting {} onto {}",
          obs.target().getMetadata().getName(), primary.getMetadata().getName());
      if (obs.autoscaler() != null && obs.primary() != null) {
        // The primary's HPA owns its size: keep the replicas it chose instead of the canary's.
        primary.getSpec().setReplicas(workload.replicas(obs.primary()));
      }
      return copyConfigs(canary, obs, writes).compose(v -> counted(applier.apply(primary), writes))
          .compose(v -> ensurePrimaryAutoscaler(canary, obs, writes)).map(canary);
    }
    if (action instanceof RevertApexService) {
      String apexName = canary.getSpec().serviceName();
      Service apex = services.revertedApexService(canary, obs.target(), obs.selector(),
          caches.services().get(ns, apexName));
      return counted(applier.apply(apex), writes).map(canary);
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
      HasMetadata copy = source.get() instanceof ConfigMap cm ? workload.configs().primaryConfigMap(cm, canary)
          : workload.configs().primarySecret((Secret) source.get(), canary);
      chain = chain.compose(v -> counted(applier.apply(copy, manager), writes).mapEmpty());
    }
    return chain;
  }

  /** {@code <hpa>-primary} for a canary with an HPA {@code autoscalerRef}, written only when it differs. */
  private Future<Void> ensurePrimaryAutoscaler(Canary canary, Observation obs, Writes writes) {
    if (obs.autoscaler() == null) {
      return Future.succeededFuture();
    }
    var desired = autoscalers.desiredPrimary(canary, obs.autoscaler(),
        DeploymentWorkload.primaryName(obs.target().getMetadata().getName()));
    var live = caches.autoscalers().get(desired.getMetadata().getNamespace(), desired.getMetadata().getName())
        .orElse(null);
    return counted(applier.applyIfChanged(desired, live), writes).mapEmpty();
  }

  private Future<Void> applyAll(List<? extends HasMetadata> objects, Writes writes) {
    Future<Void> chain = Future.succeededFuture();
    for (HasMetadata desired : objects) {
      chain = chain.compose(v -> counted(applier.applyIfChanged(desired, live(desired)), writes).mapEmpty());
    }
    return chain;
  }

  private HasMetadata live(HasMetadata desired) {
    String ns = desired.getMetadata().getNamespace();
    String name = desired.getMetadata().getName();
    if (desired instanceof Service) {
      return caches.services().get(ns, name).orElse(null);
    }
    if ("Deployment".equals(desired.getKind())) {
      return caches.deployments().get(ns, name).orElse(null);
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
      versions.put(writtenKey(written.getKind(), written.getMetadata().getNamespace(), written.getMetadata().getName()),
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
