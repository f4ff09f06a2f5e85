package dev.bunting.canary;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryPhase;
import dev.bunting.testing.BuntingUnderTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.assertj.core.api.Assertions;

/**
 * What a user watching {@code kubectl get canary -w} and the HTTPRoute would see: the phases and the route's canary
 * weights in the order they appeared (consecutive duplicates collapsed), sampled every 200 ms.
 */
final class Timeline {
  final List<CanaryPhase> phases = new ArrayList<>();
  final List<Integer> routeWeights = new ArrayList<>();
  final List<Integer> statusWeights = new ArrayList<>();
  Canary last;

  /** Samples {@code name} until {@code done} holds for the Canary, failing after {@code timeout}. */
  static Timeline record(BuntingUnderTest bunting, String name, String service, Predicate<Canary> done,
      Duration timeout) throws InterruptedException {
    return recordWith(bunting, name, service == null ? null : () -> bunting.routeCanaryWeight(service), done, timeout);
  }

  /** As above, reading the canary weight of the provider's own routing object with {@code routeWeight} (null: none). */
  static Timeline recordWith(BuntingUnderTest bunting, String name, java.util.function.IntSupplier routeWeight,
      Predicate<Canary> done, Duration timeout) throws InterruptedException {
    Timeline t = new Timeline();
    Instant end = Instant.now().plus(timeout);
    while (Instant.now().isBefore(end)) {
      Canary c = bunting.canary(name);
      if (c != null && c.getStatus() != null) {
        t.last = c;
        add(t.phases, c.getStatus().phaseOrNew());
        add(t.statusWeights, c.getStatus().canaryWeightOrZero());
        if (routeWeight != null) {
          add(t.routeWeights, routeWeight.getAsInt());
        }
        if (done.test(c)) {
          return t;
        }
      }
      Thread.sleep(200);
    }
    Assertions.fail("canary " + name + " did not reach the expected state within " + timeout + "; phases " + t.phases
        + ", route weights " + t.routeWeights + ", last status " + (t.last == null ? null
            : io.fabric8.kubernetes.client.utils.Serialization.asJson(t.last.getStatus())));
    return t;
  }

  static Predicate<Canary> phase(CanaryPhase p) {
    return c -> c.getStatus() != null && c.getStatus().phaseOrNew() == p;
  }

  private static <T> void add(List<T> list, T value) {
    if (list.isEmpty() || !list.get(list.size() - 1).equals(value)) {
      list.add(value);
    }
  }

  @Override
  public String toString() {
    return "phases " + phases + ", route weights " + routeWeights + ", status weights " + statusWeights;
  }
}
