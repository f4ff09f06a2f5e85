package dev.bunting.gotemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The engine's API beyond what the Go oracle covers: functions with arguments, data, unsupported parts. */
class GoTemplateTest {

  @Test
  void callsFunctionsWithArguments() {
    TemplateFunction upper = args -> String.valueOf(args.get(0)).toUpperCase();
    GoTemplate template = GoTemplate.parse("{{ upper namespace }} {{ namespace | upper }}",
        Set.of("upper", "namespace"));
    assertThat(template.execute(Map.of("upper", upper, "namespace", "prod"))).isEqualTo("PROD PROD");
  }

  @Test
  void functionFailuresNameTheFunction() {
    TemplateFunction failing = args -> {
      throw new IllegalArgumentException("bad input " + args);
    };
    GoTemplate template = GoTemplate.parse("{{ check 1 }}", Set.of("check"));
    assertThatThrownBy(() -> template.execute(Map.of("check", failing)))
        .hasMessage("template: line 1: error calling check: bad input [1]");
  }

  @Test
  void aFunctionKnownAtParseTimeMustBeGivenAtExecution() {
    GoTemplate template = GoTemplate.parse("{{ later }}", Set.of("later"));
    assertThatThrownBy(() -> template.execute(Map.of()))
        .hasMessage("template: line 1: \"later\" is not a defined function");
  }

  @Test
  void dataIsDotAndDollar() {
    GoTemplate template = GoTemplate.parse("{{ .app }}/{{ $.env }}/{{ range .ports }}{{ . }},{{ end }}", Set.of());
    assertThat(template.execute(Map.of(), Map.of("app", "web", "env", "prod", "ports", List.of(80, 443))))
        .isEqualTo("web/prod/80,443,");
  }

  @Test
  void integersAndFloatsFromJavaBehaveAsGoIntAndFloat64() {
    GoTemplate template = GoTemplate.parse("{{ printf \"%d %v %T %T\" .i .f .i .f }}", Set.of());
    assertThat(template.execute(Map.of(), Map.of("i", 7, "f", 2.5f))).isEqualTo("7 2.5 int float64");
  }

  @Test
  void templateDefinitionsAreNotSupported() {
    assertThatThrownBy(() -> GoTemplate.parse("{{ define \"x\" }}y{{ end }}", Set.of()))
        .hasMessage("template: line 1: {{define}} is not supported in query templates");
    assertThatThrownBy(() -> GoTemplate.parse("{{ template \"x\" }}", Set.of()))
        .hasMessage("template: line 1: {{template}} is not supported in query templates");
  }

  @Test
  void complexNumbersAreNotSupported() {
    assertThatThrownBy(() -> GoTemplate.parse("{{ 1+2i }}", Set.of()))
        .hasMessage("template: line 1: complex numbers are not supported: 1+2i");
  }

  @Test
  void lenOfNilIsAnError() {
    assertThatThrownBy(() -> GoTemplate.parse("{{ len . }}", Set.of()).execute(Map.of()))
        .hasMessage("template: line 1: error calling len: len of nil pointer");
  }
}
