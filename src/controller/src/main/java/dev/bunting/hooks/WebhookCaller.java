package dev.bunting.hooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bunting.api.CanaryWebhook;
import dev.bunting.api.GoDuration;
import dev.bunting.logging.ObjectLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls one webhook the way Flagger does: {@code POST url} with {@code Content-Type: application/json} and the
 * {@link WebhookPayload}, a per-attempt timeout ({@link CanaryWebhook#timeoutOrDefault()}; zero means the 10s
 * default), and {@link CanaryWebhook#retriesOrZero()} extra attempts. User info in the URL is sent as basic
 * authentication, as Go's HTTP client does.
 *
 * <p><b>Success is an HTTP status of 202 or lower.</b> 203–299 count as failures, exactly as in Flagger, so a
 * receiver that answers {@code 204 No Content} fails the check. Retries follow go-retryablehttp's default policy:
 * connection errors, timeouts, {@code 429} and {@code 5xx} other than {@code 501} are retried; other statuses and TLS
 * verification errors are final. The wait between attempts is a {@link RetryBackoff} (1s, 2s, 4s, … by default,
 * or the server's {@code Retry-After} for 429/503), and no retry starts once the retry budget the caller passes
 * (normally the analysis interval) is used up.
 *
 * <p>Never fails its future: every outcome is a {@link WebhookResult}. URLs are logged without user info and query
 * strings, and error texts are scrubbed of them.
 */
public final class WebhookCaller implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookCaller.class);
  private static final int EXCERPT_CHARS = 200;
  private static final String USER_AGENT = "bunting";

  private final Vertx vertx;
  private final WebClient client;
  private final WebClient insecureClient;
  private final RetryBackoff backoff;
  private final ObjectMapper json = new ObjectMapper();

  /** A caller with go-retryablehttp's default backoff. */
  public WebhookCaller(Vertx vertx) {
    this(vertx, RetryBackoff.DEFAULT);
  }

  /** A caller with the given backoff between attempts. */
  public WebhookCaller(Vertx vertx, RetryBackoff backoff) {
    this.vertx = vertx;
    this.backoff = backoff;
    WebClientOptions options = new WebClientOptions().setUserAgent(USER_AGENT).setFollowRedirects(false);
    this.client = WebClient.create(vertx, options);
    this.insecureClient = WebClient.create(vertx,
        new WebClientOptions(options).setTrustAll(true).setVerifyHost(false));
  }

  /**
   * POSTs {@code payload} to {@code hook.url}, retrying as configured.
   *
   * @param retryBudget no retry starts after this much time has passed since the call began; the first attempt
   *     always runs with the hook's full timeout
   * @return the result; the future always succeeds
   */
  public Future<WebhookResult> call(CanaryWebhook hook, WebhookPayload payload, Duration retryBudget) {
    String name = hook.name == null ? "" : hook.name;
    String url = hook.url == null ? "" : hook.url.trim();
    if (!isHttpUrl(url)) {
      return Future.succeededFuture(WebhookResult.failure(name, 0,
          "invalid webhook URL " + RedactedUrl.of(url) + " (need an absolute http or https URL)", 0));
    }
    Buffer body;
    try {
      body = Buffer.buffer(json.writeValueAsBytes(payload));
    } catch (JsonProcessingException e) {
      return Future.succeededFuture(WebhookResult.failure(name, 0, "payload not serialisable: " + e.getMessage(), 0));
    }
    Duration timeout = hook.timeoutOrDefault();
    if (timeout.isZero() || timeout.isNegative()) {
      timeout = CanaryWebhook.DEFAULT_TIMEOUT;
    }
    Call call = new Call(name, url, body, Boolean.TRUE.equals(hook.disableTLS) ? insecureClient : client,
        Math.max(1, timeout.toMillis()), 1 + hook.retriesOrZero(),
        System.nanoTime() + Math.max(0, retryBudget.toNanos()), payload.namespace() + "/" + payload.name());
    return attempt(call, 1, call.timeoutMs);
  }

  private Future<WebhookResult> attempt(Call call, int attempt, long timeoutMs) {
    return send(call, timeoutMs).compose(outcome -> {
      if (outcome.success) {
        ObjectLog.of(LOG, "Canary", call.key).debug("webhook {} ({}) answered {} on attempt {}", call.name,
            RedactedUrl.of(call.url), outcome.message, attempt);
        return Future.succeededFuture(WebhookResult.success(call.name, outcome.status, outcome.message, attempt));
      }
      if (attempt >= call.maxAttempts || !outcome.retryable) {
        return Future.succeededFuture(WebhookResult.failure(call.name, outcome.status, outcome.message, attempt));
      }
      long delayMs = outcome.retryAfterMs >= 0
          ? Math.min(outcome.retryAfterMs, backoff.max().toMillis())
          : backoff.delay(attempt - 1).toMillis();
      long remainingMs = TimeUnit.NANOSECONDS.toMillis(call.deadlineNanos - System.nanoTime()) - delayMs;
      if (remainingMs <= 0) {
        return Future.succeededFuture(WebhookResult.failure(call.name, outcome.status,
            outcome.message + " (no retry left within the analysis interval)", attempt));
      }
      ObjectLog.of(LOG, "Canary", call.key).debug("webhook {} ({}) attempt {}/{} failed: {}; retrying in {} ms",
          call.name, RedactedUrl.of(call.url), attempt, call.maxAttempts, outcome.message, delayMs);
      Promise<WebhookResult> next = Promise.promise();
      vertx.setTimer(Math.max(1, delayMs),
          id -> attempt(call, attempt + 1, Math.min(call.timeoutMs, remainingMs)).onComplete(next));
      return next.future();
    });
  }

  private Future<Outcome> send(Call call, long timeoutMs) {
    HttpRequest<Buffer> request;
    try {
      URI uri = new URI(call.url);
      if (uri.getRawUserInfo() == null) {
        request = call.client.postAbs(call.url);
      } else {
        // Like Go's net/http: user info in the URL becomes basic authentication, not part of the request line.
        URI bare = new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), uri.getQuery(),
            uri.getFragment());
        String[] credentials = uri.getUserInfo().split(":", 2);
        request = call.client.postAbs(bare.toString())
            .basicAuthentication(credentials[0], credentials.length > 1 ? credentials[1] : "");
      }
    } catch (URISyntaxException | RuntimeException e) {
      return Future.succeededFuture(Outcome.finalFailure(0, "invalid webhook URL " + RedactedUrl.of(call.url)));
    }
    request.putHeader(HttpHeaders.CONTENT_TYPE.toString(), "application/json").timeout(timeoutMs);
    return request.sendBuffer(call.body)
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .transform(ar -> Future.succeededFuture(ar.succeeded()
            ? fromResponse(ar.result())
            : fromError(ar.cause(), timeoutMs, call.url)));
  }

  private static Outcome fromResponse(HttpResponse<Buffer> response) {
    int status = response.statusCode();
    String excerpt = excerpt(response.bodyAsString());
    String message = excerpt.isEmpty() ? "HTTP " + status : "HTTP " + status + ": " + excerpt;
    if (status <= 202) {
      return new Outcome(true, false, status, message, -1);
    }
    boolean retryable = status == 429 || (status >= 500 && status != 501);
    long retryAfterMs = -1;
    if (status == 429 || status == 503) {
      retryAfterMs = retryAfterMillis(response.getHeader(HttpHeaders.RETRY_AFTER.toString()));
    }
    return new Outcome(false, retryable, status, message, retryAfterMs);
  }

  private static Outcome fromError(Throwable error, long timeoutMs, String url) {
    if (error instanceof TimeoutException) {
      return new Outcome(false, true, 0, "timed out after " + GoDuration.format(Duration.ofMillis(timeoutMs)), -1);
    }
    String detail = RedactedUrl.scrub(String.valueOf(error.getMessage()), url);
    if (hasCause(error, SSLException.class)) {
      return Outcome.finalFailure(0, "TLS handshake failed: " + detail);
    }
    if (hasCause(error, ConnectException.class)) {
      return new Outcome(false, true, 0, "connection failed: " + detail, -1);
    }
    return new Outcome(false, true, 0, "request failed: " + detail, -1);
  }

  private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  /** At most {@value #EXCERPT_CHARS} characters of {@code body}, whitespace collapsed. */
  static String excerpt(String body) {
    if (body == null) {
      return "";
    }
    String flat = body.replaceAll("\\s+", " ").trim();
    return flat.length() <= EXCERPT_CHARS ? flat : flat.substring(0, EXCERPT_CHARS) + "…";
  }

  private static long retryAfterMillis(String header) {
    if (header == null) {
      return -1;
    }
    try {
      long seconds = Long.parseLong(header.trim());
      return seconds < 0 ? -1 : TimeUnit.SECONDS.toMillis(seconds);
    } catch (NumberFormatException e) {
      return -1;
    }
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

  /** Closes both HTTP clients. */
  @Override
  public void close() {
    client.close();
    insecureClient.close();
  }

  private record Call(String name, String url, Buffer body, WebClient client, long timeoutMs, int maxAttempts,
      long deadlineNanos, String key) {}

  private record Outcome(boolean success, boolean retryable, int status, String message, long retryAfterMs) {
    static Outcome finalFailure(int status, String message) {
      return new Outcome(false, false, status, message, -1);
    }
  }
}
