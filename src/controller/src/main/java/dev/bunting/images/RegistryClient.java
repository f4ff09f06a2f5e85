package dev.bunting.images;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lists the tags of an image repository with the OCI distribution API ({@code GET /v2/<name>/tags/list}), following
 * the pagination {@code Link: <...>; rel="next"} headers, on the Vert.x web client (never blocking). Authentication is
 * the registry's: on a {@code 401}, a {@code WWW-Authenticate: Bearer realm=...,service=...} challenge gets a token from
 * the realm (with the basic credentials, if any, and scope {@code repository:<name>:pull}), a {@code Basic} challenge
 * the basic credentials. Credentials and tokens never appear in messages.
 */
public final class RegistryClient implements AutoCloseable {
  private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
  private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
  /** More pages than this is a registry going in circles. */
  static final int MAX_PAGES = 1000;

  /** Why a scan failed, for the condition: {@code AuthenticationFailed}, {@code RepositoryNotFound}, ... */
  public static final class RegistryException extends Exception {
    private final String reason;

    RegistryException(String reason, String message) {
      super(message);
      this.reason = reason;
    }

    public String reason() {
      return reason;
    }
  }

  private final WebClient web;
  private final int pageSize;

  /** {@code pageSize}: the {@code n} asked per page (0: let the registry choose). */
  public RegistryClient(Vertx vertx, int pageSize) {
    this.web = WebClient.create(vertx, new WebClientOptions().setFollowRedirects(true).setMaxRedirects(5)
        .setUserAgent("bunting").setDecompressionSupported(true));
    this.pageSize = pageSize;
  }

  /** Every tag of {@code image}, in the registry's order; fails with a {@link RegistryException} after {@code timeout}. */
  public Future<List<String>> tags(ImageReference image, boolean insecure, Optional<DockerConfig.Credentials> creds,
      Duration timeout) {
    String base = (insecure ? "http://" : "https://") + image.host();
    String first = base + "/v2/" + image.repository() + "/tags/list" + (pageSize > 0 ? "?n=" + pageSize : "");
    Scan scan = new Scan(image, creds);
    return page(scan, base, first, new ArrayList<>(), 0)
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .recover(e -> Future.failedFuture(e instanceof RegistryException ? e : new RegistryException("ScanFailed",
            "listing the tags of " + image.image() + ": " + describe(e, scan))));
  }

  /** One scan's authentication state: the header that worked, reused for the next pages. */
  private static final class Scan {
    final ImageReference image;
    final Optional<DockerConfig.Credentials> creds;
    String authorization;

    Scan(ImageReference image, Optional<DockerConfig.Credentials> creds) {
      this.image = image;
      this.creds = creds;
    }

    String basic() {
      return creds.map(c -> "Basic " + Base64.getEncoder().encodeToString((c.username() + ":" + c.password())
          .getBytes(StandardCharsets.UTF_8))).orElse(null);
    }

    String redact(String text) {
      String out = text == null ? "" : text;
      if (creds.isPresent() && creds.get().password().length() >= 4) {
        out = out.replace(creds.get().password(), "***");
      }
      if (authorization != null && authorization.length() > 10) {
        out = out.replace(authorization.substring(authorization.indexOf(' ') + 1), "***");
      }
      return out;
    }
  }

  private Future<List<String>> page(Scan scan, String base, String url, List<String> tags, int pages) {
    if (pages >= MAX_PAGES) {
      return Future.failedFuture(new RegistryException("ScanFailed", "the registry returned more than " + MAX_PAGES
          + " pages of tags for " + scan.image.image()));
    }
    return get(scan, url, true).compose(resp -> {
      JsonObject body;
      try {
        body = resp.bodyAsJsonObject();
      } catch (DecodeException e) {
        return Future.failedFuture(new RegistryException("ScanFailed", "the registry's tag list for "
            + scan.image.image() + " is not JSON"));
      }
      JsonArray list = body == null ? null : body.getJsonArray("tags");
      if (list != null) {
        list.forEach(t -> tags.add(String.valueOf(t)));
      }
      Optional<String> next = next(resp.headers().getAll("Link"));
      if (next.isEmpty()) {
        return Future.succeededFuture(tags);
      }
      return page(scan, base, resolve(base, url, next.get()), tags, pages + 1);
    });
  }

  private Future<HttpResponse<Buffer>> get(Scan scan, String url, boolean mayAuthenticate) {
    HttpRequest<Buffer> req = web.getAbs(url).putHeader("Accept", "application/json");
    if (scan.authorization != null) {
      req.putHeader("Authorization", scan.authorization);
    }
    return req.send().compose(resp -> {
      int code = resp.statusCode();
      if (code == 200) {
        return Future.succeededFuture(resp);
      }
      if (code == 401 && mayAuthenticate) {
        return authenticate(scan, resp.getHeader("WWW-Authenticate")).compose(v -> get(scan, url, false));
      }
      if (code == 401 || code == 403) {
        return Future.failedFuture(new RegistryException("AuthenticationFailed", "the registry " + scan.image.host()
            + " refused " + (scan.creds.isPresent() ? "the credentials of spec.secretRef" : "anonymous access")
            + " to " + scan.image.repository() + " (HTTP " + code + ")"));
      }
      if (code == 404) {
        return Future.failedFuture(new RegistryException("RepositoryNotFound", "the registry " + scan.image.host()
            + " has no repository " + scan.image.repository() + " (HTTP 404)"));
      }
      return Future.failedFuture(new RegistryException("ScanFailed", "the registry " + scan.image.host()
          + " answered HTTP " + code + " for the tags of " + scan.image.repository() + errorText(resp, scan)));
    });
  }

  /** Answers a challenge: a bearer token from the realm, or basic credentials. */
  private Future<Void> authenticate(Scan scan, String challenge) {
    if (challenge == null) {
      return Future.failedFuture(new RegistryException("AuthenticationFailed", "the registry " + scan.image.host()
          + " refused access to " + scan.image.repository() + " without saying how to authenticate"));
    }
    String scheme = challenge.trim().split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
    if (scheme.equals("basic")) {
      if (scan.creds.isEmpty()) {
        return Future.failedFuture(new RegistryException("AuthenticationFailed", "the registry " + scan.image.host()
            + " wants credentials for " + scan.image.repository() + "; set spec.secretRef"));
      }
      scan.authorization = scan.basic();
      return Future.succeededFuture();
    }
    if (!scheme.equals("bearer")) {
      return Future.failedFuture(new RegistryException("AuthenticationFailed", "the registry " + scan.image.host()
          + " asks for an authentication scheme Bunting does not speak: " + scheme));
    }
    Map<String, String> params = new LinkedHashMap<>();
    Matcher m = PARAM.matcher(challenge);
    while (m.find()) {
      params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
    }
    String realm = params.get("realm");
    if (realm == null || realm.isBlank()) {
      return Future.failedFuture(new RegistryException("AuthenticationFailed", "the registry " + scan.image.host()
          + " sent a bearer challenge without a realm"));
    }
    StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?');
    if (params.containsKey("service")) {
      url.append("service=").append(enc(params.get("service"))).append('&');
    }
    url.append("scope=").append(enc("repository:" + scan.image.repository() + ":pull"));
    HttpRequest<Buffer> req = web.getAbs(url.toString());
    String basic = scan.basic();
    if (basic != null) {
      req.putHeader("Authorization", basic);
    }
    return req.send().compose(resp -> {
      if (resp.statusCode() != 200) {
        return Future.failedFuture(new RegistryException("AuthenticationFailed", "the token service of "
            + scan.image.host() + " answered HTTP " + resp.statusCode() + " for pull access to "
            + scan.image.repository() + (scan.creds.isPresent() ? " with the credentials of spec.secretRef" : "")));
      }
      JsonObject body;
      try {
        body = resp.bodyAsJsonObject();
      } catch (DecodeException e) {
        body = null;
      }
      String token = body == null ? null : body.getString("token", body.getString("access_token"));
      if (token == null || token.isBlank()) {
        return Future.failedFuture(new RegistryException("AuthenticationFailed", "the token service of "
            + scan.image.host() + " returned no token"));
      }
      scan.authorization = "Bearer " + token;
      return Future.<Void>succeededFuture();
    });
  }

  static Optional<String> next(List<String> links) {
    for (String link : links) {
      Matcher m = NEXT.matcher(link);
      if (m.find()) {
        return Optional.of(m.group(1));
      }
    }
    return Optional.empty();
  }

  /** A {@code Link} target, which may be a path relative to the registry. */
  static String resolve(String base, String current, String link) {
    if (link.startsWith("http://") || link.startsWith("https://")) {
      return link;
    }
    return URI.create(current).resolve(link.startsWith("/") ? base + link : link).toString();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String errorText(HttpResponse<Buffer> resp, Scan scan) {
    String body = resp.bodyAsString();
    if (body == null || body.isBlank()) {
      return "";
    }
    String one = body.strip().replaceAll("\\s+", " ");
    return ": " + scan.redact(one.length() > 300 ? one.substring(0, 300) + "…" : one);
  }

  private static String describe(Throwable e, Scan scan) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof java.util.concurrent.TimeoutException || m.contains("Timeout")) {
      return "no answer in time";
    }
    return scan.redact(m);
  }

  @Override
  public void close() {
    web.close();
  }

}
