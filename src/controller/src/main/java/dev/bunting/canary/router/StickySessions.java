package dev.bunting.canary.router;

import dev.bunting.api.Canary;
import dev.bunting.api.CanaryAnalysis;
import dev.bunting.api.CanaryStatus;
import dev.bunting.api.GoDuration;
import dev.bunting.api.SessionAffinity;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Sticky canary sessions ({@code analysis.sessionAffinity}), as Flagger 1.44's Istio and Gateway API routers build
 * them. While the canary has weight, responses that the weighted rule sends to the canary set the canary cookie, and a
 * rule ahead of it sends requests carrying that cookie to the canary only; with {@code primaryCookieName}, responses
 * from the primary set the primary cookie (for one analysis interval) and a second rule keeps those requests on the
 * primary. Once the canary weight is back at 0, a rule matches the previous canary cookie and expires it.
 *
 * <p>The cookie values live in the Canary status ({@code sessionAffinityCookie}, {@code primarySessionAffinityCookie},
 * {@code previousSessionAffinityCookie}, each {@code name=value}); the canary engine chooses and rotates them, routers
 * only read them.
 */
final class StickySessions {
  static final String COOKIE_HEADER = "Cookie";
  static final String SET_COOKIE_HEADER = "Set-Cookie";

  /** A {@code name=value} cookie from the status. */
  record Cookie(String name, String value) {
    /** The cookie of a status field; empty when the field is unset or not {@code name=value}. */
    static Optional<Cookie> parse(String nameAndValue) {
      if (nameAndValue == null || nameAndValue.isEmpty()) {
        return Optional.empty();
      }
      String[] parts = nameAndValue.split("=", -1);
      if (parts.length < 2) {
        return Optional.empty();
      }
      return Optional.of(new Cookie(parts[0], parts[1]));
    }

    /** The regular expression Flagger matches the {@code Cookie} request header with. */
    String headerRegex() {
      return ".*" + name + ".*" + value + ".*";
    }

    @Override
    public String toString() {
      return name + "=" + value;
    }
  }

  /** What the routing rules need at one moment; {@link #of} reads it from the Canary. */
  record Cookies(SessionAffinity settings, Optional<Cookie> canary, Optional<Cookie> primary,
      Optional<Cookie> previous, int primaryMaxAge) {

    /** {@code Set-Cookie} for responses from the canary in the weighted rule. */
    String setCanary() {
      return setCookie(settings, canary.orElseThrow().toString(), settings.maxAgeOrDefault());
    }

    /** {@code Set-Cookie} for responses from the primary in the weighted rule (valid for one analysis interval). */
    String setPrimary() {
      return setCookie(settings, primary.orElseThrow().toString(), primaryMaxAge);
    }

    /** {@code Set-Cookie} that expires the previous canary cookie. */
    String expirePrevious() {
      return previous.orElseThrow() + "; Max-Age=-1";
    }

    /** Whether responses from the primary set the primary cookie (a {@code primaryCookieName} is configured). */
    boolean primarySticky() {
      return settings.primaryCookieName != null && !settings.primaryCookieName.isEmpty() && primary.isPresent();
    }
  }

  private StickySessions() {}

  /** The canary's sticky-session settings and cookies; empty when {@code analysis.sessionAffinity} is not set. */
  static Optional<Cookies> of(Canary canary) {
    CanaryAnalysis analysis = canary.getSpec().effectiveAnalysis();
    SessionAffinity settings = analysis.sessionAffinity;
    if (settings == null) {
      return Optional.empty();
    }
    CanaryStatus status = canary.getStatus();
    return Optional.of(new Cookies(settings,
        status == null ? Optional.empty() : Cookie.parse(status.sessionAffinityCookie),
        status == null ? Optional.empty() : Cookie.parse(status.primarySessionAffinityCookie),
        status == null ? Optional.empty() : Cookie.parse(status.previousSessionAffinityCookie),
        primaryMaxAge(analysis)));
  }

  /**
   * Flagger's {@code SessionAffinity.BuildCookie}: {@code <name=value>; Max-Age=<n>} and then, when set, {@code Domain},
   * {@code HttpOnly}, {@code Partitioned}, {@code Path}, {@code SameSite} and {@code Secure}, in that order.
   */
  static String setCookie(SessionAffinity s, String cookie, int maxAge) {
    StringBuilder out = new StringBuilder(cookie).append("; Max-Age=").append(maxAge);
    if (s.domain != null && !s.domain.isEmpty()) {
      out.append("; Domain=").append(s.domain);
    }
    if (Boolean.TRUE.equals(s.httpOnly)) {
      out.append("; HttpOnly");
    }
    if (Boolean.TRUE.equals(s.partitioned)) {
      out.append("; Partitioned");
    }
    if (s.path != null && !s.path.isEmpty()) {
      out.append("; Path=").append(s.path);
    }
    if (s.sameSite != null && !s.sameSite.isEmpty()) {
      out.append("; SameSite=").append(s.sameSite);
    }
    if (Boolean.TRUE.equals(s.secure)) {
      out.append("; Secure");
    }
    return out.toString();
  }

  /** The primary cookie's {@code Max-Age}: {@code analysis.interval} as written, in whole seconds (as Flagger). */
  static int primaryMaxAge(CanaryAnalysis analysis) {
    return (int) GoDuration.parse(analysis.interval).orElse(analysis.intervalDuration()).toSeconds();
  }

  /** Checks {@code analysis.sessionAffinity}; empty when absent or valid. */
  static List<String> validate(Canary canary) {
    List<String> errors = new ArrayList<>();
    CanaryAnalysis analysis = canary.getSpec().effectiveAnalysis();
    SessionAffinity s = analysis.sessionAffinity;
    if (s == null) {
      return errors;
    }
    if (s.cookieName == null || s.cookieName.isEmpty()) {
      errors.add("spec.analysis.sessionAffinity.cookieName is required");
    } else if (s.cookieName.equals(s.primaryCookieName)) {
      errors.add("spec.analysis.sessionAffinity: cookieName and primaryCookieName must differ, both are "
          + s.cookieName);
    }
    for (String name : new String[] {s.cookieName, s.primaryCookieName}) {
      if (name != null && !name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]*")) {
        errors.add("spec.analysis.sessionAffinity: cookie name " + name
            + " must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~)");
      }
    }
    if (s.maxAge != null && s.maxAge < 0) {
      errors.add("spec.analysis.sessionAffinity.maxAge must not be negative, got " + s.maxAge);
    }
    if (analysis.match != null && !analysis.match.isEmpty()) {
      errors.add("spec.analysis.sessionAffinity applies to weighted canary releases and cannot be combined with"
          + " spec.analysis.match (A/B testing)");
    }
    return errors;
  }
}
