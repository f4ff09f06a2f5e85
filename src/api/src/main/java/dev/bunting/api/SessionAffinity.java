package dev.bunting.api;

/** {@code analysis.sessionAffinity}: sticky canary sessions (Istio, Gateway API). */
public class SessionAffinity extends ApiObject {
  public String cookieName;
  public String primaryCookieName;
  public Integer maxAge;
  public String domain;
  public Boolean httpOnly;
  public Boolean partitioned;
  public String path;
  public String sameSite;
  public Boolean secure;

  public int maxAgeOrDefault() {
    return maxAge == null ? 86400 : maxAge;
  }
}
