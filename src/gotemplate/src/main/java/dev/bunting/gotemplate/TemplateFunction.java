package dev.bunting.gotemplate;

import java.util.List;

/**
 * A function with arguments that a template may call, like a Go {@code template.FuncMap} entry.
 * Zero-argument model functions ({@code namespace}, {@code variables}, ...) need no implementation of this
 * interface: pass their value directly to {@link GoTemplate#execute}.
 */
@FunctionalInterface
public interface TemplateFunction {

  /**
   * Calls the function. A thrown exception becomes the template error
   * {@code error calling <name>: <message>}.
   */
  Object call(List<Object> args) throws Exception;
}
