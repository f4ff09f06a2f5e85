package dev.bunting.loadtester;

import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code --namespace-regexp}: which canaries' namespaces may use the load tester. As in flagger-loadtester (Go's
 * {@code MatchString}), the expression matches anywhere in the namespace unless anchored: {@code test} allows
 * {@code test} and {@code my-test-ns}, {@code ^test$} only {@code test}. Without an expression every namespace is
 * allowed.
 */
public final class NamespaceAuthorizer {
  /** Allows every namespace. */
  public static final NamespaceAuthorizer ANY = new NamespaceAuthorizer(Optional.empty());

  private final Optional<Pattern> pattern;

  private NamespaceAuthorizer(Optional<Pattern> pattern) {
    this.pattern = pattern;
  }

  /**
   * From {@code --namespace-regexp}; empty or blank allows every namespace.
   *
   * @throws IllegalArgumentException when the expression is invalid
   */
  public static NamespaceAuthorizer of(String regexp) {
    if (regexp == null || regexp.isEmpty()) {
      return ANY;
    }
    try {
      return new NamespaceAuthorizer(Optional.of(Pattern.compile(regexp)));
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("--namespace-regexp '" + regexp + "' is not a valid regular expression: "
          + e.getDescription());
    }
  }

  public boolean authorizes(String namespace) {
    return pattern.map(p -> p.matcher(namespace).find()).orElse(true);
  }

  @Override
  public String toString() {
    return pattern.map(p -> "namespaces matching " + p.pattern()).orElse("every namespace");
  }
}
