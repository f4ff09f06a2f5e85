package dev.bunting.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ControllerOptionsTest {
  private static ControllerOptions parse(String... args) {
    Main main = new Main();
    new CommandLine(main).parseArgs(args);
    return main.options;
  }

  @Test
  void intervalJitterDefaultsToFluxsFivePercent() {
    assertThat(ControllerOptions.defaults().intervalJitterPercentage).isEqualTo(5);
    assertThat(parse("--interval-jitter-percentage", "0").intervalJitterPercentage).isZero();
    assertThat(parse("--interval-jitter-percentage=20").intervalJitterPercentage).isEqualTo(20);
  }

  @Test
  void canariesAndGitSyncsHaveTheirOwnConcurrency() {
    ControllerOptions defaults = parse();
    assertThat(defaults.maxConcurrentReconciles).as("canary reconciles: a slot is a place in line, not a thread")
        .isEqualTo(32);
    assertThat(defaults.maxConcurrentSyncs).as("GitSyncs and ImagePolicies").isEqualTo(8);
    ControllerOptions set = parse("--max-concurrent-reconciles=4", "--max-concurrent-syncs=2");
    assertThat(set.maxConcurrentReconciles).isEqualTo(4);
    assertThat(set.maxConcurrentSyncs).isEqualTo(2);
  }

  @Test
  void anIntervalJitterOutsideZeroTo99IsRefusedNamingTheOption() {
    assertThatThrownBy(() -> parse("--interval-jitter-percentage", "100"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--interval-jitter-percentage").hasMessageContaining("must be from 0 to 99, got 100");
    assertThatThrownBy(() -> parse("--interval-jitter-percentage", "-1"))
        .hasMessageContaining("must be from 0 to 99, got -1");
    assertThatThrownBy(() -> parse("--interval-jitter-percentage", "5%"))
        .hasMessageContaining("'5%' is not a whole number");
  }

  @Test
  void theApiRateFlagsTakeFlaggersNamesTooAndBuildOneSharedLimiter() {
    ControllerOptions none = ControllerOptions.defaults();
    assertThat(none.kubeApiQps()).isZero();
    assertThat(none.apiRateLimiter()).as("no client-side limit by default").isEmpty();

    ControllerOptions ours = parse("--kube-api-qps=100", "--kube-api-burst=250");
    ControllerOptions flaggers = parse("--kubeconfig-qps", "100", "--kubeconfig-burst", "250");
    for (ControllerOptions o : java.util.List.of(ours, flaggers)) {
      assertThat(o.apiRateLimiter()).get().satisfies(l -> {
        assertThat(l.qps()).isEqualTo(100.0);
        assertThat(l.burst()).isEqualTo(250);
      });
      assertThat(o.apiRateLimiter().get()).as("one limiter for every client").isSameAs(o.apiRateLimiter().get());
    }
    assertThat(parse("--kube-api-qps=2.5").apiRateLimiter().get().burst()).isEqualTo(3);
  }

  @Test
  void aNegativeOrNonNumericApiRateIsRefusedNamingTheOption() {
    assertThatThrownBy(() -> parse("--kube-api-qps=-1")).isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--kube-api-qps").hasMessageContaining("must be 0 or more, got -1");
    assertThatThrownBy(() -> parse("--kubeconfig-qps=fast")).hasMessageContaining("'fast' is not a number");
    assertThatThrownBy(() -> parse("--kube-api-burst=-5")).hasMessageContaining("must be 0 or more, got -5");
  }

  @Test
  void theIdleCollectionWaitsFiveMinutesByDefaultAndZeroTurnsItOff() {
    assertThat(ControllerOptions.defaults().idleGcAfter).isEqualTo(java.time.Duration.ofMinutes(5));
    assertThat(parse("--idle-gc-after=30s").idleGcAfter).isEqualTo(java.time.Duration.ofSeconds(30));
    assertThat(parse("--idle-gc-after", "0").idleGcAfter).isZero();
    assertThat(parse("--idle-gc-after=off").idleGcAfter).isZero();
    assertThatThrownBy(() -> parse("--idle-gc-after=soon")).isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--idle-gc-after").hasMessageContaining("'soon' is not a duration");
  }
}
