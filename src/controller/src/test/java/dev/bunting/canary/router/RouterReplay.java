package dev.bunting.canary.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Canary;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Replays a case of the Flagger oracle with a Bunting router: after each step where Flagger's router wrote, Bunting's
 * object for the same Canary and weights must have Flagger's fields; after each {@code getRoutes}, Bunting must read
 * Flagger's object as Flagger did.
 */
final class RouterReplay {
  private final TrafficRouter router;
  private final String kind;
  private UnaryOperator<Canary> canary = UnaryOperator.identity();
  private Function<FlaggerOracle.Moment, List<String>> ignored = m -> List.of();

  private RouterReplay(TrafficRouter router, String kind) {
    this.router = router;
    this.kind = kind;
  }

  /** Compares {@code router}'s objects of {@code kind} (named like the apex Service) with Flagger's. */
  static RouterReplay of(TrafficRouter router, String kind) {
    return new RouterReplay(router, kind);
  }

  /** The Canary Bunting is given in place of the case's (e.g. another provider for the same object). */
  RouterReplay withCanary(UnaryOperator<Canary> change) {
    this.canary = change;
    return this;
  }

  /** JSON pointers left out of the comparison at a moment; each one a documented difference. */
  RouterReplay ignoring(Function<FlaggerOracle.Moment, List<String>> pointers) {
    this.ignored = pointers;
    return this;
  }

  /** Replays every step of {@code caseName}. */
  void run(FlaggerOracle oracle, String caseName) {
    run(oracle.moments(caseName));
  }

  void run(List<FlaggerOracle.Moment> moments) {
    for (FlaggerOracle.Moment m : moments) {
      assertThat(m.flagger().error()).as("Flagger's error at step %d", m.index()).isEmpty();
      Canary c = canary.apply(m.canary());
      String name = c.getSpec().serviceName();
      if (m.writes()) {
        List<HasMetadata> objects = router.desiredObjects(c, m.weights(), m.flagger().cached());
        assertThat(objects).as("step %d", m.index()).hasSize(1);
        FlaggerOracle.assertSameFields(objects.get(0), m.flagger().object(kind, name),
            ignored.apply(m).toArray(String[]::new));
      } else if (m.op().equals("getRoutes")) {
        assertThat(router.state(c, m.flagger().cached()).weights()).as("weights read back at step %d", m.index())
            .isEqualTo(m.flagger().routes());
      }
    }
  }
}
