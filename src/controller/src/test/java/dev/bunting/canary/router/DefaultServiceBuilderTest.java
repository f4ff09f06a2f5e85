package dev.bunting.canary.router;

import static dev.bunting.canary.router.Manifests.assertYaml;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.canary.router.ServiceBuilder.Selector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Golden tests: the Services a user sees in the cluster for Flagger-style Canaries. */
class DefaultServiceBuilderTest {
  private static final Selector APP_PODINFO = new Selector("app", "podinfo");

  /** podinfo as in Flagger's tutorials, with a metrics port, an unnamed port and an Istio sidecar. */
  private static final Deployment PODINFO = Manifests.deployment("""
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: podinfo, namespace: test}
      spec:
        selector: {matchLabels: {app: podinfo}}
        template:
          metadata: {labels: {app: podinfo}}
          spec:
            containers:
            - name: podinfod
              image: ghcr.io/stefanprodan/podinfo:6.0.0
              ports:
              - {name: http, containerPort: 9898, protocol: TCP}
              - {name: http-metrics, containerPort: 9797, protocol: TCP}
              - {containerPort: 9999, protocol: TCP}
            - name: istio-proxy
              image: istio/proxyv2
              ports:
              - {name: http-envoy-prom, containerPort: 15090}
      """);

  private static final String CANARY = """
      apiVersion: flagger.app/v1beta1
      kind: Canary
      metadata: {name: podinfo, namespace: test, uid: 6f1c3a52-2b1e-4a57-9a3e-0d6bd2b5f0a1}
      spec:
        provider: gatewayapi:v1
        targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
        service:
          port: 9898
          targetPort: 9898
          gatewayRefs: [{name: gateway, namespace: istio-ingress}]
        analysis: {interval: 1m, threshold: 5, maxWeight: 50, stepWeight: 10}
      """;

  private static final String OWNER = """
        ownerReferences:
        - {apiVersion: flagger.app/v1beta1, kind: Canary, name: podinfo, uid: 6f1c3a52-2b1e-4a57-9a3e-0d6bd2b5f0a1,
           controller: true, blockOwnerDeletion: true}
      """;

  private final DefaultServiceBuilder builder = new DefaultServiceBuilder();

  @Test
  void canaryServiceSelectsTheTargetPods() {
    Service service = builder.canaryService(Manifests.canary(CANARY), PODINFO, APP_PODINFO);

    assertYaml(service, """
        apiVersion: v1
        kind: Service
        metadata:
          name: podinfo-canary
          namespace: test
          labels: {app: podinfo-canary}
          annotations:
            helm.toolkit.fluxcd.io/driftDetection: disabled
            kustomize.toolkit.fluxcd.io/reconcile: disabled
        """ + OWNER + """
        spec:
          type: ClusterIP
          selector: {app: podinfo}
          ports:
          - {name: http, port: 9898, targetPort: 9898, protocol: TCP}
        """);
  }

  @Test
  void primaryAndApexServicesSelectThePrimaryPods() {
    Canary canary = Manifests.canary(CANARY);

    assertYaml(builder.primaryService(canary, PODINFO, APP_PODINFO), """
        apiVersion: v1
        kind: Service
        metadata:
          name: podinfo-primary
          namespace: test
          labels: {app: podinfo-primary}
          annotations:
            helm.toolkit.fluxcd.io/driftDetection: disabled
            kustomize.toolkit.fluxcd.io/reconcile: disabled
        """ + OWNER + """
        spec:
          type: ClusterIP
          selector: {app: podinfo-primary}
          ports:
          - {name: http, port: 9898, targetPort: 9898, protocol: TCP}
        """);
    assertYaml(builder.apexService(canary, PODINFO, APP_PODINFO, Optional.empty()), """
        apiVersion: v1
        kind: Service
        metadata:
          name: podinfo
          namespace: test
          labels: {app: podinfo}
          annotations:
            helm.toolkit.fluxcd.io/driftDetection: disabled
            kustomize.toolkit.fluxcd.io/reconcile: disabled
        """ + OWNER + """
        spec:
          type: ClusterIP
          selector: {app: podinfo-primary}
          ports:
          - {name: http, port: 9898, targetPort: 9898, protocol: TCP}
        """);
  }

  @Test
  void serviceNameAndPortSettingsComeFromTheCanary() {
    Canary canary = Manifests.canary("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: podinfo, namespace: test, uid: 6f1c3a52-2b1e-4a57-9a3e-0d6bd2b5f0a1}
        spec:
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
          service:
            name: frontend
            port: 80
            portName: grpc
            targetPort: http
            appProtocol: kubernetes.io/h2c
            headless: true
            trafficDistribution: PreferClose
            canary:
              labels: {team: web}
              annotations: {prometheus.io/scrape: "true"}
        """);

    assertYaml(builder.canaryService(canary, PODINFO, new Selector("app.kubernetes.io/name", "podinfo")), """
        apiVersion: v1
        kind: Service
        metadata:
          name: frontend-canary
          namespace: test
          labels: {app.kubernetes.io/name: frontend-canary, team: web}
          annotations:
            helm.toolkit.fluxcd.io/driftDetection: disabled
            kustomize.toolkit.fluxcd.io/reconcile: disabled
            prometheus.io/scrape: "true"
        """ + OWNER + """
        spec:
          type: ClusterIP
          clusterIP: None
          trafficDistribution: PreferClose
          selector: {app.kubernetes.io/name: podinfo}
          ports:
          - {name: grpc, port: 80, targetPort: http, protocol: TCP, appProtocol: kubernetes.io/h2c}
        """);
  }

  @Test
  void portDiscoveryAddsTheOtherContainerPortsButNotTheSidecars() {
    Canary canary = Manifests.canary(CANARY.replace("targetPort: 9898", "targetPort: http\n    portDiscovery: true")
        .replace("port: 9898", "port: 80"));

    assertThat(canary.getSpec().service.portDiscovery).isTrue();
    assertYaml(builder.primaryService(canary, PODINFO, APP_PODINFO).getSpec().getPorts(), """
        - {name: http, port: 80, targetPort: http, protocol: TCP}
        - {name: http-metrics, port: 9797, targetPort: 9797, protocol: TCP}
        - {name: tcp-podinfod-2, port: 9999, targetPort: 9999, protocol: TCP}
        """);
  }

  @Test
  void portDiscoveryLeavesOutTheContainerPortOfTheServicePortWhenNoTargetPortIsSet() {
    Canary canary = Manifests.canary(CANARY.replace("targetPort: 9898", "portDiscovery: true"));

    assertYaml(builder.canaryService(canary, PODINFO, APP_PODINFO).getSpec().getPorts(), """
        - {name: http, port: 9898, targetPort: 9898, protocol: TCP}
        - {name: http-metrics, port: 9797, targetPort: 9797, protocol: TCP}
        - {name: tcp-podinfod-2, port: 9999, targetPort: 9999, protocol: TCP}
        """);
  }

  @Test
  void unmanagedMetadataKeysAreLeftToTheirOwners() {
    Canary canary = Manifests.canary("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: podinfo, namespace: test, uid: 6f1c3a52-2b1e-4a57-9a3e-0d6bd2b5f0a1}
        spec:
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
          service:
            port: 9898
            primary:
              labels: {team: web, linkerd.io/workload-ns: test}
              annotations: {mesh.example.com/id: "42", owner: web}
            unmanagedMetadata:
              labels: [linkerd.io/workload-ns]
              annotations: [mesh.example.com/id]
        """);

    Service primary = builder.primaryService(canary, PODINFO, APP_PODINFO);

    assertThat(primary.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(
        java.util.Map.of("app", "podinfo-primary", "team", "web"));
    assertThat(primary.getMetadata().getAnnotations()).containsOnlyKeys(
        "owner", "kustomize.toolkit.fluxcd.io/reconcile", "helm.toolkit.fluxcd.io/driftDetection");
  }

  @Test
  void anApexServiceTheCanaryDoesNotOwnOnlyGetsPortsAndSelectorAndKeepsItsNodePorts() {
    Service existing = Manifests.parse("""
        apiVersion: v1
        kind: Service
        metadata:
          name: podinfo
          namespace: test
          labels: {app: podinfo, team: web}
          annotations: {external-dns.alpha.kubernetes.io/hostname: podinfo.example.com}
        spec:
          type: NodePort
          selector: {app: podinfo}
          ports:
          - {name: http, port: 9898, targetPort: 9898, protocol: TCP, nodePort: 30098}
        """, Service.class);

    Service apex = builder.apexService(Manifests.canary(CANARY), PODINFO, APP_PODINFO, Optional.of(existing));

    assertYaml(apex, """
        apiVersion: v1
        kind: Service
        metadata:
          name: podinfo
          namespace: test
        spec:
          selector: {app: podinfo-primary}
          ports:
          - {name: http, port: 9898, targetPort: 9898, protocol: TCP, nodePort: 30098}
        """);
  }

  @Test
  void anApexServiceTheCanaryOwnsIsFullyManagedAndKeepsItsNodePorts() {
    Service existing = Manifests.parse("""
        apiVersion: v1
        kind: Service
        metadata:
          name: podinfo
          namespace: test
          ownerReferences:
          - {apiVersion: flagger.app/v1beta1, kind: Canary, name: podinfo, uid: 0000, controller: true}
        spec:
          type: ClusterIP
          selector: {app: podinfo-primary}
          ports:
          - {name: http, port: 9898, targetPort: 9898, protocol: TCP, nodePort: 30098}
        """, Service.class);

    Service apex = builder.apexService(Manifests.canary(CANARY), PODINFO, APP_PODINFO, Optional.of(existing));

    assertThat(apex.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(ref -> assertThat(ref.getUid()).isEqualTo("6f1c3a52-2b1e-4a57-9a3e-0d6bd2b5f0a1"));
    assertThat(apex.getMetadata().getLabels()).containsEntry("app", "podinfo");
    assertThat(apex.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(apex.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getNodePort()).isEqualTo(30098));
  }

  @Test
  void anApexServiceOwnedByAnotherCanaryIsNotTakenOver() {
    Service existing = Manifests.parse("""
        apiVersion: v1
        kind: Service
        metadata:
          name: podinfo
          namespace: test
          ownerReferences:
          - {apiVersion: flagger.app/v1beta1, kind: Canary, name: other, uid: 0000, controller: true}
        spec:
          selector: {app: other-primary}
          ports:
          - {name: http, port: 9898}
        """, Service.class);

    Service apex = builder.apexService(Manifests.canary(CANARY), PODINFO, APP_PODINFO, Optional.of(existing));

    assertThat(apex.getMetadata().getOwnerReferences()).isEmpty();
    assertThat(apex.getMetadata().getLabels()).isNullOrEmpty();
    assertThat(apex.getSpec().getSelector()).containsExactlyEntriesOf(java.util.Map.of("app", "podinfo-primary"));
  }

  @Test
  void revertingAnOwnedApexPointsItAtTheTargetAndDropsTheOwnerReference() {
    Canary canary = Manifests.canary(CANARY);
    Service owned = builder.apexService(canary, PODINFO, APP_PODINFO, Optional.empty());

    Service reverted = builder.revertedApexService(canary, PODINFO, APP_PODINFO, Optional.of(owned));

    assertYaml(reverted, """
        apiVersion: v1
        kind: Service
        metadata:
          name: podinfo
          namespace: test
          labels: {app: podinfo}
          annotations:
            helm.toolkit.fluxcd.io/driftDetection: disabled
            kustomize.toolkit.fluxcd.io/reconcile: disabled
        spec:
          type: ClusterIP
          selector: {app: podinfo}
          ports:
          - {name: http, port: 9898, targetPort: 9898, protocol: TCP}
        """);
  }

  @Test
  void revertingAForeignApexRestoresTheSelectorKubectlLastApplied() {
    Service foreign = Manifests.parse("""
        apiVersion: v1
        kind: Service
        metadata:
          name: podinfo
          namespace: test
          annotations:
            kubectl.kubernetes.io/last-applied-configuration: >-
              {"apiVersion":"v1","kind":"Service","metadata":{"name":"podinfo","namespace":"test"},
              "spec":{"ports":[{"name":"http","port":9898}],"selector":{"app.kubernetes.io/name":"podinfo"}}}
        spec:
          selector: {app: podinfo-primary}
          ports:
          - {name: http, port: 9898, targetPort: 9898, protocol: TCP}
        """, Service.class);
    Canary canary = Manifests.canary(CANARY);

    assertThat(builder.revertedApexService(canary, PODINFO, APP_PODINFO, Optional.of(foreign)).getSpec().getSelector())
        .containsExactlyEntriesOf(java.util.Map.of("app.kubernetes.io/name", "podinfo"));
    foreign.getMetadata().setAnnotations(null);
    Service reverted = builder.revertedApexService(canary, PODINFO, APP_PODINFO, Optional.of(foreign));
    assertThat(reverted.getSpec().getSelector()).containsExactlyEntriesOf(java.util.Map.of("app", "podinfo"));
    assertThat(reverted.getMetadata().getOwnerReferences()).isEmpty();
  }
}
