package dev.bunting.hooks;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * A URL made safe for log lines and messages: user info, query string and fragment are removed, so
 * {@code https://user:pw@hooks.example.com/gate?token=x} becomes {@code https://hooks.example.com/gate}.
 */
public final class RedactedUrl {
  private static final String INVALID = "<invalid url>";

  private RedactedUrl() {}

  /** {@code scheme://host[:port]/path} of {@code url}, or {@code <invalid url>} when it cannot be parsed. */
  public static String of(String url) {
    if (url == null || url.isBlank()) {
      return "<no url>";
    }
    try {
      URI uri = new URI(url.trim());
      if (uri.getScheme() == null || uri.getHost() == null) {
        return INVALID;
      }
      StringBuilder sb = new StringBuilder().append(uri.getScheme()).append("://").append(uri.getHost());
      if (uri.getPort() >= 0) {
        sb.append(':').append(uri.getPort());
      }
      if (uri.getRawPath() != null) {
        sb.append(uri.getRawPath());
      }
      return sb.toString();
    } catch (URISyntaxException e) {
      return INVALID;
    }
  }

  /**
   * {@code text} with every occurrence of {@code url} (and of its user info and query string) replaced by the
   * redacted form: for error messages of libraries that may echo the request URL.
   */
  public static String scrub(String text, String url) {
    if (text == null || url == null || url.isEmpty()) {
      return text;
    }
    String out = text.replace(url, of(url));
    try {
      URI uri = new URI(url.trim());
      out = replaceIfPresent(out, uri.getRawUserInfo());
      out = replaceIfPresent(out, uri.getRawQuery());
    } catch (URISyntaxException e) {
      // nothing more to remove: the whole URL was already replaced
    }
    return out;
  }

  private static String replaceIfPresent(String text, String secret) {
    return secret == null || secret.isEmpty() ? text : text.replace(secret, "<redacted>");
  }
}
