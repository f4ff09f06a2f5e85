package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Replays one case of a {@link FlaggerOracle} file through a Bunting router: after every {@code reconcile} and
 * {@code setRoutes} step, the objects Bunting builds for the weights of that moment (reading the user's objects as
 * they were then) must have Flagger's fields; after every {@code getRoutes} step, Bunting must read the weights
 * Flagger read from the same objects; a step where Flagger failed must be a problem Bunting reports.
 */
final class OracleReplay {
  private final FlaggerOracle oracle;
  private final TrafficRouter router;
  private final List<String> ignored = new ArrayList<>();
  private final Map<Integer, List<String>> ignoredAt = new java.util.HashMap<>();

  private OracleReplay(FlaggerOracle oracle, TrafficRouter router) {
    this.oracle = oracle;
    this.router = router;
  }

  static OracleReplay of(String file, TrafficRouter router) {
    return new OracleReplay(FlaggerOracle.load(file), router);
  }

  /** JSON pointers left out of every comparison (each a documented difference). */
  OracleReplay ignoring(String... pointers) {
    ignored.addAll(List.of(pointers));
    return this;
  }

  /** JSON pointers left out of the comparison after step {@code step} only. */
  OracleReplay ignoringAt(int step, String... pointers) {
    ignoredAt.computeIfAbsent(step, s -> new ArrayList<>()).addAll(List.of(pointers));
    return this;
  }

  FlaggerOracle oracle() {
    return oracle;
  }

  /** Replays every step of {@code caseName}; returns the number of objects compared. */
  int replay(String caseName) {
    Canary canary = oracle.canary(caseName);
    Weights weights = Weights.ALL_PRIMARY;
    int compared = 0;
    for (int i = 0; ; i++) {
      FlaggerOracle.Step step;
      try {
        step = oracle.step(caseName, i);
      } catch (IllegalArgumentException end) {
        return compared;
      }
      String at = caseName + " step " + i + " (" + step.op() + ")";
      switch (step.op()) {
        case "setCanary", "setObject", "finalize" -> {
          continue;
        }
        case "getRoutes" -> {
          assertThat(step.error()).as(at).isEmpty();
          RouterState state = router.state(canary, step.cached());
          assertThat(state.weights()).as(at + ": the weights Bunting reads back; " + state.message())
              .isEqualTo(step.routes());
          continue;
        }
        case "setRoutes" -> weights = oracle.requestedWeights(caseName, i);
        default -> { }
      }
      CachedObjects cached = step.cached();
      if (!step.error().isEmpty()) {
        List<String> problems = new ArrayList<>(router.validate(canary));
        problems.addAll(router.problems(canary, cached));
        assertThat(problems).as(at + ": Flagger failed with \"" + step.error() + "\"").isNotEmpty();
        continue;
      }
      assertThat(router.validate(canary)).as(at).isEmpty();
      assertThat(router.problems(canary, cached)).as(at).isEmpty();
      List<String> pointers = new ArrayList<>(ignored);
      pointers.addAll(ignoredAt.getOrDefault(i, List.of()));
      for (HasMetadata bunting : router.desiredObjects(canary, weights, cached)) {
        GenericKubernetesResource flagger = step.object(bunting.getKind(), bunting.getMetadata().getName());
        FlaggerOracle.assertSameFields(bunting, flagger, pointers.toArray(String[]::new));
        compared++;
      }
    }
  }

  /** What Bunting reads back from Flagger's objects after {@code step}. */
  Optional<Weights> weightsAfter(String caseName, int step) {
    return router.state(oracle.canary(caseName), oracle.step(caseName, step).cached()).weights();
  }
}
