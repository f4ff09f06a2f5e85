package dev.bunting.canary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bunting.api.Condition;
import org.junit.jupiter.api.Test;

/** Problems and conditions quote user input; a megabyte of it must not make the status too large to write. */
class ProblemTest {
  @Test
  void aProblemKeepsTheFirstKilobyteOfItsMessage() {
    String name = "x".repeat(1_200_000);
    Problem p = new Problem(Problem.TARGET_NOT_FOUND, "Deployment test/" + name + " not found");
    assertThat(p.message()).hasSize(Problem.MAX_MESSAGE).startsWith("Deployment test/xxx").endsWith("x\u2026");
    assertThat(new Problem(Problem.TARGET_NOT_FOUND, "Deployment test/podinfo not found").message())
        .isEqualTo("Deployment test/podinfo not found");
  }

  @Test
  void aConditionKeepsAsMuchAsMetav1ConditionAllows() {
    Condition c = new Condition(Condition.READY, "False", "InvalidSpec", "y".repeat(100_000));
    assertThat(c.message).hasSize(Condition.MAX_MESSAGE).endsWith("y\u2026");
    assertThat(new Condition(Condition.READY, "True", "Succeeded", "fine").message).isEqualTo("fine");
  }
}
