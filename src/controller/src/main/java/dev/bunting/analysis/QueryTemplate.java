package dev.bunting.analysis;

import dev.bunting.gotemplate.GoTemplate;
import dev.bunting.gotemplate.TemplateException;
import java.util.Objects;

/**
 * A compiled metric query: a MetricTemplate's {@code spec.query}, an inline {@code metrics[].query} or a
 * builtin query. Compile once, render for each analysis; an instance is immutable and thread-safe.
 *
 * <p>Rendering follows Flagger's {@code observers.RenderQuery}: Go's {@code text/template} with
 * {@code missingkey=error} over the {@link QueryModel} functions, then {@link QueryText#normalize}.
 */
public final class QueryTemplate {

  private final GoTemplate template;

  private QueryTemplate(GoTemplate template) {
    this.template = template;
  }

  /**
   * Compiles a query.
   *
   * @throws TemplateException when the query is not a valid template, e.g.
   *     {@code template: line 1: function "foo" not defined}
   */
  public static QueryTemplate compile(String source) {
    Objects.requireNonNull(source, "source");
    return new QueryTemplate(GoTemplate.parse(source, QueryModel.FUNCTION_NAMES));
  }

  /**
   * Renders the query for a model, whitespace collapsed and trimmed: the text to send.
   *
   * @throws TemplateException when execution fails, e.g.
   *     {@code template: line 1: map has no entry for key "direction"}
   */
  public String render(QueryModel model) {
    return QueryText.normalize(renderRaw(model));
  }

  /** The template output exactly as Go produces it, before any whitespace handling. */
  public String renderRaw(QueryModel model) {
    return template.execute(model.templateFunctions());
  }

  /** The query source. */
  public String source() {
    return template.source();
  }

  @Override
  public String toString() {
    return "QueryTemplate[" + template.source() + "]";
  }
}
