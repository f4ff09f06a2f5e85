package dev.bunting.canary.router;

import dev.bunting.api.CanaryService;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The ports of the generated Services (Flagger's {@code reconcileService} and {@code getPorts}): first
 * {@code {name: portName|http, port, targetPort (default port), protocol: TCP, appProtocol}}, then, with
 * {@code portDiscovery}, every container port of the target's pod template except those of the {@code istio-proxy}
 * and {@code envoy} sidecars and the one the main port targets. A discovered port keeps its container port name, or
 * is called {@code tcp-<container>-<index>}, and targets its own number.
 */
final class ServicePorts {
  static final String DEFAULT_PORT_NAME = "http";
  private static final Set<String> SIDECARS = Set.of("istio-proxy", "envoy");

  private ServicePorts() {}

  static List<ServicePort> of(CanaryService service, HasMetadata target) {
    List<ServicePort> ports = new ArrayList<>();
    ports.add(mainPort(service));
    if (Boolean.TRUE.equals(service.portDiscovery)) {
      Set<Integer> taken = new HashSet<>();
      taken.add(service.port);
      for (Map.Entry<String, Integer> discovered : discoveredPorts(service, target).entrySet()) {
        // Flagger would emit a duplicate port number here, which the API server rejects; Bunting skips it.
        if (taken.add(discovered.getValue())) {
          ports.add(new ServicePortBuilder()
              .withName(discovered.getKey())
              .withProtocol("TCP")
              .withPort(discovered.getValue())
              .withTargetPort(new IntOrString(discovered.getValue()))
              .build());
        }
      }
    }
    return ports;
  }

  private static ServicePort mainPort(CanaryService service) {
    ServicePortBuilder port = new ServicePortBuilder()
        .withName(service.portName == null || service.portName.isEmpty() ? DEFAULT_PORT_NAME : service.portName)
        .withProtocol("TCP")
        .withPort(service.port)
        .withTargetPort(targetPort(service));
    if (service.appProtocol != null && !service.appProtocol.isEmpty()) {
      port.withAppProtocol(service.appProtocol);
    }
    return port.build();
  }

  static IntOrString targetPort(CanaryService service) {
    return explicitTargetPort(service).orElse(new IntOrString(service.port));
  }

  /** {@code service.targetPort} unless unset (Flagger treats {@code 0} as unset too). */
  private static Optional<IntOrString> explicitTargetPort(CanaryService service) {
    IntOrString t = service.targetPort;
    if (t == null || (t.getStrVal() == null && (t.getIntVal() == null || t.getIntVal() == 0))
        || (t.getStrVal() != null && (t.getStrVal().isEmpty() || t.getStrVal().equals("0")))) {
      return Optional.empty();
    }
    return Optional.of(t);
  }

  /** Discovered ports by name, ordered by port number then name (Flagger's order is random). */
  private static Map<String, Integer> discoveredPorts(CanaryService service, HasMetadata target) {
    Map<String, Integer> byName = new LinkedHashMap<>();
    Optional<IntOrString> targetPort = explicitTargetPort(service);
    for (Container container : containers(target)) {
      if (SIDECARS.contains(container.getName()) || container.getPorts() == null) {
        continue;
      }
      for (int i = 0; i < container.getPorts().size(); i++) {
        ContainerPort p = container.getPorts().get(i);
        if (isMainPort(p, service, targetPort)) {
          continue;
        }
        String name = p.getName() == null || p.getName().isEmpty() ? "tcp-" + container.getName() + "-" + i : p.getName();
        byName.put(name, p.getContainerPort());
      }
    }
    Map<String, Integer> sorted = new LinkedHashMap<>();
    byName.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey(Comparator.naturalOrder())))
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }

  private static boolean isMainPort(ContainerPort p, CanaryService service, Optional<IntOrString> targetPort) {
    if (targetPort.isEmpty()) {
      return p.getContainerPort() != null && p.getContainerPort().equals(service.port);
    }
    IntOrString t = targetPort.get();
    if (t.getStrVal() != null) {
      return t.getStrVal().equals(p.getName());
    }
    return t.getIntVal().equals(p.getContainerPort());
  }

  private static List<Container> containers(HasMetadata target) {
    PodTemplateSpec template = template(target);
    if (template == null || template.getSpec() == null || template.getSpec().getContainers() == null) {
      return List.of();
    }
    return template.getSpec().getContainers();
  }

  /** The pod template of a Deployment, DaemonSet or StatefulSet target; null for other kinds. */
  private static PodTemplateSpec template(HasMetadata target) {
    if (target instanceof Deployment d && d.getSpec() != null) {
      return d.getSpec().getTemplate();
    }
    if (target instanceof DaemonSet d && d.getSpec() != null) {
      return d.getSpec().getTemplate();
    }
    if (target instanceof StatefulSet s && s.getSpec() != null) {
      return s.getSpec().getTemplate();
    }
    return null;
  }
}
