package dev.bunting.gotemplate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Go's formatting of durations and floats; expected strings printed by Go 1.26. */
class GoFormatTest {

  @ParameterizedTest(name = "{0}ns = {1}")
  @CsvSource({
      "0, 0s", "500, 500ns", "1234, 1.234µs", "1500000, 1.5ms", "1000000, 1ms", "999000000, 999ms",
      "1000000000, 1s", "1500000000, 1.5s", "60000000000, 1m0s", "90500000000, 1m30.5s",
      "3600000000000, 1h0m0s", "7384005000000, 2h3m4.005s", "-1500000000, -1.5s"})
  void durations(long nanos, String expected) {
    assertThat(GoFormat.duration(nanos)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
      "99, 99", "99.5, 99.5", "1e21, 1e+21", "1000000, 1e+06", "123456, 123456", "0.0001, 0.0001",
      "0.00001, 1e-05", "4.9e-324, 5e-324", "0.1, 0.1", "-2.5, -2.5"})
  void floatsAsGoPrintsThemWithPercentV(double value, String expected) {
    assertThat(GoFormat.floatString(value)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} {1} = {2}")
  @CsvSource(delimiter = '|', value = {
      "%.2f%% < %v%% | 98.994 | 98.99% < %!v(MISSING)%",
      "%.2f         | 5.005  | 5.00",
      "%.2f         | 99.995 | 100.00",
      "%6.1f;       | -2.25  | '  -2.2;'"})
  void printf(String format, double value, String expected) {
    assertThat(GoFormat.sprintf(format.strip(), List.of(value))).isEqualTo(expected);
  }
}
