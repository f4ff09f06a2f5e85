package dev.bunting.gotemplate;

/**
 * A template that cannot be parsed or executed. The message names the line, the way Go's
 * {@code text/template} does: {@code template: line 1: map has no entry for key "direction"}.
 */
public final class TemplateException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int line;
  private final String detail;

  TemplateException(int line, String detail) {
    super("template: line " + line + ": " + detail);
    this.line = line;
    this.detail = detail;
  }

  /** The 1-based line of the template where the problem is. */
  public int line() {
    return line;
  }

  /** The message without the {@code template: line N:} prefix. */
  public String detail() {
    return detail;
  }
}
