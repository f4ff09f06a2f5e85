package dev.bunting.canary;

import java.util.random.RandomGenerator;

/**
 * Fresh random values for the sticky-session cookies ({@code analysis.sessionAffinity}), chosen by the observer so the
 * decider stays a pure function of its snapshot. The decider uses them only when it starts a new cookie; the values in
 * {@code status.sessionAffinityCookie} / {@code primarySessionAffinityCookie} are kept while they are set. Ten ASCII
 * letters each, as Flagger's {@code randSeq}.
 */
public record SessionCookieValues(String canary, String primary) {
  private static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

  /** For canaries without sticky sessions (never used). */
  public static final SessionCookieValues NONE = new SessionCookieValues("", "");

  public static SessionCookieValues random(RandomGenerator random) {
    return new SessionCookieValues(letters(random), letters(random));
  }

  private static String letters(RandomGenerator random) {
    StringBuilder out = new StringBuilder(10);
    for (int i = 0; i < 10; i++) {
      out.append(LETTERS.charAt(random.nextInt(LETTERS.length())));
    }
    return out.toString();
  }
}
