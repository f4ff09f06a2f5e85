package dev.bunting.gotemplate;

import dev.bunting.gotemplate.Node.ListNode;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A template in Go's {@code text/template} language, executed the way Go does with
 * {@code Option("missingkey=error")}. Parse once, execute many times; a parsed template is immutable and
 * safe to share between threads.
 *
 * <p>Supported: actions with trim markers ({@code {{- x -}}}), comments, string (also raw), number, char
 * and bool literals, {@code nil}, variables ({@code $x := ...}, {@code $x = ...}, {@code $}), pipelines,
 * parenthesised calls, field chains on maps ({@code variables.direction}), {@code if}/{@code else if}/
 * {@code else}, {@code with}/{@code else with}, {@code range} over lists, maps (sorted keys) and integers,
 * {@code break}/{@code continue}, and the builtins {@code and or not len index slice print printf println
 * html js urlquery eq ne lt le gt ge}. Not supported: {@code define}, {@code template}, {@code block}, methods
 * and struct fields (there are no Go structs here), complex numbers.
 *
 * <p>Functions are known when parsing, as in Go ({@code function "x" not defined} is a parse error). At
 * execution, each function name maps to either a {@link TemplateFunction} or, for the zero-argument functions
 * Flagger's query model uses ({@code namespace}, {@code variables}, ...), simply to its value.
 */
public final class GoTemplate {

  private final String source;
  private final Set<String> functionNames;
  private final ListNode root;

  private GoTemplate(String source, Set<String> functionNames, ListNode root) {
    this.source = source;
    this.functionNames = functionNames;
    this.root = root;
  }

  /**
   * Parses a template.
   *
   * @param source the template text
   * @param functionNames the names of the functions it may call, besides Go's builtins
   * @throws TemplateException with the line and a Go-style message when the text is not a valid template
   */
  public static GoTemplate parse(String source, Set<String> functionNames) {
    Objects.requireNonNull(source, "source");
    Set<String> names = new HashSet<>(BuiltinFunctions.NAMES);
    names.addAll(functionNames);
    ListNode root = TemplateParser.parse(source, names);
    return new GoTemplate(source, Set.copyOf(functionNames), root);
  }

  /**
   * Executes the template with no data ({@code .} is nil), as Flagger does.
   *
   * @param functions a value or a {@link TemplateFunction} for each function name given to {@link #parse}
   * @throws TemplateException when execution fails, e.g. {@code map has no entry for key "x"}
   */
  public String execute(Map<String, ?> functions) {
    return execute(functions, null);
  }

  /** Executes the template with {@code dot} as the data ({@code .} and {@code $}). */
  public String execute(Map<String, ?> functions, Object dot) {
    return new TemplateExecution(functions).run(root, dot);
  }

  /** The template text this was parsed from. */
  public String source() {
    return source;
  }

  /** The function names (besides builtins) the template was parsed with. */
  public Set<String> functionNames() {
    return functionNames;
  }

  @Override
  public String toString() {
    return "GoTemplate[" + source + "]";
  }
}
