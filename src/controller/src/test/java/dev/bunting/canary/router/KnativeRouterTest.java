package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bunting.api.Canary;
import dev.bunting.canary.workload.KnativeWorkload;
import dev.bunting.canary.workload.TargetObservation;
import dev.bunting.canary.workload.WorkloadObjects;
import dev.bunting.canary.workload.WorkloadWrite;
import dev.bunting.kube.KnativeServing;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The {@code knative} provider (router and workload together) against Flagger 1.44's own KnativeRouter and
 * KnativeController (recorded by the oracle, {@code flagger/knative.cases.json}): the Knative Service Bunting leaves
 * behind after initialisation, each weight step, promotion, rollback and finalisation, field by field.
 */
class KnativeRouterTest {
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  private final FlaggerOracle oracle = FlaggerOracle.load("knative");
  private final KnativeRouter router = new KnativeRouter();
  private final KnativeWorkload workload = new KnativeWorkload();

  /**
   * Plays a recorded case with Bunting: its writes (server-side apply of a few fields, merge patches) merged into the
   * Service as the API server would, the other steps' changes (Knative's status, a new template) as recorded.
   */
  @ParameterizedTest
  @ValueSource(strings = {"knative-canary", "knative-rollback", "knative-blue-green"})
  void theKnativeServiceIsFlaggersAfterEveryStep(String name) {
    Canary canary = oracle.canary(name);
    GenericKubernetesResource service = oracle.seeded(name).get(0);
    for (int i = 0; i < oracle.steps(name); i++) {
      JsonNode input = oracle.stepInput(name, i);
      FlaggerOracle.Step flagger = oracle.step(name, i);
      String op = input.path("op").asText();
      List<String> ignored = List.of();
      switch (op) {
        case "initialize" -> {
          // Bunting initialises over two reconciles: the primary-revision annotation, then all traffic to it.
          service = written(service, workload.ensurePrimary(canary, observe(canary, service), "unused"));
          service = apply(service, router.desiredObjects(canary, Weights.ALL_PRIMARY, Cached.of(service)));
        }
        case "reconcile" -> assertThat(workload.ensurePrimary(canary, observe(canary, service), "unused"))
            .as("an existing primary revision is kept").isEmpty();
        case "setRoutes" -> service = apply(service, router.desiredObjects(canary,
            new Weights(input.path("primary").asInt(), input.path("canary").asInt(), false), Cached.of(service)));
        case "getRoutes" -> assertThat(router.state(canary, Cached.of(service)).weights()).isEqualTo(flagger.routes());
        case "patch" -> service = MergePatch.merged(service, input.path("patch"));
        case "promote" -> service = written(service, workload.promote(canary, observe(canary, service), "unused", false));
        case "finalize" -> {
          service = written(service, workload.revert(canary, observe(canary, service)));
          service = withdrawn(service, router.revertedObjects(canary, Cached.of(service)));
          // Deliberate: Bunting withdraws its spec.traffic (Knative's default, all traffic to the latest ready
          // revision, applies again); Flagger leaves the traffic pinned to the last primary revision.
          assertThat(Serialization.jsonMapper().valueToTree(service).path("spec").has("traffic")).isFalse();
          ignored = List.of("/spec/traffic");
          assertThat(flagger.error()).as("Flagger 1.44 panics after removing the annotation (nil logger)")
              .startsWith("panic:");
        }
        default -> throw new IllegalStateException("no Bunting counterpart for op " + op);
      }
      FlaggerOracle.assertSameFields(service, flagger.object("Service", "podinfo"), ignored.toArray(String[]::new));
      if (!op.equals("finalize")) {
        assertThat(flagger.error()).as("step %d %s", i, op).isEmpty();
      }
    }
  }

  @Test
  void weightsAreReadFromTheTrafficSplitAndAcceptedOnceKnativeObservedIt() {
    Canary canary = oracle.canary("knative-canary");
    GenericKubernetesResource service = Serialization.unmarshal("""
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata:
          name: podinfo
          namespace: default
          generation: 4
          annotations: {flagger.app/primary-revision: podinfo-00001}
        spec:
          traffic:
          - {latestRevision: true, percent: 30}
          - {revisionName: podinfo-00001, percent: 70}
        status: {observedGeneration: 3}
        """, GenericKubernetesResource.class);
    RouterState pending = router.state(canary, Cached.of(service));
    assertThat(pending.weights()).contains(Weights.canary(30));
    assertThat(pending.accepted()).isFalse();
    assertThat(pending.message()).isEqualTo("waiting for Knative to reconcile generation 4 of Service podinfo (observed 3)");

    service.setAdditionalProperty("status", Map.of("observedGeneration", 4));
    assertThat(router.state(canary, Cached.of(service))).isEqualTo(RouterState.accepted(Weights.canary(30)));

    service.getMetadata().setAnnotations(null);
    assertThat(router.state(canary, Cached.of(service))).isEqualTo(RouterState.absent());
  }

  @Test
  void knativeTakesNoMatchNoMirrorAndNoAutoscaler() {
    Canary canary = Manifests.canary("""
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: podinfo, namespace: default}
        spec:
          provider: knative
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
          autoscalerRef: {apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, name: podinfo}
          analysis:
            iterations: 2
            mirror: true
            match: [{headers: {x-canary: {exact: "1"}}}]
        """);
    assertThat(router.validate(canary)).containsExactly(
        "can't use apps/v1/Deployment as target if provider is set to knative (spec.targetRef must be a"
            + " serving.knative.dev/v1 Service)",
        "can't use autoscaler with Knative Service",
        "analysis.match (A/B testing) is not supported by provider knative: Knative splits traffic by percentage only",
        "analysis.mirror is not supported by provider knative");
  }

  @Test
  void theCanaryIsTheLatestCreatedRevisionAndWaitsUntilItIsReady() {
    Canary canary = oracle.canary("knative-canary");
    GenericKubernetesResource service = oracle.seeded("knative-canary").get(0);
    GenericKubernetesResource revision = Serialization.unmarshal("""
        apiVersion: serving.knative.dev/v1
        kind: Revision
        metadata: {name: podinfo-00001, namespace: default, labels: {serving.knative.dev/service: podinfo}}
        status:
          conditions: [{type: Ready, status: "False", message: "Back-off pulling image"}]
        """, GenericKubernetesResource.class);
    TargetObservation seen = workload.observe(canary, objects(service, revision), NOW);
    assertThat(seen.revisionSource()).isEqualTo("podinfo-00001");
    assertThat(seen.primaryExists()).isFalse();
    assertThat(seen.canaryReadiness().retriable()).isTrue();
    assertThat(seen.canaryReadiness().message())
        .isEqualTo("Knative Revision podinfo-00001.default is not ready: Back-off pulling image");

    revision.setAdditionalProperty("status", Map.of("conditions", List.of(Map.of("type", "Ready", "status", "True"))));
    assertThat(workload.observe(canary, objects(service, revision), NOW).canaryReadiness().ready()).isTrue();
  }

  @Test
  void withoutKnativeInstalledTheCanaryIsHeld() {
    Canary canary = oracle.canary("knative-canary");
    WorkloadObjects none = new WorkloadObjects() {
      @Override
      public <T extends HasMetadata> Optional<T> get(Class<T> type, String namespace, String name) {
        return Optional.empty();
      }

      @Override
      public Optional<GenericKubernetesResource> get(ResourceDefinitionContext kind, String namespace, String name) {
        return Optional.empty();
      }

      @Override
      public List<GenericKubernetesResource> list(ResourceDefinitionContext kind, String namespace) {
        return List.of();
      }

      @Override
      public boolean installed(ResourceDefinitionContext kind) {
        return false;
      }
    };
    assertThat(workload.observe(canary, none, NOW).issues()).containsExactly(TargetObservation.Issue.unsupported(
        "Service (serving.knative.dev/v1) is not installed in the cluster; a Knative Service target needs it"));
  }

  private TargetObservation observe(Canary canary, GenericKubernetesResource service) {
    TargetObservation seen = workload.observe(canary, objects(service), NOW);
    assertThat(seen.issues()).isEmpty();
    return seen;
  }

  private static WorkloadObjects objects(GenericKubernetesResource... generic) {
    return new WorkloadObjects() {
      @Override
      public <T extends HasMetadata> Optional<T> get(Class<T> type, String namespace, String name) {
        return Optional.empty();
      }

      @Override
      public Optional<GenericKubernetesResource> get(ResourceDefinitionContext kind, String namespace, String name) {
        return list(kind, namespace).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
      }

      @Override
      public List<GenericKubernetesResource> list(ResourceDefinitionContext kind, String namespace) {
        return java.util.Arrays.stream(generic).filter(o -> o.getKind().equals(kind.getKind())).toList();
      }

      @Override
      public boolean installed(ResourceDefinitionContext kind) {
        return true;
      }
    };
  }

  /** The Service after Bunting's workload writes: applies merged in, merge patches applied. */
  private static GenericKubernetesResource written(GenericKubernetesResource service, List<WorkloadWrite> writes) {
    for (WorkloadWrite w : writes) {
      if (w instanceof WorkloadWrite.Apply a) {
        service = apply(service, List.of(a.object()));
      } else {
        service = MergePatch.merged(service, ((WorkloadWrite.MergePatch) w).patch());
      }
    }
    return service;
  }

  /** The Service after server-side applies of {@code partials} (their fields set; lists replaced). */
  private static GenericKubernetesResource apply(GenericKubernetesResource service, List<? extends HasMetadata> partials) {
    for (HasMetadata partial : partials) {
      assertThat(partial.getApiVersion()).isEqualTo(KnativeServing.API_VERSION);
      service = MergePatch.merged(service, Serialization.jsonMapper().valueToTree(partial));
    }
    return service;
  }

  /** Bunting's fields withdrawn by an apply that leaves them out: its only field there is spec.traffic. */
  private static GenericKubernetesResource withdrawn(GenericKubernetesResource service,
      List<HasMetadata> reverted) {
    assertThat(reverted).singleElement().satisfies(r -> assertThat(
        Serialization.jsonMapper().valueToTree(r).has("spec")).isFalse());
    ObjectNode node = Serialization.jsonMapper().valueToTree(service);
    ((ObjectNode) node.path("spec")).remove("traffic");
    return Serialization.jsonMapper().convertValue(node, GenericKubernetesResource.class);
  }
}
