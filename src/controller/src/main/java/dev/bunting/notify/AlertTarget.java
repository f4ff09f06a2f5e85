package dev.bunting.notify;

import dev.bunting.api.AlertProvider;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how to post an alert, resolved from an AlertProvider (and its Secret) or from the global flags.
 * {@link #toString()} never shows the address or the token.
 *
 * @param type the chat service
 * @param address the webhook URL (a secret: Slack and Teams URLs carry their credentials in the path)
 * @param channel Slack-like channel, default {@code general}
 * @param username Slack-like username, default {@code flagger}
 * @param token sent as {@code Authorization: Bearer <token>} when not null
 * @param proxy an HTTP(S) or SOCKS proxy URL, or null
 * @param signingKey ({@code generic} only) the HMAC-SHA256 key the body is signed with, or null for no signature
 */
public record AlertTarget(AlertProviderType type, String address, String channel, String username, String token,
    String proxy, String signingKey) {

  /** Secret key holding the webhook URL. */
  public static final String ADDRESS_KEY = "address";
  /** Secret key holding the optional bearer token. */
  public static final String TOKEN_KEY = "token";
  /** Secret key holding the optional HMAC key of a {@code generic} provider. */
  public static final String SIGNING_KEY = "signingKey";

  public AlertTarget {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(address, "address");
    channel = channel == null || channel.isEmpty() ? "general" : channel;
    username = username == null || username.isEmpty() ? "flagger" : username;
    token = token == null || token.isEmpty() ? null : token;
    proxy = proxy == null || proxy.isBlank() ? null : proxy.trim();
    signingKey = signingKey == null || signingKey.isEmpty() ? null : signingKey;
  }

  /** A target without a signing key. */
  public AlertTarget(AlertProviderType type, String address, String channel, String username, String token,
      String proxy) {
    this(type, address, channel, username, token, proxy, null);
  }

  /**
   * Resolves an AlertProvider: the address is {@code spec.address}, or the Secret's {@code address} key when
   * {@code spec.secretRef} is set (then the Secret's optional {@code token} key is the bearer token, and for a
   * {@code generic} provider its optional {@code signingKey} key signs the body).
   *
   * @param secretData the decoded data of the Secret named by {@code spec.secretRef}; empty when there is none
   */
  public static AlertTarget fromProvider(AlertProvider.Spec spec, Map<String, String> secretData)
      throws InvalidAlertProviderException {
    AlertProviderType type = AlertProviderType.fromWire(spec.type).orElseThrow(() ->
        new InvalidAlertProviderException("unsupported provider type '" + spec.type + "'"));
    String address;
    String token = null;
    String signingKey = null;
    if (spec.secretRef != null) {
      Map<String, String> data = secretData == null ? Map.of() : secretData;
      address = data.get(ADDRESS_KEY);
      if (address == null || address.isBlank()) {
        throw new InvalidAlertProviderException("secret " + spec.secretRef.name + " has no '" + ADDRESS_KEY + "' key");
      }
      token = data.get(TOKEN_KEY);
      signingKey = type == AlertProviderType.GENERIC ? data.get(SIGNING_KEY) : null;
    } else {
      address = spec.address;
      if (address == null || address.isBlank()) {
        throw new InvalidAlertProviderException("neither address nor secretRef is set");
      }
    }
    AlertTarget target = new AlertTarget(type, address.trim(), spec.channelOrDefault(), spec.usernameOrDefault(),
        token == null ? null : token.trim(), spec.proxy, signingKey);
    target.validate();
    return target;
  }

  void validate() throws InvalidAlertProviderException {
    if (!isHttpUrl(address)) {
      throw new InvalidAlertProviderException("the address is not an absolute http(s) URL");
    }
    if (proxy != null && proxyOptions().isEmpty()) {
      throw new InvalidAlertProviderException("the proxy is not a valid http, https, socks4 or socks5 URL");
    }
  }

  /** The URL posted to: the address, or for Discord the address with {@code /slack} appended to its path. */
  public String postUrl() {
    if (type != AlertProviderType.DISCORD) {
      return address;
    }
    try {
      URI uri = new URI(address);
      String path = uri.getRawPath() == null ? "" : uri.getRawPath();
      if (path.endsWith("/slack")) {
        return address;
      }
      while (path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      String authority = uri.getRawAuthority();
      return uri.getScheme() + "://" + authority + path + "/slack"
          + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    } catch (URISyntaxException e) {
      return address;
    }
  }

  /** The proxy as Vert.x options: scheme {@code http}/{@code https} → HTTP CONNECT, {@code socks4}/{@code socks5}. */
  public Optional<ProxyOptions> proxyOptions() {
    if (proxy == null) {
      return Optional.empty();
    }
    try {
      URI uri = new URI(proxy);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      ProxyType proxyType;
      int defaultPort;
      switch (scheme) {
        case "http" -> {
          proxyType = ProxyType.HTTP;
          defaultPort = 80;
        }
        case "https" -> {
          proxyType = ProxyType.HTTP;
          defaultPort = 443;
        }
        case "socks4" -> {
          proxyType = ProxyType.SOCKS4;
          defaultPort = 1080;
        }
        case "socks5" -> {
          proxyType = ProxyType.SOCKS5;
          defaultPort = 1080;
        }
        default -> {
          return Optional.empty();
        }
      }
      if (uri.getHost() == null) {
        return Optional.empty();
      }
      ProxyOptions options = new ProxyOptions().setType(proxyType).setHost(uri.getHost())
          .setPort(uri.getPort() > 0 ? uri.getPort() : defaultPort);
      if (uri.getRawUserInfo() != null) {
        String[] userInfo = uri.getRawUserInfo().split(":", 2);
        options.setUsername(URLDecoder.decode(userInfo[0], StandardCharsets.UTF_8));
        if (userInfo.length > 1) {
          options.setPassword(URLDecoder.decode(userInfo[1], StandardCharsets.UTF_8));
        }
      }
      return Optional.of(options);
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
  }

  /** {@code text} with the address, its path, the token and the proxy removed: for error messages and logs. */
  String scrub(String text) {
    if (text == null) {
      return "";
    }
    String out = text.replace(postUrl(), "<address>").replace(address, "<address>");
    try {
      String path = new URI(address).getRawPath();
      if (path != null && path.length() > 1) {
        out = out.replace(path, "<path>");
      }
    } catch (URISyntaxException e) {
      // the whole address was already replaced
    }
    if (token != null) {
      out = out.replace(token, "<token>");
    }
    if (proxy != null) {
      out = out.replace(proxy, "<proxy>");
    }
    return out;
  }

  private static boolean isHttpUrl(String url) {
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "AlertTarget[" + type.wire() + ", channel=" + channel + ", username=" + username
        + (token == null ? "" : ", token=<set>") + (proxy == null ? "" : ", proxy=<set>")
        + (signingKey == null ? "" : ", signingKey=<set>") + "]";
  }
}
