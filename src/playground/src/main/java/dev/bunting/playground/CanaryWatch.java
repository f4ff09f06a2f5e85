package dev.bunting.playground;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.api.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The demo Canary as the API server has it now (an informer), with listeners for every change. */
public final class CanaryWatch implements AutoCloseable {
  private final SharedIndexInformer<Canary> informer;
  private final String namespace;
  private final String name;
  private final List<Consumer<Canary>> listeners = new CopyOnWriteArrayList<>();

  public CanaryWatch(KubernetesClient client, String namespace, String name) {
    this.namespace = namespace;
    this.name = name;
    this.informer = client.resources(Canary.class).inNamespace(namespace).withName(name).runnableInformer(0);
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Canary c) {
        changed(c);
      }

      @Override
      public void onUpdate(Canary old, Canary c) {
        changed(c);
      }

      @Override
      public void onDelete(Canary c, boolean unknown) {}
    });
  }

  public CompletionStage<Void> start() {
    return informer.start();
  }

  /** Called (on the informer's thread: keep it short) with the Canary after each change. */
  public void onChange(Consumer<Canary> listener) {
    listeners.add(listener);
  }

  private void changed(Canary c) {
    listeners.forEach(l -> l.accept(c));
  }

  public Optional<Canary> current() {
    return Optional.ofNullable(informer.getStore().getByKey(namespace + "/" + name));
  }

  public CanaryPhase phase() {
    return current().map(c -> c.getStatus() == null ? CanaryPhase.NEW : c.getStatus().phaseOrNew())
        .orElse(CanaryPhase.NEW);
  }

  /** What the Canary says it is doing: the Reconciling message while in flight, else the Ready message. */
  public static String activity(Canary c) {
    if (c.getStatus() == null || c.getStatus().conditions == null) {
      return "";
    }
    return Condition.find(c.getStatus().conditions, Condition.RECONCILING).filter(Condition::isTrue)
        .or(() -> Condition.find(c.getStatus().conditions, Condition.READY))
        .map(cond -> cond.message == null ? "" : cond.message)
        .orElse("");
  }

  @Override
  public void close() {
    informer.stop();
  }
}
