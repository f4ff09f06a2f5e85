package dev.bunting.playground;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;

/**
 * The pods behind each Service, as a gateway learns them: from the EndpointSlices the cluster's endpointslice
 * controller maintains (label {@code kubernetes.io/service-name}), keeping only ready endpoints that point at a Pod.
 */
public final class ServiceEndpoints implements AutoCloseable {
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  private final SharedIndexInformer<EndpointSlice> informer;

  public ServiceEndpoints(KubernetesClient client, String namespace) {
    this.informer = client.discovery().v1().endpointSlices().inNamespace(namespace).runnableInformer(0);
  }

  public CompletionStage<Void> start() {
    return informer.start();
  }

  /** Names of the ready pods behind {@code service}, sorted, without duplicates. */
  public List<String> readyPods(String service) {
    return informer.getStore().list().stream()
        .filter(s -> s.getMetadata().getLabels() != null
            && service.equals(s.getMetadata().getLabels().get(SERVICE_NAME_LABEL)))
        .flatMap(s -> s.getEndpoints() == null ? Stream.<Endpoint>empty() : s.getEndpoints().stream())
        .filter(ServiceEndpoints::ready)
        .map(e -> e.getTargetRef().getName())
        .distinct()
        .sorted()
        .toList();
  }

  static boolean ready(Endpoint e) {
    boolean ready = e.getConditions() == null || !Boolean.FALSE.equals(e.getConditions().getReady());
    return ready && e.getTargetRef() != null && "Pod".equals(e.getTargetRef().getKind());
  }

  @Override
  public void close() {
    informer.stop();
  }
}
