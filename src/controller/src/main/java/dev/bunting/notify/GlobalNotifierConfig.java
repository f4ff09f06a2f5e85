package dev.bunting.notify;

import java.util.Map;
import java.util.Optional;

/**
 * The controller-wide alert destination for canaries that have no {@code analysis.alerts}: Flagger's
 * {@code -slack-*} and {@code -msteams-*} flags. When both a Slack and a Teams URL are set, Teams wins (as in
 * Flagger). {@link #toString()} hides URLs and the token.
 *
 * @param slackUrl {@code --slack-url}, else {@code SLACK_URL}
 * @param slackChannel {@code --slack-channel}; default {@code general}
 * @param slackUser {@code --slack-user}; default {@code flagger}
 * @param slackToken {@code --slack-token}, else {@code SLACK_TOKEN}; sent as a bearer token
 * @param slackProxy {@code --slack-proxy-url}
 * @param msteamsUrl {@code --msteams-url}, else {@code MSTEAMS_URL}
 * @param msteamsProxy {@code --msteams-proxy-url}
 */
public record GlobalNotifierConfig(String slackUrl, String slackChannel, String slackUser, String slackToken,
    String slackProxy, String msteamsUrl, String msteamsProxy) {

  /** No global notifier. */
  public static GlobalNotifierConfig none() {
    return new GlobalNotifierConfig(null, null, null, null, null, null, null);
  }

  /**
   * From the four common flags, each URL falling back to its environment variable ({@code SLACK_URL},
   * {@code MSTEAMS_URL}) when the flag is empty. (Flagger reads the environment first; Bunting's rule is "flags with
   * environment fallbacks".)
   */
  public static GlobalNotifierConfig fromFlags(String slackUrl, String slackChannel, String slackUser,
      String msteamsUrl, Map<String, String> env) {
    return new GlobalNotifierConfig(slackUrl, slackChannel, slackUser, null, null, msteamsUrl, null)
        .withEnvironmentFallbacks(env);
  }

  /** This configuration with empty URLs and token taken from {@code SLACK_URL}, {@code MSTEAMS_URL}, {@code SLACK_TOKEN}. */
  public GlobalNotifierConfig withEnvironmentFallbacks(Map<String, String> env) {
    return new GlobalNotifierConfig(or(slackUrl, env.get("SLACK_URL")), slackChannel, slackUser,
        or(slackToken, env.get("SLACK_TOKEN")), slackProxy, or(msteamsUrl, env.get("MSTEAMS_URL")), msteamsProxy);
  }

  /** Where global alerts go, if anywhere. */
  public Optional<AlertTarget> target() throws InvalidAlertProviderException {
    AlertTarget target;
    if (!blank(msteamsUrl)) {
      target = new AlertTarget(AlertProviderType.MSTEAMS, msteamsUrl.trim(), null, null, null, msteamsProxy);
    } else if (!blank(slackUrl)) {
      target = new AlertTarget(AlertProviderType.SLACK, slackUrl.trim(), slackChannel, slackUser, slackToken,
          slackProxy);
    } else {
      return Optional.empty();
    }
    target.validate();
    return Optional.of(target);
  }

  private static String or(String value, String fallback) {
    return blank(value) ? fallback : value;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  @Override
  public String toString() {
    return "GlobalNotifierConfig[slack=" + (blank(slackUrl) ? "unset" : "<set>") + ", channel=" + slackChannel
        + ", user=" + slackUser + ", msteams=" + (blank(msteamsUrl) ? "unset" : "<set>") + "]";
  }
}
