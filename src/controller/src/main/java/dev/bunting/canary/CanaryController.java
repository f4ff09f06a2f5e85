package dev.bunting.canary;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryMetric;
import dev.bunting.kube.ResourceCache;
import dev.bunting.kube.Scheduler;
import dev.bunting.kube.WorkQueue;
import dev.bunting.metrics.FlaggerMetrics;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Connects the caches to the canary work queue: a change to a Canary, its target or primary Deployment, its Services,
 * its routing object or a MetricTemplate it uses enqueues that canary. Handlers only enqueue keys. The queue runs one
 * reconcile per canary at a time, at most {@code maxConcurrent} at once, and each in-flight canary comes back at its
 * analysis interval.
 */
public final class CanaryController {
  public static final String BY_TARGET = "target";
  public static final String BY_SERVICE = "service";
  public static final String BY_TEMPLATE = "template";

  private final CanaryCaches caches;
  private final FlaggerMetrics metrics;
  private final WorkQueue queue;

  public CanaryController(Vertx vertx, CanaryCaches caches, CanaryReconciler reconciler, FlaggerMetrics metrics,
      int maxConcurrent, Scheduler scheduler) {
    this.caches = caches;
    this.metrics = metrics;
    this.queue = new WorkQueue(vertx, "Canary", maxConcurrent, reconciler::reconcile, scheduler);
    caches.canaries().onChange(c -> {
      queue.enqueue(ResourceCache.key(c));
      countCanaries(c.getMetadata().getNamespace());
    });
    caches.canaries().onDelete(c -> {
      if (c.getSpec() != null && c.getSpec().targetRef != null) {
        reconciler.forgetMetrics(c.getSpec().targetRef.name, c.getMetadata().getNamespace());
      }
      queue.forget(ResourceCache.key(c));
    });
    caches.deployments().onChange(d -> {
      String name = d.getMetadata().getName();
      enqueueBy(BY_TARGET, d, name);
      if (name.endsWith("-primary")) {
        enqueueBy(BY_TARGET, d, name.substring(0, name.length() - "-primary".length()));
      }
    });
    caches.services().onChange(s -> enqueueBy(BY_SERVICE, s, apexName(s.getMetadata().getName())));
    caches.routes().values().forEach(r -> r.onChange(o -> enqueueBy(BY_SERVICE, o, o.getMetadata().getName())));
    caches.metricTemplates().onChange(t -> enqueueBy(BY_TEMPLATE, t, t.getMetadata().getName()));
    // A config change may be a new revision of any canary in the namespace that tracks it; reconciles are cheap.
    caches.configMaps().onChange(c -> enqueueNamespace(c.getMetadata().getNamespace()));
    caches.secrets().onChange(c -> enqueueNamespace(c.getMetadata().getNamespace()));
    caches.autoscalers().onChange(h -> enqueueNamespace(h.getMetadata().getNamespace()));
  }

  /** The indexes the Canary cache needs; pass them when creating it. */
  public static Map<String, Function<Canary, List<String>>> canaryIndexers() {
    Map<String, Function<Canary, List<String>>> idx = new HashMap<>();
    idx.put(BY_TARGET, c -> c.getSpec() == null || c.getSpec().targetRef == null ? List.of()
        : List.of(c.getMetadata().getNamespace() + "/" + c.getSpec().targetRef.name));
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

  /** Enqueues every known canary (after the caches first sync, and on demand). */
  public void enqueueAll() {
    caches.canaries().list(null).forEach(c -> queue.enqueue(ResourceCache.key(c)));
    caches.canaries().list(null).stream().map(c -> c.getMetadata().getNamespace()).distinct()
        .forEach(this::countCanaries);
  }

  public void enqueue(String key) {
    queue.enqueue(key);
  }

  public void stop() {
    queue.close();
  }

  private void enqueueNamespace(String namespace) {
    caches.canaries().list(namespace).forEach(c -> queue.enqueue(ResourceCache.key(c)));
  }

  private void enqueueBy(String index, HasMetadata obj, String name) {
    for (Canary c : caches.canaries().byIndex(index, obj.getMetadata().getNamespace() + "/" + name)) {
      queue.enqueue(ResourceCache.key(c));
    }
  }

  private void countCanaries(String namespace) {
    int n = caches.canaries().list(namespace).size();
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
