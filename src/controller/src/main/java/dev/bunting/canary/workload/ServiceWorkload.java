package dev.bunting.canary.workload;

import dev.bunting.api.Canary;
import dev.bunting.api.ObjectReference;
import dev.bunting.canary.workload.TargetObservation.Issue;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Plain {@code v1} Service targets, as Flagger's {@code service_controller.go}: the Service is the release unit (its
 * selector, ports, ... ), e.g. a Service in front of pods another system manages. {@code <target>-canary} always
 * mirrors the target; {@code <target>-primary} is created from it once and gets its spec again at each promotion. No
 * pods of its own: nothing to scale, always ready, no generated apex Service; the router (e.g. Gateway API) splits
 * traffic between {@code <target>-primary} and {@code <target>-canary}.
 *
 * <p>Copies keep the target's labels and annotations (kubectl's last-applied left out), get an owner reference to the
 * Canary, and leave out what the API server assigns per Service ({@code clusterIP(s)}, {@code nodePort}s,
 * {@code healthCheckNodePort}), which Flagger copies and then fails on for NodePort Services.
 */
public final class ServiceWorkload implements Workload {
  public static final String KIND = "Service";

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public boolean handles(ObjectReference targetRef) {
    return KIND.equals(targetRef.kind) && (targetRef.apiVersion == null || targetRef.apiVersion.isEmpty()
        || "v1".equals(targetRef.apiVersion));
  }

  @Override
  public boolean generatesServices() {
    return false;
  }

  @Override
  public boolean scalable() {
    return false;
  }

  public static String primaryName(String target) {
    return target + "-primary";
  }

  public static String canaryName(String target) {
    return target + "-canary";
  }

  @Override
  public TargetObservation observe(Canary canary, WorkloadObjects objects, Instant now) {
    String ns = canary.getMetadata().getNamespace();
    String name = canary.getSpec().targetRef.name;
    Service target = objects.get(Service.class, ns, name).orElse(null);
    if (target == null) {
      return TargetObservation.held(null, null, List.of(Issue.notFound("Service " + ns + "/" + name + " not found")));
    }
    Service primary = objects.get(Service.class, ns, primaryName(name)).orElse(null);
    return new TargetObservation(target, primary, List.of(), null, null, null, List.of(), Map.of(), "service",
        portable(target.getSpec()), 1, Readiness.READY, primary != null, 1, Readiness.READY,
        primary == null ? null : portable(primary.getSpec()));
  }

  /** {@code <target>-canary} and, when it does not exist, {@code <target>-primary}. */
  @Override
  public List<WorkloadWrite> ensurePrimary(Canary canary, TargetObservation observed, String flaggerId) {
    Service target = (Service) observed.target();
    List<WorkloadWrite> writes = new ArrayList<>(ownServices(canary, observed));
    if (observed.primary() == null) {
      writes.add(WorkloadWrite.Apply.always(copy(canary, target, primaryName(target.getMetadata().getName()))));
    }
    return writes;
  }

  /** {@code <target>-canary} mirrors the target at every reconcile (Flagger re-runs Initialize on every tick). */
  @Override
  public List<WorkloadWrite> ownServices(Canary canary, TargetObservation observed) {
    Service target = (Service) observed.target();
    return List.of(WorkloadWrite.Apply.ifChanged(copy(canary, target, canaryName(target.getMetadata().getName()))));
  }

  @Override
  public List<WorkloadWrite> promote(Canary canary, TargetObservation observed, String flaggerId,
      boolean keepPrimaryReplicas) {
    Service target = (Service) observed.target();
    return List.of(WorkloadWrite.Apply.always(copy(canary, target, primaryName(target.getMetadata().getName()))));
  }

  @Override
  public List<WorkloadWrite> scale(Canary canary, TargetObservation observed, int replicas) {
    return List.of();
  }

  /** {@code source} under another name, owned by the Canary, without the per-Service values the server assigns. */
  static Service copy(Canary canary, Service source, String name) {
    Service copy = new Service();
    copy.setApiVersion("v1");
    copy.setKind(KIND);
    ObjectMeta meta = new ObjectMeta();
    meta.setName(name);
    meta.setNamespace(source.getMetadata().getNamespace());
    Map<String, String> labels = PodWorkload.filter(source.getMetadata().getLabels());
    Map<String, String> annotations = PodWorkload.filter(source.getMetadata().getAnnotations());
    meta.setLabels(labels.isEmpty() ? null : labels);
    meta.setAnnotations(annotations.isEmpty() ? null : annotations);
    meta.setOwnerReferences(List.of(canary.controllerReference()));
    copy.setMetadata(meta);
    ServiceSpec spec = portable(source.getSpec());
    if (canary.getSpec().service != null && canary.getSpec().service.trafficDistribution != null
        && !canary.getSpec().service.trafficDistribution.isEmpty()) {
      spec.setTrafficDistribution(canary.getSpec().service.trafficDistribution);
    }
    copy.setSpec(spec);
    return copy;
  }

  /** The spec without what the API server assigns to each Service. */
  static ServiceSpec portable(ServiceSpec source) {
    ServiceSpec spec = source == null ? new ServiceSpec() : Serialization.clone(source);
    spec.setClusterIP(null);
    spec.setClusterIPs(null);
    spec.setHealthCheckNodePort(null);
    if (spec.getPorts() != null) {
      for (ServicePort p : spec.getPorts()) {
        p.setNodePort(null);
      }
    }
    return spec;
  }
}
