package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.kube.Applier;
import dev.bunting.kube.BlockingPool;
import dev.bunting.kube.SpecOwnership;
import dev.bunting.testing.LocalCluster;
import dev.bunting.testing.TestCluster;
import dev.bunting.testing.TestNamespace;
import dev.bunting.testing.ThirdPartyCrds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The istio router's objects on a real API server with Istio's own CRDs (istio.io/api v1.32.0): every VirtualService
 * and DestinationRule of Flagger's cases is accepted and reads back unchanged (so a second reconcile writes nothing),
 * and a VirtualService that a user applied with kubectl or another tool is taken over exactly as Flagger's PUT would
 * leave it (fields Bunting does not write are gone) and given back as it was.
 */
@LocalCluster(thirdPartyCrds = ThirdPartyCrds.ISTIO)
class IstioRoutingObjectsClusterTest {
  TestCluster cluster;
  KubernetesClient client;
  @TestNamespace String namespace;

  private final IstioRouter router = new IstioRouter();
  private BlockingPool pool;
  private Applier applier;

  @BeforeEach
  void setUp() {
    pool = new BlockingPool(cluster.vertx(), "test", 2);
    applier = new Applier(client, pool, "bunting");
  }

  @AfterEach
  void tearDown() {
    pool.close();
  }

  /** A Canary stored in the cluster, so generated objects have a real owner (and are not garbage collected). */
  private Canary stored(Canary canary) {
    Canary copy = Serialization.clone(canary);
    copy.getMetadata().setNamespace(namespace);
    copy.getMetadata().setUid(null);
    copy.getMetadata().setResourceVersion(null);
    copy.setStatus(null);
    Canary saved = client.resource(copy).fieldManager("bunting-tests").forceConflicts().serverSideApply();
    saved.setStatus(canary.getStatus());
    return saved;
  }

  private GenericKubernetesResource live(ResourceKind kind, String name) {
    return client.genericKubernetesResources(kind.apiVersion(), kind.kind()).inNamespace(namespace).withName(name).get();
  }

  private record ResourceKind(String apiVersion, String kind) {}

  private static final ResourceKind VS = new ResourceKind("networking.istio.io/v1beta1", "VirtualService");
  private static final ResourceKind DR = new ResourceKind("networking.istio.io/v1beta1", "DestinationRule");

  /** What the reconciler does: apply each object owning its whole spec, against the object as it is now. */
  private List<HasMetadata> reconcile(List<HasMetadata> objects) throws Exception {
    List<HasMetadata> written = new ArrayList<>();
    for (HasMetadata desired : objects) {
      HasMetadata now = live(new ResourceKind(desired.getApiVersion(), desired.getKind()), desired.getMetadata().getName());
      written.add(applier.applyOwningSpec(desired, now).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
    }
    return written;
  }

  private CachedObjects cluster() {
    return (kind, ns, name) -> java.util.Optional.ofNullable(
        client.genericKubernetesResources(kind.getGroup() + "/" + kind.getVersion(), kind.getKind())
            .inNamespace(ns).withName(name).get());
  }

  @Test
  void everyObjectOfFlaggersCasesIsAcceptedAndReadsBackUnchanged() throws Exception {
    FlaggerOracle oracle = IstioRouterOracleTest.ORACLE;
    List<String> cases = List.of("canary", "ab-testing", "ab-testing-service-match", "blue-green-mirroring",
        "canary-mirroring-partial", "route-settings", "wildcard-host", "delegation", "tcp", "session-affinity",
        "session-affinity-primary-cookie");
    for (String name : cases) {
      Canary canary = stored(oracle.canary(name));
      for (int i = 0; i < oracle.steps(name); i++) {
        if (!oracle.step(name, i).op().equals("setRoutes")) {
          continue;
        }
        Canary current = SpecOracleReplay.withStatus(canary, oracle.status(name, i));
        List<HasMetadata> desired = router.desiredObjects(current, oracle.requestedWeights(name, i), cluster());
        reconcile(desired);
        for (HasMetadata d : desired) {
          GenericKubernetesResource stored = live(new ResourceKind(d.getApiVersion(), d.getKind()),
              d.getMetadata().getName());
          assertThat(SpecOwnership.upToDate(stored, d)).as("%s step %d: %s %s reads back as applied:%n%s", name, i,
              d.getKind(), d.getMetadata().getName(), Serialization.asYaml(stored.get("spec"))).isTrue();
        }
        assertThat(router.state(current, cluster()).weights()).as(name + " step " + i)
            .contains(oracle.requestedWeights(name, i));
      }
      client.resource(canary).delete();
      for (ResourceKind k : List.of(VS, DR)) {
        client.genericKubernetesResources(k.apiVersion(), k.kind()).inNamespace(namespace).delete();
      }
    }
  }

  @Test
  void aVirtualServiceAppliedWithKubectlIsTakenOverWholeAndGivenBack() throws Exception {
    String manifest = """
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata:
          name: storefront
          labels: {owner: platform}
        spec:
          hosts: [storefront, shop.example.com]
          exportTo: ["."]
          http:
          - match: [{uri: {prefix: /}}]
            fault: {abort: {httpStatus: 503, percentage: {value: 1}}}
            route: [{destination: {host: storefront}}]
        """;
    Path file = Files.createTempFile("vs-", ".yaml");
    Files.writeString(file, manifest);
    assertThat(cluster.kubectl("apply", "-n", namespace, "-f", file.toString()).exitCode()).isZero();
    Canary canary = stored(Manifests.canary("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: storefront, namespace: test}
        spec:
          provider: istio
          revertOnDeletion: true
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: storefront}
          service: {port: 9898, hosts: [shop.example.com]}
          analysis: {interval: 1m, threshold: 5, stepWeight: 10}
        """));

    List<HasMetadata> desired = router.desiredObjects(canary, Weights.canary(10), cluster());
    reconcile(desired);
    GenericKubernetesResource taken = live(VS, "storefront");

    assertThat(SpecOwnership.upToDate(taken, desired.get(2))).as("exactly Bunting's spec: no exportTo, no fault")
        .isTrue();
    assertThat(tree(taken.get("spec")).has("exportTo")).isFalse();
    assertThat(taken.getMetadata().getLabels()).as("metadata others own stays").containsEntry("owner", "platform");
    assertThat(taken.getMetadata().getAnnotations()).containsKey(IstioRouter.KUBECTL_LAST_APPLIED)
        .doesNotContainKey(IstioRouter.ORIGINAL_CONFIGURATION);
    assertThat(taken.getMetadata().getOwnerReferences()).as("a taken-over VirtualService outlives the Canary").isEmpty();
    assertThat(specOwners(taken)).containsExactly("bunting");
    assertThat(reconcile(router.desiredObjects(canary, Weights.canary(10), cluster())))
        .as("a second reconcile writes nothing").containsOnlyNulls();

    reconcile(router.revertedObjects(canary, cluster()));
    GenericKubernetesResource reverted = live(VS, "storefront");
    assertThat(tree(reverted.get("spec")))
        .isEqualTo(tree(Manifests.resource(manifest).get("spec")));
    assertThat(reverted.getMetadata().getAnnotations()).as("Bunting's own annotations go with it")
        .doesNotContainKeys("kustomize.toolkit.fluxcd.io/reconcile", "helm.toolkit.fluxcd.io/driftDetection")
        .containsKey(IstioRouter.KUBECTL_LAST_APPLIED);
  }

  @Test
  void aVirtualServiceAnotherToolAppliedIsRecordedTakenOverAndGivenBack() throws Exception {
    GenericKubernetesResource original = Manifests.resource("""
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata: {name: checkout, annotations: {team: payments}}
        spec:
          hosts: [checkout]
          gateways: [mesh]
          http:
          - timeout: 5s
            retries: {attempts: 2, perTryTimeout: 1s}
            route: [{destination: {host: checkout}}]
          tcp:
          - route: [{destination: {host: checkout, port: {number: 9000}}}]
        """);
    original.getMetadata().setNamespace(namespace);
    client.resource(original).fieldManager("kustomize-controller").forceConflicts().serverSideApply();
    Canary canary = stored(Manifests.canary("istio", "{name: checkout, port: 9898}", "{interval: 1m, threshold: 5, stepWeight: 10}"));

    reconcile(router.desiredObjects(canary, Weights.ALL_PRIMARY, cluster()));
    GenericKubernetesResource taken = live(VS, "checkout");
    assertThat(tree(taken.get("spec")).has("tcp")).isFalse();
    assertThat(taken.getMetadata().getAnnotations()).containsEntry("team", "payments")
        .containsKey(IstioRouter.ORIGINAL_CONFIGURATION);
    assertThat(Serialization.jsonMapper().readTree(taken.getMetadata().getAnnotations()
        .get(IstioRouter.ORIGINAL_CONFIGURATION))).isEqualTo(tree(original.get("spec")));
    assertThat(specOwners(taken)).containsExactly("bunting");

    reconcile(router.desiredObjects(canary, Weights.canary(30), cluster()));
    GenericKubernetesResource moved = live(VS, "checkout");
    assertThat(moved.getMetadata().getAnnotations().get(IstioRouter.ORIGINAL_CONFIGURATION))
        .as("recorded once, never overwritten with Bunting's own spec")
        .isEqualTo(taken.getMetadata().getAnnotations().get(IstioRouter.ORIGINAL_CONFIGURATION));
    assertThat(router.state(canary, cluster()).weights()).contains(Weights.canary(30));

    reconcile(router.revertedObjects(canary, cluster()));
    GenericKubernetesResource reverted = live(VS, "checkout");
    assertThat(tree(reverted.get("spec")))
        .isEqualTo(tree(original.get("spec")));
    assertThat(reverted.getMetadata().getAnnotations()).containsEntry("team", "payments")
        .doesNotContainKey(IstioRouter.ORIGINAL_CONFIGURATION);
  }

  private static com.fasterxml.jackson.databind.JsonNode tree(Object value) {
    return Serialization.jsonMapper().valueToTree(value);
  }

  /** The managers that own fields under {@code spec}. */
  @SuppressWarnings("unchecked")
  private static List<String> specOwners(HasMetadata object) {
    List<String> owners = new ArrayList<>();
    for (ManagedFieldsEntry e : object.getMetadata().getManagedFields()) {
      Object spec = e.getFieldsV1() == null ? null : e.getFieldsV1().getAdditionalProperties().get("f:spec");
      if (spec instanceof Map<?, ?> m && !m.isEmpty()) {
        owners.add(e.getManager());
      }
    }
    return owners;
  }
}
