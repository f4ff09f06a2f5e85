package dev.bunting.playground;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every Ready pod of a namespace a process: watches the pods (an informer) and runs one {@link SimulatedApp} per
 * pod that is Ready and not terminating, with the behaviour its first container's image asks for. A pod that goes
 * away, stops being Ready or starts terminating loses its app. Listeners hear about every change, after the app
 * listens.
 */
public final class SimulatedPods implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedPods.class);

  private final Vertx vertx;
  private final SharedIndexInformer<Pod> informer;
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  private final List<Consumer<Map<String, SimulatedApp>>> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  /** One pod's app, keyed by the pod's uid so a pod recreated under the same name gets a fresh app. */
  private record Running(String uid, SimulatedApp app, Future<SimulatedApp> started) {}

  public SimulatedPods(Vertx vertx, KubernetesClient client, String namespace) {
    this.vertx = vertx;
    this.informer = client.pods().inNamespace(namespace).runnableInformer(0);
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        reconcile(pod);
      }

      @Override
      public void onUpdate(Pod old, Pod pod) {
        reconcile(pod);
      }

      @Override
      public void onDelete(Pod pod, boolean unknown) {
        stop(pod.getMetadata().getName());
      }
    });
  }

  /** Calls {@code listener} with a snapshot (pod name → started app) after every change. */
  public void onChange(Consumer<Map<String, SimulatedApp>> listener) {
    listeners.add(listener);
  }

  public Future<Void> start() {
    return Future.fromCompletionStage(informer.start(), vertx.getOrCreateContext()).mapEmpty();
  }

  /** The app of a pod, if it runs and listens. */
  public Optional<SimulatedApp> app(String pod) {
    Running r = running.get(pod);
    return r == null || !r.started().succeeded() ? Optional.empty() : Optional.of(r.app());
  }

  /** Pod name → app, for every app that listens. */
  public Map<String, SimulatedApp> snapshot() {
    Map<String, SimulatedApp> out = new TreeMap<>();
    running.forEach((pod, r) -> {
      if (r.started().succeeded()) {
        out.put(pod, r.app());
      }
    });
    return out;
  }

  private void reconcile(Pod pod) {
    String name = pod.getMetadata().getName();
    if (closed || !serving(pod)) {
      stop(name);
      return;
    }
    Running current = running.get(name);
    if (current != null && current.uid().equals(pod.getMetadata().getUid())) {
      return;
    }
    if (current != null) {
      stop(name);
    }
    SimulatedApp app = new SimulatedApp(vertx, name, AppBehaviour.of(pod.getSpec().getContainers().get(0).getImage()));
    Future<SimulatedApp> started = app.start();
    running.put(name, new Running(pod.getMetadata().getUid(), app, started));
    started.onSuccess(a -> {
      LOG.debug("pod {} ({}) served on 127.0.0.1:{}", name, a.behaviour().version(), a.port());
      changed();
    }).onFailure(e -> LOG.warn("could not start the app of pod {}: {}", name, e.getMessage()));
  }

  private void stop(String pod) {
    Running r = running.remove(pod);
    if (r == null) {
      return;
    }
    r.started().onComplete(x -> {
      r.app().stop();
      changed();
    });
  }

  private void changed() {
    Map<String, SimulatedApp> snapshot = snapshot();
    for (Consumer<Map<String, SimulatedApp>> l : listeners) {
      l.accept(snapshot);
    }
  }

  /** Ready, not terminating, with a container. */
  static boolean serving(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null || pod.getSpec() == null
        || pod.getSpec().getContainers() == null || pod.getSpec().getContainers().isEmpty()
        || pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return false;
    }
    return pod.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  @Override
  public void close() {
    closed = true;
    informer.stop();
    for (String pod : new ArrayList<>(running.keySet())) {
      stop(pod);
    }
  }
}
