package dev.bunting.canary.router;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryService.CustomMetadata;
import dev.bunting.api.CanaryService;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.ServiceSpecBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Flagger's three ClusterIP Services ({@code kubernetes_default.go}), built for server-side apply.
 *
 * <p>Every generated Service carries the user's {@code service.apex|primary|canary} labels and annotations, the
 * selector label {@code <label>: <service name>}, the two Flux opt-out annotations and an owner reference to the
 * Canary; keys listed in {@code service.unmanagedMetadata} are left out, so whoever else manages them keeps them. An
 * apex Service that exists and is not controlled by the Canary is only given its ports and selector (its existing
 * {@code nodePort}s kept); everything else on it stays as its owner wrote it.
 */
public final class DefaultServiceBuilder implements ServiceBuilder {
  static final String KUBECTL_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  @Override
  public Service canaryService(Canary canary, HasMetadata target, Selector selector) {
    CanaryService service = canary.getSpec().service;
    return generated(canary, target, canaryName(canary), selector.value(), selector, service.canary, Optional.empty());
  }

  @Override
  public Service primaryService(Canary canary, HasMetadata target, Selector selector) {
    CanaryService service = canary.getSpec().service;
    return generated(canary, target, primaryName(canary), selector.value() + "-primary", selector, service.primary,
        Optional.empty());
  }

  @Override
  public Service apexService(Canary canary, HasMetadata target, Selector selector, Optional<Service> existing) {
    CanaryService service = canary.getSpec().service;
    String name = canary.getSpec().serviceName();
    String podSelector = selector.value() + "-primary";
    if (existing.isPresent() && !CanaryOwnership.isControlledBy(existing.get(), canary)) {
      return adopted(canary, target, name, podSelector, selector, existing.get());
    }
    return generated(canary, target, name, podSelector, selector, service.apex, existing);
  }

  @Override
  public Service revertedApexService(Canary canary, HasMetadata target, Selector selector, Optional<Service> existing) {
    CanaryService service = canary.getSpec().service;
    String name = canary.getSpec().serviceName();
    if (existing.isPresent() && !CanaryOwnership.isControlledBy(existing.get(), canary)) {
      Service reverted = adopted(canary, target, name, selector.value(), selector, existing.get());
      lastAppliedSelector(existing.get()).ifPresent(reverted.getSpec()::setSelector);
      return reverted;
    }
    Service reverted = generated(canary, target, name, selector.value(), selector, service.apex, existing);
    reverted.getMetadata().setOwnerReferences(null);
    return reverted;
  }

  /** The selector in {@code kubectl.kubernetes.io/last-applied-configuration}, if the Service has one. */
  private static Optional<Map<String, String>> lastAppliedSelector(Service existing) {
    Map<String, String> annotations = existing.getMetadata().getAnnotations();
    String lastApplied = annotations == null ? null : annotations.get(KUBECTL_LAST_APPLIED);
    if (lastApplied == null) {
      return Optional.empty();
    }
    try {
      Service stored = Serialization.unmarshal(lastApplied, Service.class);
      return Optional.ofNullable(stored.getSpec()).map(ServiceSpec::getSelector).filter(m -> !m.isEmpty());
    } catch (RuntimeException unreadable) {
      return Optional.empty();
    }
  }

  /** {@code <svc>-canary}. */
  public static String canaryName(Canary canary) {
    return canary.getSpec().serviceName() + "-canary";
  }

  /** {@code <svc>-primary}. */
  public static String primaryName(Canary canary) {
    return canary.getSpec().serviceName() + "-primary";
  }

  private Service generated(Canary canary, HasMetadata target, String name, String podSelector, Selector selector,
      CustomMetadata custom, Optional<Service> existing) {
    CanaryService service = canary.getSpec().service;
    List<String> unmanagedLabels = unmanaged(service, true);
    List<String> unmanagedAnnotations = unmanaged(service, false);
    ServiceSpecBuilder spec = new ServiceSpecBuilder()
        .withType("ClusterIP")
        .withSelector(Map.of(selector.label(), podSelector))
        .withPorts(withExistingNodePorts(ServicePorts.of(service, target), existing));
    if (Boolean.TRUE.equals(service.headless)) {
      spec.withClusterIP("None");
    }
    if (service.trafficDistribution != null && !service.trafficDistribution.isEmpty()) {
      spec.withTrafficDistribution(service.trafficDistribution);
    }
    return new io.fabric8.kubernetes.api.model.ServiceBuilder()
        .withMetadata(new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(canary.getMetadata().getNamespace())
            .withLabels(GeneratedMetadata.labels(custom, Map.of(selector.label(), name), unmanagedLabels))
            .withAnnotations(GeneratedMetadata.annotations(custom, unmanagedAnnotations))
            .withOwnerReferences(CanaryOwnership.reference(canary))
            .build())
        .withSpec(spec.build())
        .build();
  }

  /** A pre-existing apex Service the Canary does not control: only ports and selector are Bunting's. */
  private Service adopted(Canary canary, HasMetadata target, String name, String podSelector, Selector selector,
      Service existing) {
    ServiceSpec spec = new ServiceSpecBuilder()
        .withSelector(Map.of(selector.label(), podSelector))
        .withPorts(withExistingNodePorts(ServicePorts.of(canary.getSpec().service, target), Optional.of(existing)))
        .build();
    return new io.fabric8.kubernetes.api.model.ServiceBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(name).withNamespace(canary.getMetadata().getNamespace()).build())
        .withSpec(spec)
        .build();
  }

  /** Copies the {@code nodePort} of an existing port with the same name (Flagger does the same). */
  private static List<ServicePort> withExistingNodePorts(List<ServicePort> ports, Optional<Service> existing) {
    if (existing.isEmpty() || existing.get().getSpec() == null || existing.get().getSpec().getPorts() == null) {
      return ports;
    }
    List<ServicePort> live = existing.get().getSpec().getPorts();
    return ports.stream().map(port -> live.stream()
        .filter(l -> port.getName().equals(l.getName()) && l.getNodePort() != null && l.getNodePort() > 0)
        .findFirst()
        .map(l -> new ServicePortBuilder(port).withNodePort(l.getNodePort()).build())
        .orElse(port)).toList();
  }

  private static List<String> unmanaged(CanaryService service, boolean labels) {
    if (service.unmanagedMetadata == null) {
      return List.of();
    }
    List<String> keys = labels ? service.unmanagedMetadata.labels : service.unmanagedMetadata.annotations;
    return keys == null ? List.of() : keys;
  }
}
