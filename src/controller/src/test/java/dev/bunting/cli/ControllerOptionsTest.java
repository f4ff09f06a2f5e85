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
  void anIntervalJitterOutsideZeroTo99IsRefusedNamingTheOption() {
    assertThatThrownBy(() -> parse("--interval-jitter-percentage", "100"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--interval-jitter-percentage").hasMessageContaining("must be from 0 to 99, got 100");
    assertThatThrownBy(() -> parse("--interval-jitter-percentage", "-1"))
        .hasMessageContaining("must be from 0 to 99, got -1");
    assertThatThrownBy(() -> parse("--interval-jitter-percentage", "5%"))
        .hasMessageContaining("'5%' is not a whole number");
  }
}
