package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Replays a flagger-oracle case through a Bunting router that owns its objects' whole spec, with the Canary status
 * (sticky-session cookies) Flagger's router left at each step: {@code reconcile} and {@code setRoutes} steps
 * build the routing objects (from the Canary status Flagger's router left, for sticky sessions; a reconcile keeps the
 * weights the objects have) over the objects Flagger left before the step, and compare them with Flagger's;
 * {@code getRoutes} steps compare the weights read back; a {@code finalize} step compares the reverted spec.
 */
final class SpecOracleReplay {
  private SpecOracleReplay() {}

  /** {@code group} selects the routing objects among the dumped ones (the Services are compared elsewhere). */
  static void replay(FlaggerOracle oracle, TrafficRouter router, String group, String name, String... ignored) {
    Canary canary = oracle.canary(name);
    List<GenericKubernetesResource> before = oracle.seeded(name);
    for (int i = 0; i < oracle.steps(name); i++) {
      FlaggerOracle.Step flagger = oracle.step(name, i);
      assertThat(flagger.error()).as("Flagger's %s step %d", name, i).isEmpty();
      Canary current = withStatus(canary, oracle.status(name, i));
      String step = name + " step " + i + " (" + flagger.op() + ")";
      switch (flagger.op()) {
        case "reconcile" -> {
          Weights kept = router.state(current, Cached.of(before)).weights().orElse(Weights.ALL_PRIMARY);
          assertSameObjects(step, group, router.desiredObjects(current, kept, Cached.of(before)), before, flagger,
              ignored);
        }
        case "setRoutes" -> assertSameObjects(step, group,
            router.desiredObjects(current, oracle.requestedWeights(name, i), Cached.of(before)), before, flagger,
            ignored);
        case "getRoutes" -> assertThat(router.state(current, flagger.cached()).weights()).as(step)
            .isEqualTo(flagger.routes());
        case "finalize" -> {
          List<HasMetadata> reverted = router.revertedObjects(current, Cached.of(before));
          assertThat(reverted).as(step).hasSize(1);
          HasMetadata r = reverted.get(0);
          FlaggerOracle.assertSameFields(specOnly(r), specOnly(flagger.object(r.getKind(), r.getMetadata().getName())),
              ignored);
        }
        default -> throw new IllegalStateException("unexpected op in " + step);
      }
      before = flagger.objects();
    }
  }

  /** Each object Bunting builds, as server-side apply would leave it on {@code before}'s, equals Flagger's. */
  private static void assertSameObjects(String step, String group, List<HasMetadata> bunting,
      List<GenericKubernetesResource> before, FlaggerOracle.Step flagger, String... ignored) {
    assertThat(bunting).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).as(step)
        .containsExactlyInAnyOrderElementsOf(flagger.objects().stream()
            .filter(o -> o.getApiVersion().startsWith(group + "/"))
            .map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList());
    for (HasMetadata b : bunting) {
      Optional<GenericKubernetesResource> live = before.stream()
          .filter(o -> o.getKind().equals(b.getKind()) && o.getMetadata().getName().equals(b.getMetadata().getName()))
          .findFirst();
      try {
        FlaggerOracle.assertSameFields(applied(b, live), flagger.object(b.getKind(), b.getMetadata().getName()), ignored);
      } catch (AssertionError e) {
        throw new AssertionError(step + ": " + e.getMessage(), e);
      }
    }
  }

  /** Server-side apply keeps the labels and annotations of the live object that Bunting does not apply. */
  static HasMetadata applied(HasMetadata desired, Optional<GenericKubernetesResource> live) {
    HasMetadata out = Serialization.clone(desired);
    live.ifPresent(l -> {
      out.getMetadata().setLabels(merged(l.getMetadata().getLabels(), out.getMetadata().getLabels()));
      out.getMetadata().setAnnotations(merged(l.getMetadata().getAnnotations(), out.getMetadata().getAnnotations()));
    });
    return out;
  }

  private static Map<String, String> merged(Map<String, String> live, Map<String, String> desired) {
    Map<String, String> out = new LinkedHashMap<>(live == null ? Map.of() : live);
    out.putAll(desired == null ? Map.of() : desired);
    return out.isEmpty() ? null : out;
  }

  static Canary withStatus(Canary canary, Optional<CanaryStatus> status) {
    Canary copy = Serialization.clone(canary);
    status.ifPresent(copy::setStatus);
    return copy;
  }

  private static GenericKubernetesResource specOnly(HasMetadata o) {
    GenericKubernetesResource g = Serialization.jsonMapper().convertValue(o, GenericKubernetesResource.class);
    g.getMetadata().setAnnotations(null);
    g.getMetadata().setLabels(null);
    g.getMetadata().setOwnerReferences(null);
    return g;
  }
}
