package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bunting.api.Canary;
import dev.bunting.canary.workload.DaemonSetWorkload;
import dev.bunting.canary.workload.SelectorLabels;
import dev.bunting.canary.workload.TargetObservation;
import dev.bunting.canary.workload.WorkloadObjects;
import dev.bunting.canary.workload.WorkloadWrite;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * DaemonSet targets against Flagger 1.44's own DaemonSetController (recorded by the oracle,
 * {@code flagger/daemonset.cases.json}): the primary DaemonSet at initialisation and promotion, and the target's
 * scale-to-zero node selector, field by field. The case runs Flagger with {@code -include-label-prefix=*}: Bunting
 * copies every label and annotation of the target to the primary but Flux's (Flagger, by default, none but the
 * selector label).
 */
class DaemonSetFlaggerOracleTest {
  private static final String CASE = "daemonset";
  /** Random per promotion, in Flagger and in Bunting alike. */
  private static final String FLAGGER_ID = "/spec/template/metadata/annotations/flagger-id";
  /** Go writes an empty {@code resources: {}} for every container of a typed object; not a field either one sets. */
  private static final String GO_EMPTY_RESOURCES = "/spec/template/spec/containers/0/resources";

  private final FlaggerOracle oracle = FlaggerOracle.load("daemonset");
  private final DaemonSetWorkload workload = new DaemonSetWorkload(new SelectorLabels(SelectorLabels.DEFAULT), true);

  @Test
  void thePrimaryAndTheScaleToZeroSelectorAreFlaggers() {
    Canary canary = oracle.canary(CASE);
    GenericKubernetesResource target = oracle.seeded(CASE).get(0);
    GenericKubernetesResource primary = null;
    for (int i = 0; i < oracle.steps(CASE); i++) {
      JsonNode input = oracle.stepInput(CASE, i);
      FlaggerOracle.Step flagger = oracle.step(CASE, i);
      assertThat(flagger.error()).isEmpty();
      TargetObservation seen = workload.observe(canary, objects(target, primary), Instant.EPOCH);
      assertThat(seen.issues()).isEmpty();
      switch (input.path("op").asText()) {
        case "initialize" -> primary = only(workload.ensurePrimary(canary, seen, "id"));
        case "promote" -> primary = only(workload.promote(canary, seen, "id", false));
        case "scaleToZero" -> target = written(target, workload.scale(canary, seen, 0));
        case "scaleFromZero" -> target = written(target, workload.scale(canary, seen, 1));
        case "patch" -> target = MergePatch.merged(target, input.path("patch"));
        default -> throw new IllegalStateException(input.toString());
      }
      FlaggerOracle.assertSameFields(target, flagger.object("DaemonSet", "podinfo"), GO_EMPTY_RESOURCES);
      FlaggerOracle.assertSameFields(primary, flagger.object("DaemonSet", "podinfo-primary"), FLAGGER_ID,
          GO_EMPTY_RESOURCES);
    }
    assertThat(Serialization.jsonMapper().valueToTree(primary).at(FLAGGER_ID).asText()).isEqualTo("id");
  }

  private static GenericKubernetesResource only(List<WorkloadWrite> writes) {
    assertThat(writes).singleElement().isInstanceOf(WorkloadWrite.Apply.class);
    return generic(((WorkloadWrite.Apply) writes.get(0)).object());
  }

  /** The target after Bunting's writes: the applied key merged in (server-side apply), merge patches applied. */
  private static GenericKubernetesResource written(GenericKubernetesResource target, List<WorkloadWrite> writes) {
    assertThat(writes).hasSize(1);
    for (WorkloadWrite w : writes) {
      target = w instanceof WorkloadWrite.Apply a
          ? MergePatch.merged(target, Serialization.jsonMapper().<JsonNode>valueToTree(a.object()))
          : MergePatch.merged(target, ((WorkloadWrite.MergePatch) w).patch());
    }
    return target;
  }

  private static GenericKubernetesResource generic(HasMetadata o) {
    return Serialization.jsonMapper().convertValue(Serialization.jsonMapper().valueToTree(o),
        GenericKubernetesResource.class);
  }

  private static WorkloadObjects objects(GenericKubernetesResource target, GenericKubernetesResource primary) {
    return new WorkloadObjects() {
      @Override
      public <T extends HasMetadata> Optional<T> get(Class<T> type, String namespace, String name) {
        for (GenericKubernetesResource o : new GenericKubernetesResource[] {target, primary}) {
          if (o != null && type == DaemonSet.class && o.getMetadata().getName().equals(name)) {
            return Optional.of(type.cast(Serialization.jsonMapper().convertValue(o, DaemonSet.class)));
          }
        }
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
  }
}
