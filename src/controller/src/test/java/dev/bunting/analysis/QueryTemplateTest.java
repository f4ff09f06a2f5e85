package dev.bunting.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bunting.gotemplate.TemplateException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class QueryTemplateTest {

  private static final QueryModel MODEL = QueryModel.of("podinfo", "test", "podinfo")
      .withVariables(Map.of("direction", "inbound", "reporter", "source"));

  @Test
  void rendersAMetricTemplateQueryWithVariablesCollapsedAndTrimmed() {
    QueryTemplate template = QueryTemplate.compile("""
        sum(
          rate(
            istio_requests_total{
              reporter="{{ variables.reporter }}",
              destination_workload_namespace="{{ namespace }}",
              destination_workload=~"{{ target }}",
              direction="{{ index variables "direction" }}",
              response_code!~"5.*"
            }[{{ interval }}]
          )
        )
        """);
    assertThat(template.render(MODEL)).isEqualTo("sum( rate( istio_requests_total{ reporter=\"source\", "
        + "destination_workload_namespace=\"test\", destination_workload=~\"podinfo\", direction=\"inbound\", "
        + "response_code!~\"5.*\" }[1m] ) )");
  }

  @Test
  void compiledOnceRendersForManyModels() {
    QueryTemplate template = QueryTemplate.compile("up{namespace=\"{{ namespace }}\",app=\"{{ target }}\"}");
    assertThat(template.render(QueryModel.of("a", "ns1", "app1"))).isEqualTo("up{namespace=\"ns1\",app=\"app1\"}");
    assertThat(template.render(QueryModel.of("b", "ns2", "app2"))).isEqualTo("up{namespace=\"ns2\",app=\"app2\"}");
  }

  @Test
  void rendersConcurrentlyFromManyThreads() throws Exception {
    QueryTemplate template = QueryTemplate.compile(
        "{{ $n := printf \"%s-%s\" namespace target }}{{ range $k, $v := variables }}{{ $n }}:{{ $k }}={{ $v }} {{ end }}");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results = IntStream.range(0, 200).mapToObj(i -> pool.submit(() -> {
        QueryModel model = QueryModel.of("c", "ns" + i, "t" + i).withVariables(Map.of("k", "v" + i));
        return template.render(model).equals("ns" + i + "-t" + i + ":k=v" + i);
      })).toList();
      for (Future<Boolean> r : results) {
        assertThat(r.get(10, TimeUnit.SECONDS)).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aMissingVariableIsAPositionedError() {
    QueryTemplate template = QueryTemplate.compile("sum(x{direction=\"{{ variables.direction }}\"})");
    assertThatThrownBy(() -> template.render(QueryModel.of("podinfo", "test", "podinfo")))
        .isInstanceOf(TemplateException.class)
        .hasMessage("template: line 1: map has no entry for key \"direction\"");
  }

  @Test
  void indexOfAMissingVariableIsEmptyAsInGo() {
    assertThat(QueryTemplate.compile("x{d=\"{{ index variables \"nope\" }}\"}").render(MODEL)).isEqualTo("x{d=\"\"}");
  }

  @Test
  void unknownFunctionsAndUnclosedActionsFailToCompile() {
    assertThatThrownBy(() -> QueryTemplate.compile("rate(x[{{ intervall }}])"))
        .isInstanceOf(TemplateException.class)
        .hasMessage("template: line 1: function \"intervall\" not defined");
    assertThatThrownBy(() -> QueryTemplate.compile("sum(\n  x{ns=\"{{ namespace \"})\n"))
        .isInstanceOf(TemplateException.class)
        .hasMessage("template: line 2: unterminated quoted string");
    assertThatThrownBy(() -> QueryTemplate.compile("sum(x{ns=\"{{ namespace\n\n"))
        .isInstanceOf(TemplateException.class)
        .hasMessage("template: line 3: unclosed action started at line 1");
  }

  @Test
  void errorsReportTheLineOfTheProblem() {
    QueryTemplate template = QueryTemplate.compile("sum(\n  rate(\n    x{d=\"{{ variables.nope }}\"}[1m]\n  )\n)");
    assertThatThrownBy(() -> template.render(MODEL))
        .isInstanceOfSatisfying(TemplateException.class, e -> {
          assertThat(e.line()).isEqualTo(3);
          assertThat(e.detail()).isEqualTo("map has no entry for key \"nope\"");
        });
  }

  @Test
  void renderRawKeepsGosOutput() {
    QueryTemplate template = QueryTemplate.compile("\n\t{{- namespace }} \n\t{{ target -}}\n ");
    assertThat(template.renderRaw(MODEL)).isEqualTo("test \n\tpodinfo");
    assertThat(template.render(MODEL)).isEqualTo("test podinfo");
  }

  @Test
  void modelDefaultsFollowFlagger() {
    QueryModel model = QueryModel.of("canary", "ns", "app");
    assertThat(model.service()).isEqualTo("app");
    assertThat(model.ingress()).isEqualTo("app");
    assertThat(model.route()).isEqualTo("app");
    assertThat(model.interval()).isEqualTo("1m");
    assertThat(model.variables()).isEmpty();
    assertThat(QueryTemplate.compile("{{ name }} {{ service }} {{ ingress }} {{ route }} {{ interval }} {{ len variables }}")
        .render(model)).isEqualTo("canary app app app 1m 0");
  }

  @Test
  void collapseIsExactlyFlaggersWhitespaceRule() {
    assertThat(QueryText.collapse("\n\ta \u000B b\r\n\f c  ")).isEqualTo(" a \u000B b c ");
    assertThat(QueryText.normalize("\n\ta  b\n")).isEqualTo("a b");
  }
}
