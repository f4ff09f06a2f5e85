package dev.bunting.canary;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryMetric;
import dev.bunting.canary.router.RoutedObject;
import dev.bunting.canary.router.Routers;
import dev.bunting.canary.router.TrafficRouter;
import dev.bunting.kube.KnativeServing;
import dev.bunting.kube.ResourceCache;
import dev.bunting.kube.Scheduler;
import dev.bunting.kube.ShardSelector;
import dev.bunting.kube.WorkQueue;
import dev.bunting.metrics.FlaggerMetrics;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Connects the caches to the canary work queue: a change to a Canary, its target or primary (Deployment, DaemonSet,
 * StatefulSet, Service, Knative Service or Revision), its Services, one of its routing objects, its autoscaler or a
 * MetricTemplate it uses enqueues that canary. Handlers only enqueue keys. The queue
 * runs one reconcile per canary at a time, at most {@code maxConcurrent} at once, and each in-flight canary comes back
 * at its analysis interval.
 *
 * <p>Nothing runs before {@link #start()} (a standby replica keeps its caches warm and its queue collecting). Only
 * canaries that match the {@link ShardSelector} ({@code --watch-label-selector}) are reconciled; the caches hold every
 * Canary, so a canary whose labels move it to another shard is simply left alone from then on (its series dropped).
 */
public final class CanaryController {
  public static final String BY_TARGET = "target";
  public static final String BY_SERVICE = "service";
  public static final String BY_TEMPLATE = "template";
  public static final String BY_ROUTED_OBJECT = "routed";

  private final CanaryCaches caches;
  private final CanaryReconciler reconciler;
  private final FlaggerMetrics metrics;
  private final ShardSelector shard;
  private final WorkQueue queue;
  private volatile boolean started;

  public CanaryController(Vertx vertx, CanaryCaches caches, CanaryReconciler reconciler, FlaggerMetrics metrics,
      int maxConcurrent, Scheduler scheduler, ShardSelector shard) {
    this.caches = caches;
    this.reconciler = reconciler;
    this.metrics = metrics;
    this.shard = shard;
    this.queue = new WorkQueue(vertx, "Canary", maxConcurrent, this::reconcile, scheduler).paused();
    caches.canaries().onChange(c -> {
      if (shard.matches(c)) {
        queue.enqueue(ResourceCache.key(c));
      } else {
        forgetForeign(c);
      }
      countCanaries(c.getMetadata().getNamespace());
    });
    caches.canaries().onDelete(c -> {
      if (c.getSpec() != null && c.getSpec().targetRef != null) {
        reconciler.forgetMetrics(c.getSpec().targetRef.name, c.getMetadata().getNamespace());
      }
      queue.forget(ResourceCache.key(c));
    });
    caches.deployments().onChange(this::enqueueTargetOrPrimary);
    caches.daemonSets().onChange(this::enqueueTargetOrPrimary);
    caches.statefulSets().onChange(this::enqueueTargetOrPrimary);
    caches.services().onChange(s -> {
      enqueueBy(BY_SERVICE, s, apexName(s.getMetadata().getName()));
      enqueueBy(BY_TARGET, s, apexName(s.getMetadata().getName()));
    });
    caches.routes().forEach((kindKey, cache) -> cache.onChange(o -> {
      enqueueByKey(BY_ROUTED_OBJECT, kindKey + "/" + (o.getMetadata().getNamespace() == null ? ""
          : o.getMetadata().getNamespace()) + "/" + o.getMetadata().getName());
      if (o.getMetadata().getNamespace() != null) {
        // Knative Revisions name their Service in a label; ScaledObjects are found by name (autoscalerRef)
        Map<String, String> labels = o.getMetadata().getLabels();
        String owner = labels == null ? null : labels.get(KnativeServing.SERVICE_LABEL);
        enqueueTargetOrPrimary(o, owner != null ? owner : o.getMetadata().getName());
      }
    }));
    caches.metricTemplates().onChange(t -> enqueueBy(BY_TEMPLATE, t, t.getMetadata().getName()));
    // A config change may be a new revision of any canary in the namespace that tracks it; reconciles are cheap.
    caches.configMaps().onChange(c -> enqueueNamespace(c.getMetadata().getNamespace()));
    caches.secrets().onChange(c -> enqueueNamespace(c.getMetadata().getNamespace()));
    caches.autoscalers().onChange(h -> enqueueNamespace(h.getMetadata().getNamespace()));
  }

  /** The indexes the Canary cache needs; pass them when creating it. */
  public static Map<String, Function<Canary, List<String>>> canaryIndexers(Routers routers) {
    Map<String, Function<Canary, List<String>>> idx = new HashMap<>();
    idx.put(BY_ROUTED_OBJECT, c -> c.getSpec() == null || c.getSpec().targetRef == null ? List.of()
        : routers.routerFor(c).map(r -> routedKeys(r, c)).orElse(List.of()));
    idx.put(BY_TARGET, c -> {
      if (c.getSpec() == null || c.getSpec().targetRef == null) {
        return List.of();
      }
      List<String> keys = new ArrayList<>();
      keys.add(c.getMetadata().getNamespace() + "/" + c.getSpec().targetRef.name);
      if (c.getSpec().autoscalerRef != null && c.getSpec().autoscalerRef.name != null) {
        keys.add(c.getMetadata().getNamespace() + "/" + c.getSpec().autoscalerRef.name);
      }
      return keys;
    });
    idx.put(BY_SERVICE, c -> c.getSpec() == null || c.getSpec().serviceName() == null ? List.of()
        : List.of(c.getMetadata().getNamespace() + "/" + c.getSpec().serviceName()));
    idx.put(BY_TEMPLATE, c -> {
      List<String> keys = new ArrayList<>();
      if (c.getSpec() != null && c.getSpec().effectiveAnalysis().metrics != null) {
        for (CanaryMetric m : c.getSpec().effectiveAnalysis().metrics) {
          if (m.templateRef != null && m.templateRef.name != null) {
            keys.add(m.templateRef.namespaceOr(c.getMetadata().getNamespace()) + "/" + m.templateRef.name);
          }
        }
      }
      return keys;
    });
    return idx;
  }

  /** Starts reconciling (this instance leads, or there is no election): every canary of the shard is queued. */
  public void start() {
    started = true;
    queue.resume();
    enqueueAll();
  }

  /** Enqueues every known canary of the shard (after the caches first sync, and on demand). */
  public void enqueueAll() {
    caches.canaries().list(null).stream().filter(shard::matches).forEach(c -> queue.enqueue(ResourceCache.key(c)));
    caches.canaries().list(null).stream().map(c -> c.getMetadata().getNamespace()).distinct()
        .forEach(this::countCanaries);
  }

  public void enqueue(String key) {
    queue.enqueue(key);
  }

  /** The work queue (for metrics). */
  public WorkQueue queue() {
    return queue;
  }

  public void stop() {
    queue.close();
  }

  /** A canary of another shard is not reconciled here; one that just left this shard loses its series here. */
  private Future<WorkQueue.Outcome> reconcile(String key) {
    String[] parts = key.split("/", 2);
    Canary canary = caches.canaries().get(parts[0], parts[1]).orElse(null);
    if (canary != null && !shard.matches(canary)) {
      forgetForeign(canary);
      return Future.succeededFuture(WorkQueue.Outcome.DONE);
    }
    return reconciler.reconcile(key);
  }

  private void forgetForeign(Canary c) {
    queue.forget(ResourceCache.key(c));
    if (c.getSpec() != null && c.getSpec().targetRef != null) {
      reconciler.forgetMetrics(c.getSpec().targetRef.name, c.getMetadata().getNamespace());
    }
  }

  private void enqueueNamespace(String namespace) {
    caches.canaries().list(namespace).stream().filter(shard::matches)
        .forEach(c -> queue.enqueue(ResourceCache.key(c)));
  }

  /** A target, a primary ({@code <target>-primary}) or an object named after its target changed. */
  private void enqueueTargetOrPrimary(HasMetadata obj) {
    enqueueTargetOrPrimary(obj, obj.getMetadata().getName());
  }

  private void enqueueTargetOrPrimary(HasMetadata obj, String name) {
    enqueueBy(BY_TARGET, obj, name);
    if (name.endsWith("-primary")) {
      enqueueBy(BY_TARGET, obj, name.substring(0, name.length() - "-primary".length()));
    }
  }

  private void enqueueBy(String index, HasMetadata obj, String name) {
    enqueueByKey(index, obj.getMetadata().getNamespace() + "/" + name);
  }

  private void enqueueByKey(String index, String key) {
    for (Canary c : caches.canaries().byIndex(index, key)) {
      if (shard.matches(c)) {
        queue.enqueue(ResourceCache.key(c));
      }
    }
  }

  /** A router may not be able to name its objects for an invalid canary; that canary is reported, not indexed. */
  private static List<String> routedKeys(TrafficRouter router, Canary canary) {
    try {
      return router.objects(canary).stream().map(RoutedObject::key).toList();
    } catch (RuntimeException e) {
      return List.of();
    }
  }

  /** {@code flagger_canary_total}: the canaries this instance acts on (none on a standby). */
  private void countCanaries(String namespace) {
    if (!started) {
      return;
    }
    int n = (int) caches.canaries().list(namespace).stream().filter(shard::matches).count();
    if (n == 0) {
      metrics.removeTotal(namespace);
    } else {
      metrics.setTotal(namespace, n);
    }
  }

  private static String apexName(String serviceName) {
    for (String suffix : List.of("-primary", "-canary")) {
      if (serviceName.endsWith(suffix)) {
        return serviceName.substring(0, serviceName.length() - suffix.length());
      }
    }
    return serviceName;
  }
}
