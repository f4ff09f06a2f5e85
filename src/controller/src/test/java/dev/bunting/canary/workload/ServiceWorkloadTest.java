package dev.bunting.canary.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Plain Service targets, as Flagger's ServiceController: {@code -canary} mirrors, {@code -primary} is promoted. */
class ServiceWorkloadTest {
  private final ServiceWorkload workload = new ServiceWorkload();

  static Canary canary() {
    return Serialization.unmarshal("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: backend, namespace: test, uid: 00000000-0000-0000-0000-000000000005}
        spec:
          provider: gatewayapi:v1
          targetRef: {apiVersion: v1, kind: Service, name: backend}
          service: {port: 80, gatewayRefs: [{name: gw}]}
          analysis: {interval: 10s, threshold: 2, stepWeight: 50, maxWeight: 50}
        """, Canary.class);
  }

  static Service service(String name, String version) {
    return Serialization.unmarshal("""
        apiVersion: v1
        kind: Service
        metadata:
          name: %s
          namespace: test
          labels: {app: backend}
          annotations: {kubectl.kubernetes.io/last-applied-configuration: '{}', team: web}
        spec:
          type: NodePort
          clusterIP: 10.0.0.12
          clusterIPs: [10.0.0.12]
          selector: {app: backend, version: '%s'}
          ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080}]
        """.formatted(name, version), Service.class);
  }

  @Test
  void theCanaryMirrorsTheTargetAndThePrimaryIsCreatedOnce() {
    TargetObservation seen = workload.observe(canary(), CachedWorkloadObjects.of(service("backend", "v1")), Instant.EPOCH);
    assertThat(seen.primaryExists()).isFalse();
    assertThat(seen.canaryReadiness()).isEqualTo(Readiness.READY);

    var writes = workload.ensurePrimary(canary(), seen, "unused");
    assertThat(writes).extracting(w -> ((WorkloadWrite.Apply) w).object().getMetadata().getName())
        .containsExactly("backend-canary", "backend-primary");
    Service primary = (Service) ((WorkloadWrite.Apply) writes.get(1)).object();
    assertThat(primary.getSpec().getSelector()).isEqualTo(Map.of("app", "backend", "version", "v1"));
    assertThat(primary.getSpec().getClusterIP()).as("assigned per Service").isNull();
    assertThat(primary.getSpec().getPorts().get(0).getNodePort()).isNull();
    assertThat(primary.getMetadata().getAnnotations()).isEqualTo(Map.of("team", "web"));
    assertThat(primary.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getKind()).isEqualTo("Canary"));

    TargetObservation existing = workload.observe(canary(),
        CachedWorkloadObjects.of(service("backend", "v2"), service("backend-primary", "v1")), Instant.EPOCH);
    assertThat(workload.ensurePrimary(canary(), existing, "unused")).singleElement()
        .satisfies(w -> assertThat(((WorkloadWrite.Apply) w).onlyIfChanged()).isTrue());
    assertThat(workload.ownServices(canary(), existing)).singleElement().satisfies(w -> {
      Service mirror = (Service) ((WorkloadWrite.Apply) w).object();
      assertThat(mirror.getMetadata().getName()).isEqualTo("backend-canary");
      assertThat(mirror.getSpec().getSelector()).as("follows the target at every reconcile").containsEntry("version", "v2");
    });
    assertThat(existing.revisionSource()).as("a new revision").isNotEqualTo(existing.primaryRevisionSource());
    Service promoted = (Service) ((WorkloadWrite.Apply) workload.promote(canary(), existing, "unused", false).get(0))
        .object();
    assertThat(promoted.getMetadata().getName()).isEqualTo("backend-primary");
    assertThat(promoted.getSpec().getSelector()).containsEntry("version", "v2");
    assertThat(workload.scale(canary(), existing, 0)).isEmpty();
  }

  @Test
  void onlyCoreServicesAreThisWorkloads() {
    assertThat(workload.handles(new dev.bunting.api.ObjectReference("v1", "Service", "x"))).isTrue();
    assertThat(workload.handles(new dev.bunting.api.ObjectReference(null, "Service", "x"))).isTrue();
    assertThat(workload.handles(new dev.bunting.api.ObjectReference("serving.knative.dev/v1", "Service", "x"))).isFalse();
  }
}
